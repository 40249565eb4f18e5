#!/bin/bash
# Data-parallel training on the GPUs of this host via msrun (gradients averaged).
# Usage: [DEVICE_NUM=8] [MASTER_PORT=8118] [MSRUN_LOG_DIR=...] bash run_distribute_train_gpu.sh [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
DEVICE_NUM=${DEVICE_NUM:-8} distribute_msrun GPU "$@"
