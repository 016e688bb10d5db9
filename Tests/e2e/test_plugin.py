"""`kubectl elevate` as a user runs it: the real kubectl finds the `kubectl-elevate` link on PATH
and runs it against `elevator sandbox` with `elevator controller` granting. Two people with their
own tokens: alice asks (and waits), bob approves."""
import os
import signal
import subprocess

from sandbox_support import BASELINE_POLICY, ELEVATOR, ROOT, Sandbox, kubectl_binary, wait_until

POLICY = """
apiVersion: elevator.dev/v1alpha1
kind: ElevationPolicy
metadata: {name: payments-debug, namespace: payments}
spec:
  target: {workloadSelector: {matchLabels: {app: payments}}}
  subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
  rules: [{ports: ["8080"], methods: [GET, POST], paths: ["/admin/*"]}]
  requesters: {groups: [payments-oncall]}
  defaultDuration: 10m
  maxDuration: 1h
  approval:
    stages: [{name: oncall, groups: [payments-oncall], required: 1}]
"""



def test_request_wait_approve_list_status_extend_revoke(tmp_path):
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('alice-token,alice@example.com,1,"payments-oncall"\n'
                      'bob-token,bob@example.com,2,"payments-oncall,security"\n')
    box = Sandbox(tmp_path, extra_args=["--token-file", str(tokens), "--crds", str(ROOT / "manifests" / "crds"),
                                        str(ROOT / "manifests" / "mesh-crds")])
    alice = box.kubeconfig
    bob = tmp_path / "bob.kubeconfig"
    bob.write_text(pathlib_text(alice).replace("alice-token", "bob-token"))
    plugins = tmp_path / "bin"
    plugins.mkdir()
    (plugins / "kubectl-elevate").symlink_to(ELEVATOR)
    env = dict(os.environ, PATH=f"{plugins}:{os.environ.get('PATH', '')}", NO_COLOR="")
    env.pop("KUBECONFIG", None)
    kubectl = kubectl_binary()

    def elevate(kubeconfig, *args, check=True):
        result = subprocess.run([kubectl, "elevate", *args, "--kubeconfig", str(kubeconfig), "-n", "payments"],
                                capture_output=True, text=True, env=env, timeout=30)
        if check:
            assert result.returncode == 0, f"kubectl elevate {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    controller_env = dict(env, ELEVATOR_ALLOW_UNVERIFIED_IDENTITY="true", ELEVATOR_METRICS_ADDRESS="",
                          ELEVATOR_PROBE_ADDRESS="")
    controller = subprocess.Popen([str(ELEVATOR), "controller", "--kubeconfig", alice], env=controller_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    waiting = None
    try:
        box.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: payments}\n")
        box.kubectl("apply", "-f", "-", input=BASELINE_POLICY)
        box.kubectl("apply", "-f", "-", input=POLICY)

        waiting = subprocess.Popen(
            [kubectl, "elevate", "request", "--kubeconfig", alice, "-n", "payments", "--policy", "payments-debug",
             "--subject", "sa:tools/debugger", "--for", "10m", "--reason", "INC-1234 stuck payouts",
             "--rule", "port=8080,method=GET,path=/admin/queue", "--name", "inc-1", "--wait"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert wait_until(lambda: "inc-1" in elevate(bob, "list", "--pending-for-me").stdout, timeout=15)
        assert "inc-1" not in elevate(alice, "list", "--pending-for-me").stdout

        approved = elevate(bob, "approve", "inc-1", "--comment", "ok, on call")
        assert "bob@example.com approved inc-1" in approved.stdout
        out, err = waiting.communicate(timeout=30)
        assert waiting.returncode == 0, out + err
        assert out.strip() == "inc-1"
        phases = [line.split()[-1] for line in err.splitlines() if line.split()[1:2] == ["inc-1"]]
        assert phases == ["Pending", "Active"], err

        table = elevate(alice, "list").stdout.splitlines()
        assert table[0].split() == ["NAME", "POLICY", "SUBJECT", "PHASE", "EXPIRES", "AGE"]
        assert table[1].split()[:4] == ["inc-1", "payments-debug", "tools/debugger", "Active"]
        assert "\x1b[" not in "\n".join(table)

        status = elevate(alice, "status", "inc-1").stdout
        assert "Phase:      Active" in status
        assert "Requester:  alice@example.com (payments-oncall)" in status
        assert "Approve by bob@example.com for stage oncall" in status
        assert "AuthorizationPolicy elevator-inc-1" in status
        assert '"requester"' in elevate(alice, "status", "inc-1", "-o", "json").stdout

        extended = elevate(alice, "extend", "inc-1", "--for", "5m").stdout.strip()
        assert extended.startswith("payments-debug-")
        assert "extends: inc-1" in box.kubectl("get", "-n", "payments", "elevationrequest", extended, "-o", "yaml").stdout

        assert "inc-1 revoked" in elevate(alice, "revoke", "inc-1").stdout
        assert wait_until(lambda: "Phase:      Revoked" in elevate(alice, "status", "inc-1").stdout, timeout=15)

        missing = elevate(alice, "status", "nope", check=False)
        assert missing.returncode == 1
        assert missing.stderr.strip().splitlines() == [
            "kubectl elevate status: There is no ElevationRequest nope in namespace payments: check the name with "
            "`kubectl elevate list -n payments` or pass the right -n."]
        bad = elevate(alice, "request", "--policy", "payments-debug", "--subject", "tools/debugger", check=False)
        assert bad.returncode == 1
        assert "use sa:NAMESPACE/NAME for a service account" in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    finally:
        if waiting is not None and waiting.poll() is None:
            waiting.kill()
            waiting.wait()
        controller.send_signal(signal.SIGTERM)
        try:
            controller.wait(timeout=15)
        except subprocess.TimeoutExpired:
            controller.kill()
            controller.wait()
        box.stop()


def pathlib_text(path):
    with open(path) as handle:
        return handle.read()
