#!/bin/bash
# Train the cpu_small profile on the CPU (output_cpu_small/train.log).
# Usage: bash run_standalone_train_cpu.sh TRAIN_DATA[,TRAIN_DATA...] [EVAL_DATA] [--key value ...]
#   e.g. data/synth/train,data/synth_clean/train data/synth/val (the clean renderings shorten the blank plateau)
source "$(dirname "$0")/_common.sh"
cpu_train "$@"
