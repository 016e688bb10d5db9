#!/usr/bin/env bash
# Sandbox throughput from a second process on loopback: GETs/s and writes/s with wrk, and watch
# fan-out to 1,000 watchers with a Python asyncio client. Release build; prints a summary.
# Usage: bash Benchmarks/sandbox/run.sh [seconds-per-run (default 10)]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-10}"
objects=1000
python="${ELEVATOR_PYTHON:-.build-venv/bin/python}"
[ -x "$python" ] || python=python3
if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk (Debian)"
    apt-get install -y -qq wrk >/dev/null
fi
swift build -c release --product elevator >/dev/null
work="$(mktemp -d)"
out="$work/stdout"
.build/release/elevator sandbox --port 0 --kubeconfig "$work/kubeconfig" >"$out" 2>"$work/stderr" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "sandbox: serving" "$out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^sandbox: serving \(http[^ ]*\) .*/\1/p' "$out")"
[ -n "$url" ] || { echo "bench: the sandbox did not start"; cat "$work/stderr"; exit 1; }
echo "bench: sandbox at $url ($(nproc) cores, $(date -u +%FT%TZ))"
"$python" Benchmarks/sandbox/seed.py "$url" "$objects"
export OBJECTS=$objects
echo "== GET one ConfigMap (of $objects), wrk -t1 -c32 -d${duration}s"
wrk -t1 -c32 -d"${duration}s" --latency -s Benchmarks/sandbox/get.lua "$url" | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "== PATCH (merge) one ConfigMap (of $objects), wrk -t1 -c32 -d${duration}s"
wrk -t1 -c32 -d"${duration}s" --latency -s Benchmarks/sandbox/patch.lua "$url" | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "== LIST $objects ConfigMaps, wrk -t1 -c4 -d${duration}s"
wrk -t1 -c4 -d"${duration}s" "$url/api/v1/namespaces/default/configmaps" | grep -E "Requests/sec|Non-2xx"
echo "== watch fan-out: 1000 watchers x 100 events"
"$python" Benchmarks/sandbox/watch_fanout.py "$url" 1000 100
echo "== server RSS: $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}')"
echo "== 100,000 objects: seed 99,000 more ConfigMaps in namespace bulk"
seed_started=$(date +%s.%N)
"$python" Benchmarks/sandbox/seed.py "$url" 99000 bulk
echo "seeding took $(echo "$(date +%s.%N) - $seed_started" | bc) s (one client connection, one create at a time)"
echo "== GET one ConfigMap with 100,000 stored, wrk -t1 -c32 -d${duration}s"
wrk -t1 -c32 -d"${duration}s" -s Benchmarks/sandbox/get.lua "$url" | grep -E "Requests/sec|Non-2xx"
echo "== paginated LIST of all 100,000 (limit=500)"
"$python" Benchmarks/sandbox/list_all.py "$url"
echo "== server RSS with 100,000 objects: $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}')"
