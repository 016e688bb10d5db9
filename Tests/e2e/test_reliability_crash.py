"""Crash scenarios: the controller SIGKILLed at random moments during many grant lifecycles, and
two replicas with leader election whose leader is killed repeatedly. The auditor checks the
same invariants as under faults; Events lost to a kill are counted, not hidden."""
import random
import time

from reliability_scenarios import run_scenario
from reliability_support import full_mode

FULL = full_mode()
LEASE = "/apis/coordination.k8s.io/v1/namespaces/elevator-system/leases/elevator-controller"


def killing(count, restart_after=1.0, seed=20):
    def inject(run):
        """SIGKILL at `count` random moments of the load; the process is started again after
        `restart_after` seconds (a kubelet restarting a crashed container)."""
        controller = run.controllers[0]
        total = run.load.lifecycles * run.load.interval
        chance = random.Random(seed)
        moments = sorted(chance.uniform(2, total * 0.9) for _ in range(count))
        started = time.time()
        downtime = []
        for moment in moments:
            if not run.sleep(max(0.0, started + moment - time.time())):
                break
            killed = time.time()
            controller.kill()
            time.sleep(restart_after)
            controller.start()
            controller.ready(timeout=30)
            downtime.append(time.time() - killed)
        run.notes["killsDone"] = len(downtime)
        run.notes["killToReadySeconds"] = {"max": round(max(downtime), 2) if downtime else None,
                                          "mean": round(sum(downtime) / len(downtime), 2) if downtime else None}
    return inject


def holder(run):
    status, lease = run.cluster.call_retrying("GET", LEASE)
    return (lease.get("spec") or {}).get("holderIdentity") if status == 200 else None


def killing_leaders(count, period):
    def inject(run):
        """Every `period` seconds the current leader is SIGKILLed (its Lease is not released);
        failover is the time until the other replica holds the Lease."""
        failovers = []
        for _ in range(count):
            if not run.sleep(period):
                break
            leader_name = holder(run)
            leader = next((c for c in run.controllers if c.name == leader_name), None)
            if leader is None:
                continue
            killed = time.time()
            leader.kill()
            while time.time() - killed < 60 and holder(run) in (leader_name, None):
                time.sleep(0.1)
            failovers.append(round(time.time() - killed, 2))
            leader.start()
        run.notes["failoverSeconds"] = failovers
    return inject


def test_sigkilled_controller_keeps_every_grant_within_its_window(tmp_path):
    kills = 20 if FULL else 3
    figures, violations = run_scenario(
        tmp_path, "sigkill", killing(kills), lifecycles=1000 if FULL else 60, interval=0.25 if FULL else 0.4,
        lag=8, strict_history=False)
    assert violations == [], "\n".join(violations[:30])
    assert figures["controllerKills"] == kills


def test_leader_killed_repeatedly_hands_over_and_no_grant_outlives_the_failover_bound(tmp_path):
    kills = 8 if FULL else 1
    figures, violations = run_scenario(
        tmp_path, "leader-failover", killing_leaders(kills, period=12), lifecycles=800 if FULL else 50,
        interval=0.3 if FULL else 0.4, lag=25, replicas=2, leader_elect=True, strict_history=False)
    assert violations == [], "\n".join(violations[:30])
    assert len(figures["failoverSeconds"]) == kills
    assert max(figures["failoverSeconds"]) < 25
