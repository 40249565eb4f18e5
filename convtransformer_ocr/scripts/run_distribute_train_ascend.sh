#!/bin/bash
# Data-parallel training on the 8 Ascend devices of a rank table (RANK_SIZE to change), a log per rank.
# Usage: bash run_distribute_train_ascend.sh RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
distribute_ascend "$@"
