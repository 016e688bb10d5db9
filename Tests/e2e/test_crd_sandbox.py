"""Elevator's CRDs and samples through the real kubectl 1.32 against `elevator sandbox`: the CRDs
install, the samples apply, the category and short names work, defaults are applied, and the
schema rejects a bad object with a message naming the field. (Printer columns need server-side
Table output, which the sandbox does not serve; test_crd_structure.py checks them.)"""

import json
import pathlib

from sandbox_support import ROOT, sandbox  # noqa: F401  (pytest fixture)

CRDS = ROOT / "manifests" / "crds"
SAMPLES = ROOT / "manifests" / "samples"


def apply_all(server):
    server.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: payments}\n")
    server.kubectl("apply", "-f", str(CRDS))
    server.kubectl("apply", "-f", str(SAMPLES))


def test_crds_install_and_samples_apply(sandbox):  # noqa: F811
    apply_all(sandbox)
    listing = sandbox.kubectl("get", "elevator", "-n", "payments", "-o", "name").stdout.split()
    assert sorted(listing) == sorted([
        "elevationpolicy.elevator.dev/payments-debug",
        "elevationrequest.elevator.dev/inc-1234-debug",
        "elevationapproval.elevator.dev/inc-1234-debug-bob",
    ])
    for short in ("elevpol", "elevreq", "elevappr"):
        assert sandbox.kubectl("get", short, "-n", "payments", "-o", "name").stdout.strip()


def test_defaults_are_applied(sandbox):  # noqa: F811
    apply_all(sandbox)
    request = json.loads(sandbox.kubectl("get", "elevreq", "inc-1234-debug", "-n", "payments", "-o", "json").stdout)
    assert request["spec"]["revoked"] is False


def test_schema_rejects_a_bad_port(sandbox, tmp_path):  # noqa: F811
    apply_all(sandbox)
    bad = (SAMPLES / "policy.yaml").read_text().replace('ports: ["8080"]', 'ports: ["0"]').replace(
        "name: payments-debug", "name: bad-port")
    path = pathlib.Path(tmp_path) / "bad.yaml"
    path.write_text(bad)
    result = sandbox.kubectl("apply", "-f", str(path), check=False)
    assert result.returncode != 0
    assert "spec.rules[0].ports[0]" in result.stderr
