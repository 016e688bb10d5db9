"""`elevator demo` as a user runs it: it ends by itself within a minute, exit 0, and tells the
whole story (request, approvals, the AuthorizationPolicy as YAML, expiry, the object gone)."""
import pathlib
import re
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "elevator"
STAMP = r"^\[\d\d:\d\d:\d\d\] "


def test_demo_tells_the_story_and_ends_within_a_minute(tmp_path):
    assert BINARY.exists(), f"{BINARY} is missing: run swift build --product elevator first"
    assert_demo_story(BINARY, tmp_path)


def assert_demo_story(binary, tmp_path):
    """Runs `binary demo` and checks the story it tells, line by line and in order."""
    started = time.monotonic()
    # From another folder: the binary finds manifests/ beside its build folder.
    result = subprocess.run([str(binary), "demo", "--grant", "6s"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert took < 60
    out = result.stdout
    story = [
        r"alice asks for GET /admin/queue on app=payments for tools/debugger, for 6s",
        r"phase Pending: waiting for approval: oncall needs 1 more, security needs 1 more",
        r"bob approves for stage oncall",
        r"carol approves for stage security",
        r"phase Active: GET /admin/queue port 8080 on app=payments for tools/debugger until",
        r"AuthorizationPolicy payments/elevator-payouts-debug, as written by the controller:",
        r"phase Expired: the window closed at",
        r"AuthorizationPolicy payments/elevator-payouts-debug is gone",
        r"Events on the request: PendingApproval, Granted, ExpiringSoon, Expired",
    ]
    positions = []
    for line in story:
        match = re.search(STAMP + ".*" + line, out, flags=re.M)
        assert match, f"missing story line {line!r} in:\n{out}"
        positions.append(match.start())
    assert positions == sorted(positions), "the story is told out of order:\n" + out
    assert "- cluster.local/ns/tools/sa/debugger" in out
    assert "app.kubernetes.io/managed-by: elevator" in out
    assert "elevator controller --kubeconfig" in out
