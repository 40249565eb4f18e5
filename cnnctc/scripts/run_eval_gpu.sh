#!/bin/bash
# Evaluate a CNN-CTC checkpoint on GPU.
# Usage: bash run_eval_gpu.sh CHECKPOINT EVAL_LMDB_PATH [--key value ...]
exec bash "$(dirname "$0")/run_eval.sh" GPU "$@"
