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

usage() {  # usage ARGS [NOTE]: print the calling script's usage line (and a note line) and exit 2
  echo "usage: bash $0 $1" >&2; [ $# -lt 2 ] || echo "$2" >&2; exit 2
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

exit_text() {  # exit_text STATUS: "exit 2", or "killed by signal KILL" for a shell status above 128
  if [ "$1" -gt 128 ] 2>/dev/null; then echo "killed by signal $(kill -l $(($1 - 128)))"; else echo "exit $1"; fi
}

need_count() {  # need_count NAME VALUE: stop unless VALUE is a positive integer
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "error: $1 '$2' is not a positive integer" >&2; exit 2; }
}

distribute_ascend() {  # distribute_ascend RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]: a process per device
  # of this server (SERVER_ID, for tables of several servers); RANK_SIZE, when set, must match the table
  [ $# -ge 1 ] && [[ "$1" != --* ]] || usage "RANK_TABLE_FILE [PRETRAINED_CKPT] [--key value ...]" \
    "  (env: SERVER_ID=this server's server_id for a table of several servers; RANK_SIZE=N to check the table)"
  need_file "$1" "rank table"
  export RANK_TABLE_FILE; RANK_TABLE_FILE="$(abs_path "$1")"; shift
  [ -z "${RANK_SIZE:-}" ] || need_count RANK_SIZE "$RANK_SIZE"
  take_pretrained "$@"; [ ${#PRETRAINED[@]} -eq 0 ] || shift
  local plan; plan="$(python "$MODEL_DIR/scripts/hccl_tools.py" ranks "$RANK_TABLE_FILE" \
    ${SERVER_ID:+--server "$SERVER_ID"} ${RANK_SIZE:+--rank_size "$RANK_SIZE"})" || exit 2
  local rank device size log pid status
  local -A rank_of=() log_of=()  # of the running ranks, by process id
  while read -r _ rank _ device _ size; do
    export RANK_SIZE=$size DEVICE_ID=$device RANK_ID=$rank
    log="$MODEL_DIR/train_parallel$rank/train.log"
    mkdir -p "$(dirname "$log")"
    (cd "$MODEL_DIR" && exec python train.py --device_target Ascend --run_distribute true \
        --save_dir train_parallel "${PRETRAINED[@]}" "$@" > "$log" 2>&1) &
    rank_of[$!]=$rank; log_of[$!]=$log
    echo "rank $rank of $size started on device $device, log: $log"
  done <<< "$plan"
  trap 'kill "${!rank_of[@]}" 2>/dev/null' INT TERM
  while [ ${#rank_of[@]} -gt 0 ]; do  # the first rank to fail stops the others
    status=0; wait -n -p pid "${!rank_of[@]}" || status=$?
    if [ $status -ne 0 ]; then
      rank=${rank_of[$pid]}; unset "rank_of[$pid]"; kill "${!rank_of[@]}" 2>/dev/null || true; wait || true
      echo "error: rank $rank failed ($(exit_text $status)), see ${log_of[$pid]}" >&2; exit 1
    fi
    unset "rank_of[$pid]"
  done
  echo "all $size ranks finished; checkpoints in $MODEL_DIR/train_parallel/ckpt"
}

distribute_msrun() {  # distribute_msrun TARGET DEFAULT_WORKERS CONFIG [msrun options] [PRETRAINED_CKPT] [--key value ...]
  # TARGET and CONFIG "" keep the config's device target and the default config; DEFAULT_WORKERS "" makes
  # --worker_num and --local_worker_num required (a worker count alone means that many workers on this node)
  local target="$1" workers="$2" config="$3" train=() key; shift 3
  local -A opt=([node_rank]=0 [master_port]=8118 [log_dir]=train_distribute/msrun_log)
  local counts="--worker_num N --local_worker_num N"
  [ -z "$workers" ] || { opt[worker_num]=$workers; counts="[--worker_num N] [--local_worker_num N]"; }
  local usage_line="$counts [--node_rank R] [--master_addr IP] [--master_port PORT] [--log_dir DIR] \
[PRETRAINED_CKPT] [--key value ...]"
  PRETRAINED=()
  while [ $# -gt 0 ]; do
    [[ "$1" != --*=* ]] || set -- "${1%%=*}" "${1#*=}" "${@:2}"
    case "$1" in
      --worker_num|--local_worker_num|--node_rank|--master_addr|--master_port|--log_dir)
        [ $# -ge 2 ] || usage "$usage_line"; opt[${1#--}]="$2"; shift 2 ;;
      --*) [ $# -ge 2 ] || usage "$usage_line"; train+=("$1" "$2"); shift 2 ;;
      *) [ ${#train[@]} -eq 0 ] && [ ${#PRETRAINED[@]} -eq 0 ] || usage "$usage_line"
         need_file "$1" "pretrained checkpoint"; PRETRAINED=(--pretrained "$(abs_path "$1")"); shift ;;
    esac
  done
  [ -n "${opt[worker_num]:-}" ] || usage "$usage_line"
  [ -n "${opt[local_worker_num]:-$workers}" ] || usage "$usage_line"
  opt[local_worker_num]=${opt[local_worker_num]:-${opt[worker_num]}}
  for key in worker_num local_worker_num master_port; do need_count "--$key" "${opt[$key]}"; done
  [ "${opt[local_worker_num]}" -le "${opt[worker_num]}" ] || { echo "error: --local_worker_num" \
    "${opt[local_worker_num]} is more than --worker_num ${opt[worker_num]}" >&2; exit 2; }
  local nodes=$((opt[worker_num] / opt[local_worker_num]))
  [ $((opt[worker_num] % opt[local_worker_num])) -eq 0 ] || { echo "error: --worker_num ${opt[worker_num]} is" \
    "not a multiple of --local_worker_num ${opt[local_worker_num]} (the same number of workers on every node)" >&2; exit 2; }
  [[ "${opt[node_rank]}" =~ ^[0-9]+$ ]] && [ "${opt[node_rank]}" -lt $nodes ] || { echo "error: --node_rank" \
    "${opt[node_rank]} is not one of 0..$((nodes - 1)) ($nodes node(s))" >&2; exit 2; }
  [ "${opt[master_port]}" -le 65535 ] || { echo "error: --master_port ${opt[master_port]} is not a port" >&2; exit 2; }
  [ -n "${opt[master_addr]:-}" ] || [ $nodes -eq 1 ] || { echo "error: --master_addr: the address of node 0 is" \
    "needed when the workers span $nodes nodes" >&2; exit 2; }
  local log_dir; log_dir="$(cd "$MODEL_DIR" && abs_path "${opt[log_dir]}")"
  mkdir -p "$log_dir"
  cd "$MODEL_DIR"
  local status=0
  MSRUN_NODE_RANK="${opt[node_rank]}" msrun --worker_num="${opt[worker_num]}" --local_worker_num="${opt[local_worker_num]}" \
    --node_rank="${opt[node_rank]}" --master_addr="${opt[master_addr]:-127.0.0.1}" \
    --master_port="${opt[master_port]}" --log_dir="$log_dir" --join=True \
    train.py ${config:+--config_path "$config"} ${target:+--device_target "$target"} --run_distribute true --save_dir train_distribute \
    "${PRETRAINED[@]}" "${train[@]}" 2>&1 | tee "$log_dir/msrun_node${opt[node_rank]}.log" || status=$?
  [ $status -ne 0 ] || return 0
  failed_rank_message "$log_dir" "$log_dir/msrun_node${opt[node_rank]}.log" "$status"
  exit 1
}

failed_rank_message() {  # failed_rank_message LOG_DIR MSRUN_LOG STATUS: name the worker msrun saw fail first
  local pid code log
  read -r pid code < <(sed -nE 's/.*Worker process ([0-9]+) exit with exception\. Error code: (-?[0-9]+).*/\1 \2/p' \
    "$2" | head -n 1) || true
  if [ -n "${pid:-}" ]; then
    log="$(grep -lE "^rank [0-9]+ of [0-9]+, pid $pid\$" "$1"/worker_*.log 2>/dev/null | head -n 1)" || true
    [ "$code" -ge 0 ] && code="exit $code" || code="killed by signal $(kill -l $((-code)))"
    if [ -n "$log" ]; then
      echo "error: rank $(sed -nE "s/^rank ([0-9]+) of [0-9]+, pid $pid\$/\1/p" "$log" | head -n 1) failed" \
        "($code), see $log" >&2
      return
    fi
    echo "error: worker process $pid failed ($code) before it knew its rank, see the logs in $1" >&2
    return
  fi
  echo "error: the distributed job failed (msrun $(exit_text "$3")), see the logs in $1" >&2
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
