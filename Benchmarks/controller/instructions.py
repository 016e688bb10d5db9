"""Instructions per grant of `elevator controller`, counted by valgrind's callgrind: repeatable to
about 1% run to run on a shared machine, where time-based figures drift by tens of percent
(BENCHMARKS.md, "Controller", twelfth round).

    ../../.build-venv/bin/python instructions.py [--grants 300] [--rate 10] ELEVATOR_BIN [...]

For each binary: a sandbox (the first binary's `elevator sandbox`, with Elevator's and Istio's CRDs
and the reliability tests' `load` policy, which auto-approves `INC-<n>` reasons), the controller
under callgrind, then 20 auto-approved requests, each waited Active; then a second run with
20 + `--grants`. The difference of the two totals over `--grants` is the instructions per grant,
without the start's. The binaries are copied without debug information first (valgrind 3.19
cannot read Swift 6's DWARF 5). Each run's callgrind file stays in the printed folder, for
`callgrind_annotate --inclusive=yes`.
"""
import argparse
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))

import reliability_support  # noqa: E402
import sandbox_support  # noqa: E402
from kubernetes import client, config  # noqa: E402

GROUP, VERSION, NAMESPACE = "elevator.dev", "v1alpha1", reliability_support.NAMESPACE
BASE_GRANTS = 20


def stripped(binary, folder, number):
    """A copy of `binary` without debug information (`number`: binaries of the same name apart)."""
    copy = folder / f"{number}-{pathlib.Path(binary).name}.nodebug"
    subprocess.run(["objcopy", "--strip-debug", binary, str(copy)], check=True)
    return copy


def run(binary, sandbox_binary, grants, rate, out):
    """Total instructions of one controller process that grants `grants` requests."""
    sandbox_support.ELEVATOR = reliability_support.ELEVATOR = pathlib.Path(sandbox_binary)
    work = pathlib.Path(tempfile.mkdtemp(prefix="instructions-"))
    cluster = reliability_support.Cluster(work)
    probe = reliability_support.free_port()
    env = dict(os.environ, ELEVATOR_LOG_FORMAT="json", ELEVATOR_ALLOW_UNVERIFIED_IDENTITY="true",
               ELEVATOR_METRICS_ADDRESS="", ELEVATOR_PROBE_ADDRESS=f"127.0.0.1:{probe}", POD_NAME="instructions")
    with open(work / "controller.stderr", "w") as stderr:
        controller = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary), "controller",
             "--kubeconfig", cluster.box.kubeconfig], env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        if not reliability_support.wait_ready(probe, timeout=180, interval=0.2):
            sys.exit(f"the controller under valgrind was not ready within 180 s; see {work}/controller.stderr")
        time.sleep(2)
        config.load_kube_config(cluster.box.kubeconfig)
        api = client.CustomObjectsApi()
        start = time.time()
        for number in range(grants):
            due = start + number / rate
            if due > time.time():
                time.sleep(due - time.time())
            api.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationrequests", {
                "apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationRequest",
                "metadata": {"name": f"r{number}", "namespace": NAMESPACE},
                "spec": {"policy": "load", "requester": {"user": "alice@example.com"},
                         "subject": {"serviceAccount": {"namespace": "tools", "name": "debugger"}},
                         "rules": [{"ports": ["8080"], "methods": ["GET"], "paths": ["/admin/queue"]}],
                         "duration": "9m", "reason": f"INC-{number}"}})

        def active():
            items = api.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationrequests")["items"]
            return sum(1 for item in items if (item.get("status") or {}).get("phase") == "Active")
        if not sandbox_support.wait_until(lambda: active() == grants, timeout=600, interval=1):
            sys.exit(f"only {active()} of {grants} requests became Active under valgrind")
        time.sleep(2)
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(timeout=300)
        cluster.box.process.terminate()
    match = re.search(r"^(?:summary|totals): (\d+)", pathlib.Path(out).read_text(), re.M)
    if not match:
        sys.exit(f"{out} has no instruction total")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="creates per second (the controller runs about 50 times slower under valgrind)")
    parser.add_argument("binaries", nargs="+")
    arguments = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="instructions-"))
    print(f"callgrind files in {folder}")
    sandbox_binary = os.environ.get("ELEVATOR_SANDBOX_BIN", arguments.binaries[0])
    for number, binary in enumerate(arguments.binaries):
        copy = stripped(binary, folder, number)
        totals = [run(copy, sandbox_binary, count, arguments.rate, folder / f"{copy.name}.{count}.callgrind")
                  for count in (BASE_GRANTS, BASE_GRANTS + arguments.grants)]
        print(f"{binary}: {totals[0]:,} instructions with {BASE_GRANTS} grants, {totals[1]:,} with "
              f"{BASE_GRANTS + arguments.grants}: {(totals[1] - totals[0]) / arguments.grants:,.0f} per grant", flush=True)


if __name__ == "__main__":
    main()
