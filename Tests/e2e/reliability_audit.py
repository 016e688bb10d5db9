"""The auditor: compares every request's history (what the load did, its final status, its
Events, the controller's audit lines) with the history of the mesh objects the recorder saw.

Invariants (each breach is a violation naming the request):
- no grant without approval: a request that needed an approval has no AuthorizationPolicy
  before its Approve was sent, and a denied request never has one;
- no grant outside its window beyond the lag: an object appears only after its request was
  created and not before `grantedAt` (the window never restarts), and is gone at most `lag`
  seconds after `expiresAt` (or after `spec.revoked` was set);
- no orphan: at the end no managed object is left and every object the recorder saw belonged to
  a request of the load;
- no missed expiry: no request is still Active or Pending after its `expiresAt` plus the lag;
- no double grant: one object per request, and one `Granted` (or `BreakGlass`) transition per
  request in the audit lines, whose last line names the `expiresAt` of the final status;
- nothing lost from the record: every transition the final status shows (Granted, and the final
  phase) has its audit line and its Event; every audit line has an `id`; the audit lines of
  one transition all carry the same `id` (the controller writes a transition's line before its
  status, so a crash or a failed status write repeats it: at least once, de-duplicated by `id`);
  each transition has one Event, never two.
Missing Events are counted (`missingHistory`) and are violations unless `strict_history` is off;
missing audit lines are always violations. Repeated audit lines are counted (`repeatedAuditLines`).
"""
import datetime
import statistics
import time

# The Event reasons of transitions (API.md "Life of a request"); each happens at most once per
# request in the load, so two ids for one of them are two transitions.
TRANSITIONS = {"PendingApproval", "Granted", "BreakGlass", "ExpiringSoon", "Expired", "Revoked", "Denied", "Reviewed",
               "IdentityUnverified"}

def epoch(text):
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def audit(records, recorder_events, final_requests, final_policies, events, audit_lines, lag, strict_history=True):
    """Returns (figures, violations) for one scenario run."""
    now = time.time()
    violations = []
    by_uid = {obj["metadata"]["uid"]: obj for obj in final_requests}
    known_uids = {record["uid"] for record in records.values()}
    objects = {}
    for event in recorder_events:
        objects.setdefault(event["requestUID"], {}).setdefault(event["uid"], []).append(event)
    event_reasons = {}
    event_count = {}
    for event in events:
        uid, reason = (event.get("regarding") or {}).get("uid"), event.get("reason")
        event_reasons.setdefault(uid, set()).add(reason)
        event_count[(uid, reason)] = event_count.get((uid, reason), 0) + 1
    audit_events = {}
    transition_ids = {}   # (request uid, transition) -> ids of its lines
    granted = {}          # request uid -> (id, expiresAt) of its Granted/BreakGlass lines, in arrival order
    seen_ids, repeated, repeated_ids = set(), 0, set()
    for _, line, _ in sorted(audit_lines, key=lambda item: item[0]):
        uid, event, line_id = line.get("uid"), line.get("event"), line.get("id")
        audit_events.setdefault(uid, set()).add(event)
        if not line_id:
            violations.append(f"{line.get('request')}: a {event} audit line without an id")
        elif line_id in seen_ids:
            repeated += 1
            repeated_ids.add(line_id)
        seen_ids.add(line_id)
        if event in TRANSITIONS:
            transition_ids.setdefault((uid, event), set()).add(line_id)
        if event in ("Granted", "BreakGlass"):
            granted.setdefault(uid, []).append((line_id, line.get("expiresAt")))
    for (uid, event), ids in sorted(transition_ids.items(), key=str):
        if event not in ("Granted", "BreakGlass") and len(ids) > 1:
            violations.append(f"request uid {uid}: {len(ids)} {event} transitions (ids {sorted(map(str, ids))})")
    for (uid, reason), count in sorted(event_count.items(), key=str):
        if reason in TRANSITIONS and count > 1:
            violations.append(f"request uid {uid}: {count} {reason} Events for one transition")
    overstays, revoke_lags, grant_latencies, missing_history, missing_lines = [], [], [], [], 0
    worst = []  # (seconds late, request, what) for the figures' worst cases
    phases = {}

    for record in records.values():
        name, uid = record["name"], record["uid"]
        obj = by_uid.get(uid)
        if obj is None:
            violations.append(f"{name}: the request is gone")
            continue
        status = obj.get("status") or {}
        phase = status.get("phase")
        phases[str(phase)] = phases.get(str(phase), 0) + 1
        expires = epoch(status.get("expiresAt"))
        granted_at = epoch(status.get("grantedAt"))
        intervals = []
        for object_uid, history in (objects.get(uid) or {}).items():
            added = min(e["time"] for e in history if e["type"] != "DELETED") if any(
                e["type"] != "DELETED" for e in history) else None
            deleted = [e["time"] for e in history if e["type"] == "DELETED"]
            intervals.append((object_uid, added, deleted[0] if deleted else None))
        if len(intervals) > 1:
            violations.append(f"{name}: double grant: {len(intervals)} AuthorizationPolicies over its life")
        grants = granted.get(uid, [])
        if len({line_id for line_id, _ in grants}) > 1:
            violations.append(f"{name}: double grant: Granted audit lines of {len({i for i, _ in grants})} transitions, "
                              f"expiresAt {sorted({str(e) for _, e in grants})}")
        elif grants and granted_at and epoch(grants[-1][1]) != expires:
            violations.append(f"{name}: the last Granted audit line says expiresAt {grants[-1][1]}, "
                              f"the status {status.get('expiresAt')}")
        if phase == "Denied" and intervals:
            violations.append(f"{name}: Denied ({status_reason(status)}) but an AuthorizationPolicy existed")
        needs_approval = record["kind"] in ("approved", "denied") and not record["name"].startswith("long-")
        approval = record.get("approval")
        for _, added, deleted in intervals:
            if added is None:
                continue
            if needs_approval and (approval is None or approval["decision"] != "Approve" or added < approval["time"]):
                violations.append(f"{name}: granted without approval (object at {added:.3f}, approval {approval})")
            if added < record["created"]:
                violations.append(f"{name}: object before the request was created")
            if granted_at and added < granted_at - 0.5 and not record.get("extends"):
                # grantedAt is the decision's second and the object is written after it: an
                # object from before says the window restarted, so the grant outlasts it. An
                # extension's window starts where the extended one ends, not at grantedAt (a
                # retried grant keeps that window and only stamps a later grantedAt), so its
                # window is checked by the overstay below only.
                violations.append(f"{name}: its object existed {granted_at - added:.2f} s before grantedAt (the window restarted)")
            if phase == "Active" and expires and expires > now:
                continue
            end = expires
            if phase == "Revoked" and record.get("revokedAt"):
                end = min(end or record["revokedAt"], record["revokedAt"])
            if end is None:
                violations.append(f"{name}: an object existed but the request ({phase}) has no expiresAt")
                continue
            gone = deleted if deleted is not None else now
            late = gone - end
            if deleted is None:
                violations.append(f"{name}: orphan: its object still exists in phase {phase}")
            if late > lag:
                violations.append(f"{name}: object outlived its window by {late:.2f} s (allowed {lag} s)")
            worst.append((round(late, 3), name, "revoke" if phase == "Revoked" else "expiry", round(end, 3)))
            if phase == "Revoked" and record.get("revokedAt"):
                revoke_lags.append(late)
            elif phase == "Expired":
                overstays.append(late)
                if late < -0.5:
                    violations.append(f"{name}: grant cut short by {-late:.2f} s")
            if record["kind"] == "approved" and approval:
                grant_latencies.append(added - approval["time"])
                worst.append((round(added - approval["time"], 3), name, "grant", round(approval["time"], 3)))
            elif record["kind"] in ("auto", "revoked", "extended"):
                grant_latencies.append(added - record["created"])
                worst.append((round(added - record["created"], 3), name, "grant", round(record["created"], 3)))
        if phase in ("Active", "Pending") and expires is not None and expires + lag < now:
            violations.append(f"{name}: missed expiry: still {phase} {now - expires:.1f} s after expiresAt")
        if granted_at and expires and record["kind"] != "extension" and abs(expires - granted_at - record["duration"]) > 1:
            violations.append(f"{name}: window {expires - granted_at} s is not the requested {record['duration']} s")
        expected = {"Denied": {"Denied"}, "Revoked": {"Revoked"}, "Expired": {"Expired"}}.get(phase, set())
        if granted_at:
            expected.add("Granted")
        for reason in sorted(expected - event_reasons.get(uid, set())):
            missing_history.append(f"{name}: no {reason} Event (phase {phase})")
        for reason in sorted(expected - audit_events.get(uid, set())):
            violations.append(f"{name}: no {reason} audit line (phase {phase})")
            missing_lines += 1

    for policy in final_policies:
        violations.append(f"orphan at the end: {policy['metadata']['namespace']}/{policy['metadata']['name']}")
    for request_uid in objects:
        if request_uid not in known_uids:
            violations.append(f"an AuthorizationPolicy for unknown request uid {request_uid}")
    # Nobody but the controller touches the load's objects, so any repair is a false alarm.
    restored = [line for _, line, _ in audit_lines if line.get("event") == "MeshObjectRestored"]
    for line in restored[:5]:
        violations.append(f"{line.get('request')}: MeshObjectRestored though nobody touched its object: {line.get('message')}")
    if strict_history:
        violations += missing_history
    figures = {
        "requests": len(records),
        "phases": phases,
        "expiryOverstaySeconds": summary(overstays),
        "revokeLagSeconds": summary(revoke_lags),
        "grantLatencySeconds": summary(grant_latencies),
        "worstLate": [list(w) for w in sorted((w for w in worst if w[2] != "grant"), reverse=True)[:5]],
        "worstGrants": [list(w) for w in sorted((w for w in worst if w[2] == "grant"), reverse=True)[:5]],
        "missingHistory": len(missing_history),
        "missingHistoryExamples": missing_history[:10],
        "missingAuditLines": missing_lines,
        "auditLines": len(audit_lines),
        "repeatedAuditLines": repeated,
        "repeatedIDs": sorted(repeated_ids)[:50],
        "spuriousRestores": len(restored),
        "events": len(events),
    }
    return figures, violations


def status_reason(status):
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Valid" and condition.get("status") == "False":
            return condition.get("reason")
    return ""


def summary(values):
    if not values:
        return None
    return {"n": len(values), "p50": round(statistics.median(values), 3),
            "p99": round(percentile(values, 0.99), 3), "max": round(max(values), 3)}
