#!/bin/bash
# Evaluate a CNN-CTC checkpoint on CPU.
# Usage: bash run_eval_cpu.sh CHECKPOINT EVAL_LMDB_PATH [--key value ...]   (add --config_path cpu_small.yaml for the small model)
exec bash "$(dirname "$0")/run_eval.sh" CPU "$@"
