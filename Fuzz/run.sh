#!/usr/bin/env bash
# Builds the libFuzzer harnesses (with AddressSanitizer, which also finds leaks on Linux) and
# runs each for a number of executions or seconds:
#   Fuzz/run.sh [fuzz-yaml|fuzz-lint|all] [-runs=N | -max_total_time=S] [more libFuzzer flags]
# Seeds: Fuzz/corpus/<target>/, manifests/samples and examples/gitops/policies; new inputs found are
# kept in .build/fuzz-corpus/<target>/ (outside git). Crash inputs land in Fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")"
targets=${1:-all}
shift || true
[ "$#" -gt 0 ] || set -- -max_total_time=60
swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
bin=$(swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)
[ "$targets" = all ] && targets="fuzz-yaml fuzz-lint"
mkdir -p crashes
for target in $targets; do
    work=../.build/fuzz-corpus/$target
    mkdir -p "$work"
    echo "== $target $*"
    ASAN_OPTIONS=detect_leaks=1 "$bin/$target" "$work" corpus/${target#fuzz-} ../manifests/samples ../examples/gitops/policies -detect_leaks=1 -rss_limit_mb=2048 \
        -timeout=10 -max_len=8192 -print_final_stats=1 -artifact_prefix=crashes/$target- "$@"
done
