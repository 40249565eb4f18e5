#!/bin/bash
# Data-parallel training of CNN-CTC on the GPUs (or, with DEVICE_TARGET=CPU, on CPU processes) of this host, via msrun.
# Usage: [DEVICE_NUM=8] [DEVICE_TARGET=GPU] [MASTER_PORT=8118] [MSRUN_LOG_DIR=...] bash run_distribute_train_gpu.sh [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
DEVICE_NUM=${DEVICE_NUM:-8}
DEVICE_TARGET=${DEVICE_TARGET:-GPU}
args=()
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_file "$1" "pretrained checkpoint"; args+=(--pretrained "$(abs_path "$1")"); shift; fi
cd "$MODEL_DIR"
msrun --worker_num="$DEVICE_NUM" --local_worker_num="$DEVICE_NUM" --master_addr=127.0.0.1 \
  --master_port="${MASTER_PORT:-8118}" --log_dir="${MSRUN_LOG_DIR:-train_distribute/msrun_log}" --join=True \
  train.py --device_target "$DEVICE_TARGET" --run_distribute true --save_dir train_distribute "${args[@]}" "$@"
