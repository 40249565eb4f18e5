#!/bin/bash
# Train CNN-CTC on one GPU (fp32).
# Usage: bash run_standalone_train_gpu.sh [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
args=()
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_file "$1" "pretrained checkpoint"; args+=(--pretrained "$(abs_path "$1")"); shift; fi
run_logged "$MODEL_DIR/train_gpu/train.log" \
  python train.py --device_target GPU --save_dir train_gpu "${args[@]}" "$@"
