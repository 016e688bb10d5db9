"""Instructions per grant of `elevator controller`, counted by valgrind's callgrind: repeatable to
about 1% run to run on a shared machine, where time-based figures drift by tens of percent
(BENCHMARKS.md, "Controller", twelfth round).

    ../../.build-venv/bin/python instructions.py [--grants 300] [--rate 10] [--count sandbox] ELEVATOR_BIN [...]

With `--count sandbox` the sandbox (each binary's `elevator sandbox`) runs under callgrind and the
controller (`ELEVATOR_CONTROLLER_BIN`, default the first binary) natively: the API server's
instructions per grant, its four writes and the create included (sixteenth round).

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


def run(binary, other_binary, grants, rate, out, count="controller"):
    """Total instructions of one controller process `binary` beside the sandbox of `other_binary`
    (or, with `count="sandbox"`, of the sandbox `binary` beside the controller `other_binary`)
    that grants `grants` requests."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="instructions-"))
    callgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    if count == "sandbox":
        # The sandbox starts through a wrapper script, so that sandbox_support runs it unchanged.
        wrapper = work / "sandbox-under-callgrind"
        wrapper.write_text("#!/bin/sh\nexec " + " ".join(callgrind + [str(binary)]) + ' "$@"\n')
        wrapper.chmod(0o755)
        sandbox_support.ELEVATOR = wrapper
        controller_command = [str(other_binary), "controller"]
    else:
        sandbox_support.ELEVATOR = pathlib.Path(other_binary)
        controller_command = callgrind + [str(binary), "controller"]
    reliability_support.ELEVATOR = pathlib.Path(other_binary)
    cluster = reliability_support.Cluster(work)
    probe = reliability_support.free_port()
    env = dict(os.environ, ELEVATOR_LOG_FORMAT="json", ELEVATOR_ALLOW_UNVERIFIED_IDENTITY="true",
               ELEVATOR_METRICS_ADDRESS="", ELEVATOR_PROBE_ADDRESS=f"127.0.0.1:{probe}", POD_NAME="instructions")
    with open(work / "controller.stderr", "w") as stderr:
        controller = subprocess.Popen(
            controller_command + ["--kubeconfig", cluster.box.kubeconfig], env=env, stdout=subprocess.DEVNULL,
            stderr=stderr)
    try:
        if not reliability_support.wait_ready(probe, timeout=180, interval=0.2):
            sys.exit(f"the controller was not ready within 180 s; see {work}/controller.stderr")
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

        def last_active():
            last = api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationrequests", f"r{grants - 1}")
            return (last.get("status") or {}).get("phase") == "Active"
        # Polled one object at a time: a list a second would be counted in the sandbox's total.
        sandbox_support.wait_until(last_active, timeout=600, interval=1)
        if not sandbox_support.wait_until(lambda: active() == grants, timeout=60, interval=1):
            sys.exit(f"only {active()} of {grants} requests became Active under valgrind")
        time.sleep(2)
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(timeout=300)
        # SIGTERM, and waited for: callgrind writes its file as the process exits.
        cluster.box.process.terminate()
        cluster.box.process.wait(timeout=300)
    match = re.search(r"^(?:summary|totals): (\d+)", pathlib.Path(out).read_text(), re.M)
    if not match:
        sys.exit(f"{out} has no instruction total")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="creates per second (the controller runs about 50 times slower under valgrind)")
    parser.add_argument("--count", choices=["controller", "sandbox"], default="controller",
                        help="whose instructions are counted")
    parser.add_argument("binaries", nargs="+")
    arguments = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="instructions-"))
    print(f"callgrind files in {folder}")
    other = "ELEVATOR_CONTROLLER_BIN" if arguments.count == "sandbox" else "ELEVATOR_SANDBOX_BIN"
    other_binary = os.environ.get(other, arguments.binaries[0])
    for number, binary in enumerate(arguments.binaries):
        copy = stripped(binary, folder, number)
        totals = [run(copy, other_binary, count, arguments.rate, folder / f"{copy.name}.{count}.callgrind",
                      arguments.count)
                  for count in (BASE_GRANTS, BASE_GRANTS + arguments.grants)]
        print(f"{binary}: {totals[0]:,} instructions with {BASE_GRANTS} grants, {totals[1]:,} with "
              f"{BASE_GRANTS + arguments.grants}: {(totals[1] - totals[0]) / arguments.grants:,.0f} per grant", flush=True)


if __name__ == "__main__":
    main()
