#!/bin/bash
# Train the cpu_small CNN-CTC on the CPU.
# Usage: bash run_standalone_train_cpu.sh TRAIN_LMDB[,TRAIN_LMDB...] [EVAL_LMDB] [--key value ...]
#   e.g. data/synth/train,data/synth_clean/train (the clean renderings shorten the blank plateau)
source "$(dirname "$0")/_common.sh"
[ $# -ge 1 ] || { echo "usage: bash $0 TRAIN_LMDB[,TRAIN_LMDB...] [EVAL_LMDB] [--key value ...]" >&2; exit 2; }
train=()
IFS=',' read -ra parts <<< "$1"
for part in "${parts[@]}"; do need_dir "$part" "training LMDB"; train+=("$(abs_path "$part")"); done
args=(--train_dataset_path "$(IFS=','; echo "${train[*]}")"); shift
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_dir "$1" "evaluation LMDB"; args+=(--eval_dataset_path "$(abs_path "$1")"); shift
else args+=(--eval_interval 0); fi
run_logged "$MODEL_DIR/output_cpu_small/train.log" \
  python train.py --config_path cpu_small.yaml "${args[@]}" "$@"
