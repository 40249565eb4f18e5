#!/bin/bash
# Data-parallel training of CNN-CTC on the 8 Ascend devices of a rank table.
# Usage: bash run_distribute_train_ascend.sh RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
[ $# -ge 1 ] || { echo "usage: bash $0 RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]" >&2; exit 2; }
need_file "$1" "rank table"
export RANK_TABLE_FILE="$(abs_path "$1")"; shift
args=()
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_file "$1" "pretrained checkpoint"; args+=(--pretrained "$(abs_path "$1")"); shift; fi
export RANK_SIZE=${RANK_SIZE:-8}
pids=()
for ((i = 0; i < RANK_SIZE; i++)); do
  export DEVICE_ID=$i RANK_ID=$i
  mkdir -p "$MODEL_DIR/train_parallel$i"
  (cd "$MODEL_DIR" && python train.py --device_target Ascend --run_distribute true \
      --save_dir train_parallel "${args[@]}" "$@" > "train_parallel$i/train.log" 2>&1) &
  pids+=($!)
  echo "rank $i started, log: $MODEL_DIR/train_parallel$i/train.log"
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ $status -eq 0 ] && echo "all ranks finished" || { echo "error: a rank failed, see the logs" >&2; exit 1; }
