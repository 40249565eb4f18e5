#!/bin/bash
# Evaluate a CNN-CTC checkpoint on one or many LMDBs (a table per dataset).
# Usage: bash run_eval.sh DEVICE_TARGET CHECKPOINT EVAL_LMDB_PATH [--key value ...]
#   DEVICE_TARGET: Ascend | GPU | CPU; on Ascend DEVICE_ID selects the device (default 0)
source "$(dirname "$0")/_common.sh"
[ $# -ge 3 ] || { echo "usage: bash $0 Ascend|GPU|CPU CHECKPOINT EVAL_LMDB_PATH [--key value ...]" >&2; exit 2; }
target=$1; need_file "$2" "checkpoint"; need_dir "$3" "evaluation data"
ckpt="$(abs_path "$2")"; data="$(abs_path "$3")"; shift 3
run_logged "$MODEL_DIR/eval_${target,,}/eval.log" \
  python eval.py --device_target "$target" --checkpoint_path "$ckpt" --eval_dataset_path "$data" "$@"
