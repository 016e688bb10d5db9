#!/usr/bin/env bash
# The controller benchmark (BENCHMARKS.md, "Controller"): builds `elevator` as the image ships it
# (scripts/build-release.sh) and `controller-bench` in release mode, then runs the driver, which
# starts `elevator sandbox` and `elevator controller` as separate processes. `--quick` shrinks
# every phase (about a minute instead of ten). ELEVATOR_BIN set: that binary instead.
#     bash Benchmarks/controller/run.sh [--quick]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if [ -z "${ELEVATOR_BIN:-}" ]; then
    ELEVATOR_BIN="$(bash scripts/build-release.sh)"
    export ELEVATOR_BIN
fi
cd "$root/Benchmarks"
swift build -c release --product controller-bench >&2
exec "$root/Benchmarks/.build/release/controller-bench" "$@"
