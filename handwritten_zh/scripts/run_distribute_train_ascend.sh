#!/bin/bash
# Data-parallel training with a rank table: one process per device of this server (RANK_SIZE, DEVICE_ID and
# RANK_ID from the table, checked first by scripts/hccl_tools.py), log train_parallel<RANK_ID>/train.log,
# checkpoints in train_parallel/ckpt.  Several servers: run it on each with SERVER_ID=<its server_id>.  The first
# rank that fails stops the others.  Paths are relative to the model folder.
# Usage: [SERVER_ID=IP] [RANK_SIZE=N] bash run_distribute_train_ascend.sh RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
distribute_ascend "$@"
