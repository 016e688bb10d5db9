#!/usr/bin/env bash
# Runs every test of Elevator on a fresh machine of this kind: installs what is missing,
# builds, runs the Swift tests and then the end-to-end Python tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ELEVATOR_PYTHON="$PWD/.build-venv/bin/python"
swift build --build-tests
swift test --skip-build
if compgen -G "Tests/e2e/test_*.py" >/dev/null; then
    swift build --product elevator
    "$ELEVATOR_PYTHON" -m pytest -q Tests/e2e
fi
