#!/bin/bash
# Shared helpers of a model folder's scripts/*.sh launchers (sourced, not run); the same file in every model.
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

need_dir() {
  [ -d "$1" ] || { echo "error: $2 '$1' is not a directory" >&2; exit 2; }
}

run_logged() {  # run_logged LOG CMD...: run from the model folder, log to LOG and the terminal
  local log="$1"; shift
  mkdir -p "$(dirname "$log")"
  echo "running: $* (log: $log)"
  (cd "$MODEL_DIR" && "$@") 2>&1 | tee "$log"
}
