#!/bin/bash
# Data-parallel training of the cpu_small CNN-CTC over CPU processes of this host (msrun, gradients averaged).
# Usage: [DEVICE_NUM=2] bash run_distribute_train_cpu.sh [--key value ...]
DEVICE_TARGET=CPU DEVICE_NUM=${DEVICE_NUM:-2} exec bash "$(dirname "$0")/run_distribute_train_gpu.sh" \
  --config_path cpu_small.yaml "$@"
