"""The auditor itself: a clean synthetic history passes, and each invariant it claims to check
catches a history that breaks it (so a scenario that passes means something)."""
import copy
import datetime

import pytest

from reliability_audit import audit

T0 = 1_700_000_000.0  # in the past, so "now" is after every window


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean():
    """One approved request granted for 5 s and expired, with its Events and audit lines."""
    records = {"appr-1": {"name": "appr-1", "uid": "u1", "kind": "approved", "duration": 5, "extends": None,
                          "approval": {"decision": "Approve", "time": T0 + 1}, "revokedAt": None, "created": T0}}
    mesh = [{"time": T0 + 1.05, "type": "ADDED", "uid": "ap1", "requestUID": "u1"},
            {"time": T0 + 6.03, "type": "DELETED", "uid": "ap1", "requestUID": "u1"}]
    final = [{"metadata": {"name": "appr-1", "uid": "u1"},
              "status": {"phase": "Expired", "grantedAt": iso(T0 + 1), "expiresAt": iso(T0 + 6)}}]
    events = [{"regarding": {"uid": "u1"}, "reason": reason} for reason in ("PendingApproval", "Granted", "Expired")]
    lines = [(T0 + 1, {"uid": "u1", "event": "Granted", "expiresAt": iso(T0 + 6), "id": "u1/Granted/aa"}, 1),
             (T0 + 6, {"uid": "u1", "event": "Expired", "id": "u1/Expired/bb"}, 1)]
    return records, mesh, final, [], events, lines


def run(history, strict=True):
    records, mesh, final, policies, events, lines = history
    return audit(records, mesh, final, policies, events, lines, lag=1.0, strict_history=strict)


def broken(edit):
    history = copy.deepcopy(clean())
    edit(*history)
    return history


def test_a_clean_history_passes():
    figures, violations = run(clean())
    assert violations == []
    assert figures["expiryOverstaySeconds"]["max"] == pytest.approx(0.03, abs=0.001)


CASES = [
    ("granted before the approval", lambda r, m, f, p, e, a: m[0].update(time=T0 + 0.5), "granted without approval"),
    ("granted after a Deny", lambda r, m, f, p, e, a: r["appr-1"]["approval"].update(decision="Deny"), "granted without approval"),
    ("outlived its window", lambda r, m, f, p, e, a: m[1].update(time=T0 + 8), "outlived its window"),
    ("never deleted", lambda r, m, f, p, e, a: m.pop(), "orphan"),
    ("left at the end", lambda r, m, f, p, e, a: p.append({"metadata": {"namespace": "payments", "name": "elevator-x"}}),
     "orphan at the end"),
    ("unknown request", lambda r, m, f, p, e, a: m.append({"time": T0, "type": "ADDED", "uid": "ap9", "requestUID": "zz"}),
     "unknown request uid"),
    ("still Active after expiry", lambda r, m, f, p, e, a: f[0]["status"].update(phase="Active"), "missed expiry"),
    ("two objects", lambda r, m, f, p, e, a: m.extend([{"time": T0 + 2, "type": "ADDED", "uid": "ap2", "requestUID": "u1"},
                                                       {"time": T0 + 6, "type": "DELETED", "uid": "ap2", "requestUID": "u1"}]),
     "double grant"),
    ("two Granted transitions", lambda r, m, f, p, e, a: a.append(
        (T0 + 2, {"uid": "u1", "event": "Granted", "expiresAt": iso(T0 + 9), "id": "u1/Granted/cc"}, 2)), "double grant"),
    ("a retried Granted that is not what the status holds", lambda r, m, f, p, e, a: a.insert(
        1, (T0 + 2, {"uid": "u1", "event": "Granted", "expiresAt": iso(T0 + 7), "id": "u1/Granted/aa"}, 2)),
     "last Granted audit line"),
    ("two Expired transitions", lambda r, m, f, p, e, a: a.append((T0 + 7, {"uid": "u1", "event": "Expired", "id": "u1/Expired/dd"}, 1)),
     "2 Expired transitions"),
    ("a line without an id", lambda r, m, f, p, e, a: a[1][1].pop("id"), "without an id"),
    ("two Events for one transition", lambda r, m, f, p, e, a: e.append({"regarding": {"uid": "u1"}, "reason": "Granted"}),
     "2 Granted Events"),
    ("denied but granted", lambda r, m, f, p, e, a: f[0]["status"].update(phase="Denied"), "Denied"),
    ("cut short", lambda r, m, f, p, e, a: m[1].update(time=T0 + 3), "cut short"),
    ("window restarted after a kill", lambda r, m, f, p, e, a: m[0].update(time=T0 + 0.2) or r["appr-1"]["approval"].update(time=T0 + 0.1),
     "window restarted"),
    ("wrong window", lambda r, m, f, p, e, a: f[0]["status"].update(expiresAt=iso(T0 + 20)), "not the requested"),
    ("no Expired Event", lambda r, m, f, p, e, a: e.pop(), "no Expired Event"),
    ("a repair nobody caused", lambda r, m, f, p, e, a: a.append((0, {"uid": "u1", "request": "appr-1", "event": "MeshObjectRestored"}, 1)),
     "nobody touched"),
    ("no Granted audit line", lambda r, m, f, p, e, a: a.pop(0), "no Granted audit line"),
]


@pytest.mark.parametrize("case,edit,words", CASES, ids=[c[0] for c in CASES])
def test_each_broken_invariant_is_a_violation(case, edit, words):
    _, violations = run(broken(edit))
    assert any(words in v for v in violations), violations


def test_missing_events_are_counted_not_failed_when_not_strict():
    figures, violations = run(broken(lambda r, m, f, p, e, a: e.pop()), strict=False)
    assert violations == [] and figures["missingHistory"] == 1


def test_a_missing_audit_line_fails_even_when_not_strict():
    figures, violations = run(broken(lambda r, m, f, p, e, a: a.pop(0)), strict=False)
    assert any("no Granted audit line" in v for v in violations) and figures["missingAuditLines"] == 1


def test_a_transition_repeated_with_the_same_id_is_one_transition():
    """A kill between the audit line and the status write: the restarted controller decides the
    grant again a second later and writes its line again, with the same id and a later expiresAt
    that the status then holds."""
    def retried(r, m, f, p, e, a):
        a.insert(0, (T0 + 0.5, {"uid": "u1", "event": "Granted", "expiresAt": iso(T0 + 5), "id": "u1/Granted/aa"}, 1))
    figures, violations = run(broken(retried))
    assert violations == [] and figures["repeatedAuditLines"] == 1
