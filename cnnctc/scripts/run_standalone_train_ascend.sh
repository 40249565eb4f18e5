#!/bin/bash
# Train CNN-CTC on one Ascend device.
# Usage: bash run_standalone_train_ascend.sh DEVICE_ID [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
[ $# -ge 1 ] || { echo "usage: bash $0 DEVICE_ID [PRETRAINED_CKPT] [--key value ...]" >&2; exit 2; }
export DEVICE_ID=$1; shift
args=()
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_file "$1" "pretrained checkpoint"; args+=(--pretrained "$(abs_path "$1")"); shift; fi
run_logged "$MODEL_DIR/train_ascend_$DEVICE_ID/train.log" \
  python train.py --device_target Ascend --save_dir "train_ascend_$DEVICE_ID" "${args[@]}" "$@"
