"""Validates the AuthorizationPolicies Elevator generated (JSON files in a folder) against the real
Istio CRD: its v1 openAPIV3Schema with OAS30Validator (format checker on), its CEL rules with
cel-expr-python, and Elevator's own promises (ALLOW only, a target always, principals never empty
and never with spiffe://, names and labels within Kubernetes' limits, the managed-by label and
request-uid annotation). Prints one line per problem; exit 1 when any, 2 when nothing to check.

Usage: python istio_policy_check.py FOLDER"""

import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import crdcheck  # noqa: E402

SCHEMA_FILE = pathlib.Path(__file__).resolve().parent / "schemas" / "istio-authorizationpolicy.gen.yaml"
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def metadata_problems(meta):
    """Elevator's promises about a mesh object's metadata, the same for every mesh."""
    problems = []
    name = meta.get("name", "")
    if len(name) > 253 or not DNS_SUBDOMAIN.match(name):
        problems.append(f"metadata.name {name!r} is not a DNS subdomain of at most 253 characters")
    for key, value in meta.get("labels", {}).items():
        if len(value) > 63 or not LABEL_VALUE.match(value):
            problems.append(f"label {key}={value!r} is not a valid label value")
    if meta.get("labels", {}).get("app.kubernetes.io/managed-by") != "elevator":
        problems.append("the managed-by label is missing")
    if not meta.get("annotations", {}).get("elevator.dev/request-uid"):
        problems.append("the request-uid annotation is missing")
    return problems


def elevator_problems(obj):
    problems = metadata_problems(obj.get("metadata", {}))
    spec = obj.get("spec", {})
    if spec.get("action") != "ALLOW":
        problems.append(f"action is {spec.get('action')!r}, not ALLOW")
    if not spec.get("selector", {}).get("matchLabels") and not spec.get("targetRefs"):
        problems.append("neither a selector nor targetRefs: the policy would apply namespace-wide")
    rules = spec.get("rules", [])
    if len(rules) != 1:
        problems.append(f"{len(rules)} rules instead of 1")
    for rule in rules:
        sources = rule.get("from", [])
        if len(sources) != 1:
            problems.append("a rule without exactly one source")
        for source in sources:
            source = source.get("source", {})
            principals = source.get("principals", []) + source.get("requestPrincipals", [])
            if len(principals) != 1 or not all(principals):
                problems.append(f"principals {principals!r} are not exactly one non-empty value")
            if any(p.startswith("spiffe://") for p in principals):
                problems.append("a principal carries spiffe://")
        if not rule.get("to"):
            problems.append("a rule without operations")
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    schema = crdcheck.crd_schema(SCHEMA_FILE, "v1")
    return crdcheck.check_directory(
        argv[1], "AuthorizationPolicies",
        lambda obj: crdcheck.schema_errors(schema, obj) + crdcheck.cel_errors(schema, obj) + elevator_problems(obj))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
