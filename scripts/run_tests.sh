#!/bin/bash
# Install what is needed, then run the whole test suite (graph mode on the CPU).
# Usage: bash scripts/run_tests.sh [pytest arguments]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$(bash "$ROOT/scripts/setup_env.sh" --tests)"
export PATH="$(dirname "$PY"):$PATH"   # the environment's python and msrun for the tests' subprocesses
cd "$ROOT"
export GLOG_v=3 ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX2}
"$PY" -m pytest "$@"
