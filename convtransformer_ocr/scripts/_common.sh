#!/bin/bash
# The launchers of a model folder (sourced by its scripts/*.sh, not run); the same file in every model folder
# (scripts/sync_model_utils.py keeps the copies equal).  Each function is one launcher; bad arguments print
# the usage or one `error:` line and exit 2.
set -euo pipefail
MODEL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# python and msrun: the active virtual or conda environment, else the repository's .venv (scripts/setup_env.sh)
if [ -z "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] && [ -x "$MODEL_DIR/../.venv/bin/python" ]; then
  PATH="$(cd "$MODEL_DIR/../.venv/bin" && pwd):$PATH"; export PATH
fi

abs_path() {  # absolute path of $1 (which need not exist yet)
  case "$1" in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac
}

need_file() {  # need_file PATH WHAT: stop with a clear message unless PATH is a file
  [ -f "$1" ] || { echo "error: $2 '$1' is not a file" >&2; exit 2; }
}

need_path() {  # need_path PATH WHAT: a file or a directory
  [ -e "$1" ] || { echo "error: $2 '$1' does not exist" >&2; exit 2; }
}

usage() {  # usage ARGS...: print the calling script's usage line and exit 2
  echo "usage: bash $0 $*" >&2; exit 2
}

run_logged() {  # run_logged LOG CMD...: run from the model folder, log to LOG and the terminal
  local log="$1"; shift
  mkdir -p "$(dirname "$log")"
  echo "running: $* (log: $log)"
  (cd "$MODEL_DIR" && "$@") 2>&1 | tee "$log"
}

PRETRAINED=()
take_pretrained() {  # take_pretrained "$@": a leading non-option argument is a checkpoint to start from
  PRETRAINED=()
  if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_file "$1" "pretrained checkpoint"; PRETRAINED=(--pretrained "$(abs_path "$1")"); fi
}

standalone_train() {  # standalone_train TARGET [DEVICE_ID] [PRETRAINED_CKPT] [--key value ...]
  local target="$1" dir; shift
  if [ "$target" = Ascend ]; then
    [ $# -ge 1 ] && [[ "$1" != --* ]] || usage "DEVICE_ID [PRETRAINED_CKPT] [--key value ...]"
    export DEVICE_ID="$1"; shift; dir="train_ascend_$DEVICE_ID"
  else
    dir="train_${target,,}"
  fi
  take_pretrained "$@"; [ ${#PRETRAINED[@]} -eq 0 ] || shift
  run_logged "$MODEL_DIR/$dir/train.log" \
    python train.py --device_target "$target" --save_dir "$dir" "${PRETRAINED[@]}" "$@"
}

cpu_train() {  # cpu_train TRAIN_DATA[,TRAIN_DATA...] [EVAL_DATA] [--key value ...]: the cpu_small profile
  [ $# -ge 1 ] || usage "TRAIN_DATA[,TRAIN_DATA...] [EVAL_DATA] [--key value ...]"
  local parts part train=() args=()
  IFS=',' read -ra parts <<< "$1"; shift
  for part in "${parts[@]}"; do need_path "$part" "training data"; train+=("$(abs_path "$part")"); done
  args=(--train_dataset_path "$(IFS=','; echo "${train[*]}")")
  if [ $# -ge 1 ] && [[ "$1" != --* ]]; then need_path "$1" "evaluation data"; args+=(--eval_dataset_path "$(abs_path "$1")"); shift
  else args+=(--eval_interval 0); fi
  run_logged "$MODEL_DIR/output_cpu_small/train.log" python train.py --config_path cpu_small.yaml "${args[@]}" "$@"
}

distribute_ascend() {  # distribute_ascend RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]: one process per device
  [ $# -ge 1 ] || usage "RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]"
  need_file "$1" "rank table"
  export RANK_TABLE_FILE; RANK_TABLE_FILE="$(abs_path "$1")"; shift
  take_pretrained "$@"; [ ${#PRETRAINED[@]} -eq 0 ] || shift
  export RANK_SIZE=${RANK_SIZE:-8}
  local i pid pids=() status=0
  for ((i = 0; i < RANK_SIZE; i++)); do
    export DEVICE_ID=$i RANK_ID=$i
    mkdir -p "$MODEL_DIR/train_parallel$i"
    (cd "$MODEL_DIR" && python train.py --device_target Ascend --run_distribute true \
        --save_dir train_parallel "${PRETRAINED[@]}" "$@" > "train_parallel$i/train.log" 2>&1) &
    pids+=($!)
    echo "rank $i started, log: $MODEL_DIR/train_parallel$i/train.log"
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  [ $status -eq 0 ] && echo "all ranks finished" || { echo "error: a rank failed, see the logs" >&2; exit 1; }
}

distribute_msrun() {  # distribute_msrun TARGET [PRETRAINED_CKPT] [--key value ...]: DEVICE_NUM processes here
  local target="$1"; shift
  take_pretrained "$@"; [ ${#PRETRAINED[@]} -eq 0 ] || shift
  cd "$MODEL_DIR"
  msrun --worker_num="$DEVICE_NUM" --local_worker_num="$DEVICE_NUM" --master_addr=127.0.0.1 \
    --master_port="${MASTER_PORT:-8118}" --log_dir="${MSRUN_LOG_DIR:-train_distribute/msrun_log}" --join=True \
    train.py --device_target "$target" --run_distribute true --save_dir train_distribute "${PRETRAINED[@]}" "$@"
}

evaluate() {  # evaluate TARGET CHECKPOINT EVAL_DATA [--key value ...]
  local target="$1"; shift
  [ $# -ge 2 ] || usage "CHECKPOINT EVAL_DATA [--key value ...]"
  need_file "$1" "checkpoint"; need_path "$2" "evaluation data"
  local ckpt data; ckpt="$(abs_path "$1")"; data="$(abs_path "$2")"; shift 2
  run_logged "$MODEL_DIR/eval_${target,,}/eval.log" \
    python eval.py --device_target "$target" --checkpoint_path "$ckpt" --eval_dataset_path "$data" "$@"
}

export_model() {  # export_model CHECKPOINT [MINDIR|ONNX|AIR|CKPT] [Ascend|GPU|CPU] [--key value ...]
  [ $# -ge 1 ] || usage "CHECKPOINT [MINDIR|ONNX|AIR|CKPT] [Ascend|GPU|CPU] [--key value ...]"
  need_file "$1" "checkpoint"
  local ckpt format=MINDIR target=Ascend; ckpt="$(abs_path "$1")"; shift
  if [ $# -ge 1 ] && [[ "$1" != --* ]]; then format=$1; shift; fi
  if [ $# -ge 1 ] && [[ "$1" != --* ]]; then target=$1; shift; fi
  cd "$MODEL_DIR"
  python export.py --checkpoint_path "$ckpt" --file_format "$format" --device_target "$target" "$@"
}
