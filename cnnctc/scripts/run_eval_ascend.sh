#!/bin/bash
# Evaluate a CNN-CTC checkpoint on Ascend.
# Usage: bash run_eval_ascend.sh CHECKPOINT EVAL_LMDB_PATH [--key value ...]
exec bash "$(dirname "$0")/run_eval.sh" Ascend "$@"
