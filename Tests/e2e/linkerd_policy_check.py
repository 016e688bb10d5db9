"""Validates the Linkerd AuthorizationPolicies Elevator generated (JSON files in a folder) against
the real Linkerd CRD (schemas/linkerd-authorizationpolicy.yaml: linkerd2's chart template with its
Helm lines stripped): its v1alpha1 openAPIV3Schema with OAS30Validator (format checker on) plus
the unknown-field check of fieldValidation=Strict, and
Elevator's own promises (a Server target, exactly one ServiceAccount in requiredAuthenticationRefs
with a name and a namespace -- an empty list would authorize every client --, names and labels
within Kubernetes' limits, the managed-by label and request-uid annotation). Prints one line per
problem; exit 1 when any, 2 when nothing to check.

Usage: python linkerd_policy_check.py FOLDER"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import crdcheck  # noqa: E402
import istio_policy_check  # noqa: E402  (the metadata checks are the same)

SCHEMA_FILE = pathlib.Path(__file__).resolve().parent / "schemas" / "linkerd-authorizationpolicy.yaml"


def unknown_fields(schema, value, path=""):
    """Fields the schema does not declare: the API server rejects them under
    fieldValidation=Strict (as Elevator writes), where plain OpenAPI validation lets them pass."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return []
    problems = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if not path and key in ("apiVersion", "kind", "metadata"):
                continue
            where = f"{path}.{key}" if path else key
            if key not in schema["properties"]:
                problems.append(f"{where}: unknown field (Additional properties are not allowed)")
            else:
                problems += unknown_fields(schema["properties"][key], item, where)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += unknown_fields(schema["items"], item, f"{path}[{index}]")
    return problems


def elevator_problems(obj):
    problems = []
    if obj.get("apiVersion") != "policy.linkerd.io/v1alpha1" or obj.get("kind") != "AuthorizationPolicy":
        problems.append(f"{obj.get('apiVersion')} {obj.get('kind')} is not a policy.linkerd.io/v1alpha1 AuthorizationPolicy")
    problems += istio_policy_check.metadata_problems(obj.get("metadata", {}))
    spec = obj.get("spec", {})
    target = spec.get("targetRef", {})
    if target.get("group") != "policy.linkerd.io" or target.get("kind") != "Server" or not target.get("name"):
        problems.append(f"targetRef {target!r} is not a policy.linkerd.io Server")
    refs = spec.get("requiredAuthenticationRefs")
    if not refs:
        problems.append("requiredAuthenticationRefs is empty: Linkerd would authorize every client")
    elif len(refs) != 1:
        problems.append(f"{len(refs)} requiredAuthenticationRefs instead of 1")
    for ref in refs or []:
        if ref.get("kind") != "ServiceAccount" or ref.get("group", "") != "" or not ref.get("name") or not ref.get("namespace"):
            problems.append(f"authentication {ref!r} is not one ServiceAccount with a name and a namespace")
        if ref.get("name") == "*":
            problems.append("a wildcard service account")
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    schema = crdcheck.crd_schema(SCHEMA_FILE, "v1alpha1")
    return crdcheck.check_directory(
        argv[1], "Linkerd AuthorizationPolicies",
        lambda obj: crdcheck.schema_errors(schema, obj) + crdcheck.cel_errors(schema, obj) + unknown_fields(schema, obj)
        + elevator_problems(obj))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
