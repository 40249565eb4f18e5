#!/bin/bash
# Train this folder's model on one GPU, fp32 (train_gpu/train.log).
# Usage: bash run_standalone_train_gpu.sh [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
standalone_train GPU "$@"
