"""Runs one reliability scenario end to end: a sandbox, the recorder (started before anything
else), controller process(es), the steady load, a fault injector running beside the load, then
a settle phase and the auditor. Figures go to `.build/reliability/<scenario>.json`."""
import json
import pathlib
import threading
import time

from reliability_audit import audit
from reliability_load import Load
from reliability_support import Cluster, Controller, MeshRecorder, Proxy, full_mode, results_dir

TERMINAL = {"Expired", "Revoked", "Denied"}


class Run:
    """What a fault injector can touch while the load runs."""

    def __init__(self, cluster, controllers, proxy, load):
        self.cluster = cluster
        self.controllers = controllers
        self.proxy = proxy
        self.load = load
        self.notes = {}
        self.stopping = threading.Event()

    def sleep(self, seconds):
        """Sleeps, returning early (False) when the load is over."""
        return not self.stopping.wait(seconds)


def run_scenario(workdir, name, inject, lifecycles, interval, lag, durations=None, replicas=1,
                 leader_elect=False, via_proxy=False, strict_history=True, settle=90):
    """Runs the scenario and returns (figures, violations); `inject(run)` runs beside the load."""
    durations = durations or ((3, 6) if full_mode() else (2, 4))
    cluster = Cluster(workdir)
    proxy = Proxy(cluster.host, cluster.port) if via_proxy else None
    recorder = MeshRecorder(cluster)
    controllers = [Controller(cluster, workdir, name=f"replica-{index}", leader_elect=leader_elect, via=proxy)
                   for index in range(replicas)]
    try:
        for controller in controllers:
            assert controller.ready(timeout=30), controller.stderr_tail()
        load = Load(cluster, recorder, lifecycles=lifecycles, interval=interval, durations=durations)
        run = Run(cluster, controllers, proxy, load)
        injector = threading.Thread(target=inject, args=(run,), daemon=True)
        started = time.time()
        load.start()
        injector.start()
        load_finished = load.wait(timeout=lifecycles * interval + 120)
        run.stopping.set()
        injector.join(timeout=60)
        cluster.clear_faults()
        for controller in controllers:
            if not controller.alive():
                controller.start()
        settled = _settle(cluster, load, settle + lag)
        time.sleep(min(lag, 5) + 1)
        recorder.stop()
        final_requests = cluster.requests()
        raw = {"records": load.records, "mesh": recorder.snapshot(), "final": final_requests,
               "controllers": {c.name: {"starts": c.starts, "kills": c.kills} for c in controllers}}
        (pathlib.Path(workdir) / "raw.json").write_text(json.dumps(raw))
        figures, violations = audit(
            load.records, recorder.snapshot(), final_requests, cluster.managed_policies(), cluster.events(),
            [line for controller in controllers for line in controller.audit], lag=lag, strict_history=strict_history)
        if not load_finished:
            violations.append("the load did not finish in time")
        if not settled:
            pending = [r["metadata"]["name"] + ":" + str((r.get("status") or {}).get("phase"))
                       for r in final_requests if (r.get("status") or {}).get("phase") not in TERMINAL]
            violations.append(f"requests not finished {settle + lag} s after the load: {pending[:10]}")
        violations += [f"load step failed: {error}" for error in load.errors]
        exits = [controller.stop() for controller in controllers]
        figures.update({
            "scenario": name, "mode": "full" if full_mode() else "short", "loadSeconds": round(time.time() - started, 1),
            "lagAllowedSeconds": lag, "recorderRelists": recorder.relists, "recorderGaps": len(recorder.gaps),
            "controllerStarts": sum(len(c.starts) for c in controllers),
            "controllerKills": sum(len(c.kills) for c in controllers), "cleanExits": exits, **run.notes,
            "violations": violations[:50], "violationCount": len(violations)})
        (results_dir() / f"{name}-{figures['mode']}.json").write_text(json.dumps(figures, indent=2, sort_keys=True))
        print(json.dumps(figures, indent=2, sort_keys=True))
        if violations:
            for controller in controllers:
                print(f"--- {controller.name} stderr tail ---\n{controller.stderr_tail()}")
        return figures, violations
    finally:
        for controller in controllers:
            if controller.alive():
                controller.process.kill()
                controller.process.wait()
        if proxy:
            proxy.close()
        recorder.stopping = True
        cluster.stop()


def _settle(cluster, load, timeout):
    """Waits until every request of the load is in a final phase."""
    deadline = time.time() + timeout
    names = set(load.records)
    while time.time() < deadline:
        phases = {r["metadata"]["name"]: (r.get("status") or {}).get("phase") for r in cluster.requests()}
        if all(phases.get(name) in TERMINAL for name in names):
            return True
        time.sleep(0.5)
    return False
