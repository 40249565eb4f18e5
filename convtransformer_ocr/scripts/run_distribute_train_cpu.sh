#!/bin/bash
# Data-parallel training of the cpu_small profile over CPU processes of this host via msrun.
# Usage: [DEVICE_NUM=2] [MASTER_PORT=8118] [MSRUN_LOG_DIR=...] bash run_distribute_train_cpu.sh [--key value ...]
source "$(dirname "$0")/_common.sh"
DEVICE_NUM=${DEVICE_NUM:-2} distribute_msrun CPU --config_path cpu_small.yaml "$@"
