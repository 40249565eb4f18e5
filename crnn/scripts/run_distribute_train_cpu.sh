#!/bin/bash
# Data-parallel training of the cpu_small profile over CPU processes via msrun (2 on this host by default; the
# msrun options of run_distribute_train_msrun.sh for more, or several hosts).  Paths are relative to the model folder.
# Usage: bash run_distribute_train_cpu.sh [--worker_num N] [--local_worker_num N] [--node_rank R] [--master_addr IP]
#          [--master_port PORT] [--log_dir DIR] [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
distribute_msrun CPU 2 cpu_small.yaml "$@"
