#!/bin/bash
# Data-parallel training on GPUs via msrun (gradients averaged): 8 on this host by default; --worker_num 16
# --local_worker_num 8 --node_rank R --master_addr IP on each of two servers.  Paths are relative to the model folder.
# Usage: bash run_distribute_train_gpu.sh [--worker_num N] [--local_worker_num N] [--node_rank R] [--master_addr IP]
#          [--master_port PORT] [--log_dir DIR] [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
distribute_msrun GPU 8 "" "$@"
