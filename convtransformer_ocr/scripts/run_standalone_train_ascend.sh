#!/bin/bash
# Train this folder's model on one Ascend device (train_ascend_<DEVICE_ID>/train.log).
# Usage: bash run_standalone_train_ascend.sh DEVICE_ID [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
standalone_train Ascend "$@"
