#!/usr/bin/env bash
# The controller benchmark (BENCHMARKS.md, "Controller"): builds `elevator` and `controller-bench`
# in release mode, then runs the driver, which starts `elevator sandbox` and `elevator controller`
# as separate processes. `--quick` shrinks every phase (about a minute instead of ten).
#     bash Benchmarks/controller/run.sh [--quick]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
swift build -c release --product elevator >&2
cd "$root/Benchmarks"
swift build -c release --product controller-bench >&2
exec "$root/Benchmarks/.build/release/controller-bench" "$@"
