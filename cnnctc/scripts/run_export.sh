#!/bin/bash
# Export a CNN-CTC checkpoint.
# Usage: bash run_export.sh CHECKPOINT [FILE_FORMAT=MINDIR] [DEVICE_TARGET=Ascend] [--key value ...]
#   FILE_FORMAT: MINDIR (dynamic batch) | ONNX | AIR (Ascend only)
source "$(dirname "$0")/_common.sh"
[ $# -ge 1 ] || { echo "usage: bash $0 CHECKPOINT [MINDIR|ONNX|AIR] [Ascend|GPU|CPU] [--key value ...]" >&2; exit 2; }
need_file "$1" "checkpoint"
ckpt="$(abs_path "$1")"; shift
format=MINDIR; target=Ascend
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then format=$1; shift; fi
if [ $# -ge 1 ] && [[ "$1" != --* ]]; then target=$1; shift; fi
cd "$MODEL_DIR"
python export.py --checkpoint_path "$ckpt" --file_format "$format" --device_target "$target" "$@"
