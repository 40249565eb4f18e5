#!/bin/bash
# Evaluate a checkpoint on GPU (eval_gpu/eval.log); EVAL_DATA as eval.py's --eval_dataset_path.
# Usage: bash run_eval_gpu.sh CHECKPOINT EVAL_DATA [--key value ...]   (--config_path cpu_small.yaml for the small model)
source "$(dirname "$0")/_common.sh"
evaluate GPU "$@"
