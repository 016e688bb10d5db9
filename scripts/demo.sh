#!/usr/bin/env bash
# Runs `elevator demo` on a fresh machine of this kind: installs what is missing, builds, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --product elevator
exec .build/debug/elevator demo "$@"
