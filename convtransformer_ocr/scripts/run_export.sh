#!/bin/bash
# Export a checkpoint: MINDIR (dynamic batch), ONNX, AIR (Ascend only) or CKPT (network only).
# Usage: bash run_export.sh CHECKPOINT [MINDIR|ONNX|AIR|CKPT] [Ascend|GPU|CPU] [--key value ...]
source "$(dirname "$0")/_common.sh"
export_model "$@"
