#!/bin/bash
# Install what is needed, then run the whole test suite (graph mode on the CPU).
# Usage: bash scripts/run_tests.sh [pytest arguments]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$(bash "$ROOT/scripts/setup_env.sh" --tests)"
export PATH="$(dirname "$PY"):$PATH"   # the environment's python and msrun for the tests' subprocesses
cd "$ROOT"
export GLOG_v=3 ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX2}
# Test files run in parallel, one pytest-xdist worker per CPU (each pinned to its core by tests/conftest.py),
# at most 4 and one per 4 GiB of memory; TEST_WORKERS=N sets the number, 1 runs them in this process.
CPUS=$(nproc)
MEM_GIB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1048576 ))
WORKERS=${TEST_WORKERS:-$(( CPUS < 4 ? CPUS : 4 ))}
[ -n "${TEST_WORKERS:-}" ] || (( WORKERS <= MEM_GIB / 4 )) || WORKERS=$(( MEM_GIB / 4 ))
PARALLEL=()
(( WORKERS <= 1 )) || PARALLEL=(-n "$WORKERS" --dist loadfile)
"$PY" -m pytest "${PARALLEL[@]}" "$@"
