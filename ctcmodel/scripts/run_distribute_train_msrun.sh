#!/bin/bash
# Data-parallel training with msrun on the config's device (Ascend by default), no rank table: one command per
# node, the same worker counts, master address and port on every node, --node_rank 0 on the node at
# --master_addr.  Checkpoints, loss curve and samples in train_distribute/, logs in --log_dir (default
# train_distribute/msrun_log); a worker that fails stops the job.  Paths are relative to the model folder.
# Usage: bash run_distribute_train_msrun.sh --worker_num N --local_worker_num N [--node_rank R] [--master_addr IP]
#          [--master_port PORT] [--log_dir DIR] [PRETRAINED_CKPT] [--key value ...]
source "$(dirname "$0")/_common.sh"
distribute_msrun "" "" "" "$@"
