"""Renders charts/elevator through helm-python-sdk (Helm 4's own Go SDK) for the install tests."""
import copy
import functools
import json
import pathlib

import helm_python as helm
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "elevator"
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "install"
RELEASE, NAMESPACE = "elevator", "elevator-system"


def all_knobs():
    return yaml.safe_load((FIXTURES / "values-all-knobs.yaml").read_text())


def render(values=None, name=RELEASE, namespace=NAMESPACE):
    """(objects, notes, crds) of `helm template` with these values; CRDs come from the chart's crds/.
    Each distinct rendering is done once per test run (a render costs about 0.5 s here); callers get copies."""
    return copy.deepcopy(_render(json.dumps(values or {}, sort_keys=True), name, namespace))


@functools.lru_cache(maxsize=None)
def _render(values_json, name, namespace):
    values = json.loads(values_json)
    with helm.Chart.load(str(CHART)) as chart:
        out = chart.render(values=values, name=name, namespace=namespace, is_install=True)
        crds = [doc for crd in chart.crds for doc in yaml.safe_load_all(crd["data"]) if doc]
    notes = "".join(text for path, text in out.items() if path.endswith("NOTES.txt"))
    objects = [doc for path, text in out.items() if not path.endswith("NOTES.txt")
               for doc in yaml.safe_load_all(text) if doc]
    return objects, notes, crds


def one(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {[o['metadata']['name'] for o in found]}"
    return found[0]


def load_all(path):
    return [doc for doc in yaml.safe_load_all(pathlib.Path(path).read_text()) if doc]
