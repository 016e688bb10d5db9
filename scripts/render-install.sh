#!/usr/bin/env bash
# Renders the plain manifests from the Helm chart (charts/elevator), so `kubectl apply` users get
# exactly the objects `helm install` creates:
#   manifests/install.yaml               Namespace elevator-system, the CRDs, the controller and its
#                                        RBAC, user roles and the identity ValidatingAdmissionPolicies
#   manifests/admission/validating.yaml  the identity ValidatingAdmissionPolicies and bindings
#   manifests/admission/mutating.yaml    the optional MutatingAdmissionPolicies (Kubernetes 1.36+)
#   manifests/monitoring/monitoring.yaml ServiceMonitor and PrometheusRule (prometheus-operator)
# Uses helm-python-sdk (Helm's own Go SDK) from the test venv: run scripts/setup.sh first.
# `scripts/render-install.sh --check` writes nothing and exits 1 when a file differs from the chart.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${ELEVATOR_PYTHON:-.build-venv/bin/python}"
exec "$python" - "$@" <<'EOF'
import difflib
import pathlib
import re
import sys

import helm_python as helm
import yaml

RELEASE, NAMESPACE = "elevator", "elevator-system"
# Helm's own install order (pkg/release/util/kind_sorter.go), for the kinds this chart renders.
ORDER = ["Namespace", "CustomResourceDefinition", "ServiceAccount", "Secret", "ConfigMap", "ClusterRole",
         "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment", "PodDisruptionBudget",
         "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy",
         "MutatingAdmissionPolicyBinding", "ServiceMonitor", "PrometheusRule"]
HEADER = "# Generated from charts/elevator: {what}.\n" \
         "# Do not edit: change the chart and run scripts/render-install.sh (a test fails on drift).\n"


def documents(text):
    """The YAML documents of a rendered template as (object, text), comments kept."""
    for chunk in re.split(r"^---[ \t]*$", text, flags=re.M):
        obj = yaml.safe_load(chunk)
        if obj:
            yield obj, chunk.strip("\n") + "\n"


def render(values):
    with helm.Chart.load("charts/elevator") as chart:
        out = chart.render(values=values, name=RELEASE, namespace=NAMESPACE, is_install=True)
        crds = [doc for crd in chart.crds for doc in documents(crd["data"])]
    objects = [doc for name, text in out.items() if not name.endswith("NOTES.txt") for doc in documents(text)]
    return crds, sorted(objects, key=lambda d: (ORDER.index(d[0]["kind"]), d[0]["metadata"]["name"]))


def dump(objects, what):
    return HEADER.format(what=what) + "".join("---\n" + text for _, text in objects)


def files():
    crds, core = render({"admission": {"mutating": {"enabled": False}}})
    namespace = ({"kind": "Namespace"}, f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {NAMESPACE}\n"
                 "  labels:\n    app.kubernetes.io/part-of: elevator\n")
    _, full = render({"admission": {"mutating": {"enabled": True}},
                      "metrics": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}})
    kinds = lambda *names: [d for d in full if d[0]["kind"] in names]
    return {
        "manifests/install.yaml": dump([namespace] + crds + core, "default values; kubectl apply -f manifests/install.yaml"),
        "manifests/admission/validating.yaml": dump(kinds("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"),
                                                    "identity checked at admission, Kubernetes 1.30+; also in install.yaml"),
        "manifests/admission/mutating.yaml": dump(kinds("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"),
                                                  "optional, Kubernetes 1.36+: fills spec.requester and spec.approver"),
        "manifests/monitoring/monitoring.yaml": dump(kinds("ServiceMonitor", "PrometheusRule"),
                                                     "optional, needs the prometheus-operator CRDs"),
    }


check = "--check" in sys.argv[1:]
drifted = []
for path, text in files().items():
    target = pathlib.Path(path)
    current = target.read_text() if target.exists() else ""
    if current == text:
        continue
    drifted.append(path)
    if check:
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True), path, "chart", n=1))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        print(f"render-install: wrote {path}")
if check and drifted:
    print(f"render-install: {', '.join(drifted)} differ from charts/elevator: run scripts/render-install.sh", file=sys.stderr)
    sys.exit(1)
EOF
