#!/usr/bin/env bash
# Builds `elevator` as the image ships it and prints the binary's path (the Dockerfile, the
# controller benchmark and Tests/e2e/test_release_build.py all build it this way):
#     bash scripts/build-release.sh
# - release mode, with the Swift standard library and Foundation linked in (--static-swift-stdlib),
#   so the image needs no Swift runtime;
# - linked by lld with packed relative relocations (DT_RELR, glibc 2.36 and later, as in
#   bookworm): the dynamic loader otherwise reads a 2.8 MiB table of 120,000 relocations at every
#   start, and those pages stay resident;
# - without exporting the binary's own symbols: the static-stdlib link exports all of them, and
#   the loader's symbol lookups for the shared libraries (libcurl, OpenSSL, libc) then walk that
#   1.5 MiB table. Nothing looks them up: the Swift runtime finds its metadata through sections.
# See BENCHMARKS.md, "Controller", fourth round: 55.1 -> 47.9 MiB with 10,000 cached requests.
# The build directory is .build-release (ELEVATOR_RELEASE_SCRATCH overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release --static-swift-stdlib --product elevator --scratch-path "${ELEVATOR_RELEASE_SCRATCH:-.build-release}"
    -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic)
swift build "${flags[@]}" >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/elevator"
