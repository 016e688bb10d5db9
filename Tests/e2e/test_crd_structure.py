"""The shape of Elevator's CRDs: structural and bounded (so CEL cost estimation accepts the rules),
names that collide with nothing kubectl already knows, the category, status subresources and the
printer columns API.md promises."""

import pytest

import crdcheck

CRD_FILES = sorted((crdcheck.ROOT / "manifests" / "crds").glob("*.yaml"))

# Short names and resource names served by kubectl 1.32 built-ins, plus Istio and Linkerd CRDs
# that share clusters with Elevator.
TAKEN = {
    "cs", "cm", "ep", "ev", "limits", "ns", "no", "pvc", "pv", "po", "rc", "quota", "sa", "svc", "crd", "crds", "ds",
    "deploy", "rs", "sts", "hpa", "cj", "csr", "ing", "netpol", "pdb", "pc", "sc", "psp", "ap", "dr", "gw", "se",
    "vs", "pa", "ra", "we", "wg", "wasm", "te", "srv", "saz", "sp", "authzpolicy", "meshtlsauthn", "netauthn",
    "events", "endpoints", "pods", "services", "secrets", "nodes", "leases", "er", "ea",
}


def crds():
    return [(path.name, crdcheck.load_yaml_documents(path)[0]) for path in CRD_FILES]


def test_three_kinds_one_file_each():
    assert sorted(crd["spec"]["names"]["kind"] for _, crd in crds()) == [
        "ElevationApproval", "ElevationPolicy", "ElevationRequest"]


@pytest.mark.parametrize("name,crd", crds())
def test_names_category_scope(name, crd):
    spec = crd["spec"]
    assert spec["group"] == "elevator.dev" and spec["scope"] == "Namespaced"
    assert crd["metadata"]["name"] == f"{spec['names']['plural']}.elevator.dev"
    assert spec["names"]["categories"] == ["elevator"]
    for short in spec["names"]["shortNames"]:
        assert short not in TAKEN and short.islower()
    assert [v["name"] for v in spec["versions"]] == ["v1alpha1"]


def walk(schema, path="", root=True):
    """Every (path, node) of a schema."""
    yield path, schema
    for key, sub in schema.get("properties", {}).items():
        yield from walk(sub, f"{path}.{key}", False)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from walk(schema[key], f"{path}[{key}]", False)


@pytest.mark.parametrize("name,crd", crds())
def test_structural_and_bounded(name, crd):
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    for path, node in walk(schema):
        assert "type" in node, f"{name}{path} has no type"
        if path in (".apiVersion", ".kind"):
            continue
        if node["type"] == "array":
            assert "maxItems" in node, f"{name}{path} is an unbounded list"
            assert "x-kubernetes-list-type" in node, f"{name}{path} has no list type"
        if node["type"] == "string":
            bounded = "maxLength" in node or "enum" in node or node.get("format") == "date-time"
            assert bounded, f"{name}{path} is an unbounded string"
        if node["type"] == "object" and path not in ("", ".metadata") and "additionalProperties" in node:
            assert "maxProperties" in node, f"{name}{path} is an unbounded map"
        assert "x-kubernetes-preserve-unknown-fields" not in node, f"{name}{path} preserves unknown fields"


def test_requests_print_what_api_md_lists_and_wait_on_granted():
    crd = dict(crds())["elevationrequests.yaml"]
    version = crd["spec"]["versions"][0]
    columns = [c["name"] for c in version["additionalPrinterColumns"] if c.get("priority", 0) == 0]
    assert columns == ["Policy", "Subject", "Phase", "Expires", "Age"]
    assert version["subresources"] == {"status": {}}
    conditions = version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]["conditions"]
    assert conditions["x-kubernetes-list-map-keys"] == ["type"]  # kubectl wait --for=condition=Granted


def test_policies_have_status_and_approvals_have_none():
    by_file = dict(crds())
    assert by_file["elevationpolicies.yaml"]["spec"]["versions"][0]["subresources"] == {"status": {}}
    assert "status" not in by_file["elevationapprovals.yaml"]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]


def test_durations_are_typed_for_cel():
    crd = dict(crds())["elevationpolicies.yaml"]
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    for field in ("defaultDuration", "maxDuration"):
        assert spec[field]["format"] == "duration"
    assert spec["approval"]["properties"]["timeout"]["format"] == "duration"
