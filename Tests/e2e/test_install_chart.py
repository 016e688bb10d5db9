"""charts/elevator through helm-python-sdk (Helm 4's Go SDK): `helm lint` and `helm template` with
the default values and with a values file that changes every knob; the values schema refuses bad
values; every controller flag is a knob; the controller's pods are hardened as the issue asks;
manifests/install.yaml and the other generated files are the chart's objects, with no drift."""
import json
import pathlib
import shutil
import subprocess

import helm_python as helm
import pytest
import yaml

from install_support import CHART, NAMESPACE, ROOT, all_knobs, load_all, one, render
from sandbox_support import ELEVATOR


def lint(values=None):
    return helm.lint(str(CHART), strict=True, kube_version="v1.30.0", values=values or {})


@pytest.mark.parametrize("values", [None, "all-knobs"])
def test_helm_lint_is_clean(values):
    result = lint(all_knobs() if values else None)
    assert result["errors"] == []
    # Severity 1 is INFO (Helm recommends an icon); 2 is WARNING, 3 ERROR.
    assert [m for m in result["messages"] if m["severity"] >= 2] == []


def test_lint_reports_a_broken_template(tmp_path):
    copy = tmp_path / "elevator"
    shutil.copytree(CHART, copy)
    (copy / "templates" / "pdb.yaml").write_text("{{ if .Values.podDisruptionBudget.enabled }\n")
    result = helm.lint(str(copy), strict=True)
    assert any(m["severity"] == 3 and "pdb.yaml" in m["error"] for m in result["messages"]), result


# Maps whose keys are the user's own: one knob each.
FREE_FORM = {"labels", "annotations", "resources", "nodeSelector", "affinity", "podAnnotations", "podLabels"}


def leaves(value, path=(), whole_maps=False):
    if isinstance(value, dict) and value and not (whole_maps and path and path[-1] in FREE_FORM):
        for key, child in value.items():
            yield from leaves(child, path + (key,), whole_maps)
    else:
        yield path, value


# Switches the knobs file keeps on so the knobs under them render; turned off in
# test_the_knobs_switch_objects_on_and_off.
KEPT_ON = {("metrics", "service", "enabled"), ("podDisruptionBudget", "enabled"), ("topologySpread", "enabled")}


def test_the_knobs_file_changes_every_knob_and_each_shows_in_the_output():
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    knobs = all_knobs()
    knob_leaves = dict(leaves(knobs))
    knob_knobs = dict(leaves(knobs, whole_maps=True))
    for path, default in leaves(defaults, whole_maps=True):
        changed = {p: v for p, v in knob_knobs.items() if p[:len(path)] == path}
        assert changed, f"{'.'.join(path)} is not set in values-all-knobs.yaml"
        if path not in KEPT_ON:
            assert all(v != default for p, v in changed.items() if p == path), f"{'.'.join(path)} keeps its default"
    objects, notes, _ = render(knobs)
    text = json.dumps(objects) + notes
    def scalars(value):
        if isinstance(value, list):
            for item in value:
                yield from scalars(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from scalars(item)
        else:
            yield value
    for path, value in knob_leaves.items():
        if isinstance(value, bool) or path[:2] in {("image", "tag"), ("serviceAccount", "annotations"),
                                                   ("podDisruptionBudget", "minAvailable")}:
            # Booleans switch objects on and off (checked below); the digest wins over the tag; the
            # service account is not created with these values and one replica gets no PDB (both:
            # test_knobs_of_objects_these_values_switch_off).
            continue
        for scalar in scalars(value):
            assert str(scalar) in text, f"{'.'.join(path)}={scalar!r} does not show in the rendered objects"


def test_knobs_of_objects_these_values_switch_off():
    objects = render({"serviceAccount": {"annotations": {"iam.example.com/role": "arn-1"}},
                      "podDisruptionBudget": {"minAvailable": "50%"}})[0]
    assert one(objects, "ServiceAccount")["metadata"]["annotations"] == {"iam.example.com/role": "arn-1"}
    assert one(objects, "PodDisruptionBudget")["spec"]["minAvailable"] == "50%"


def test_one_replica_gets_no_pdb_and_several_need_leader_election():
    single = render({"replicaCount": 1})[0]
    assert "PodDisruptionBudget" not in {o["kind"] for o in single}, "a PDB of one replica blocks node drains"
    with pytest.raises(Exception, match="replicaCount > 1 needs controller.leaderElect"):
        render({"controller": {"leaderElect": False}})


def test_the_knobs_switch_objects_on_and_off():
    default_kinds = sorted(o["kind"] for o in render()[0])
    knob_kinds = sorted(o["kind"] for o in render(all_knobs())[0])
    assert default_kinds == sorted(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                                    "Service", "Deployment", "PodDisruptionBudget"] + ["ClusterRole"] * 4
                                   + ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"] * 2)
    assert knob_kinds == sorted(["Service", "Deployment", "ServiceMonitor", "PrometheusRule",
                                 "ConfigMap"] + ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"] * 2)
    off = render({"metrics": {"service": {"enabled": False}}, "podDisruptionBudget": {"enabled": False},
                  "topologySpread": {"enabled": False}})[0]
    assert not {"Service", "PodDisruptionBudget"} & {o["kind"] for o in off}
    assert "topologySpreadConstraints" not in one(off, "Deployment")["spec"]["template"]["spec"]
    with pytest.raises(Exception, match="metrics.serviceMonitor.enabled needs metrics.service.enabled"):
        render({"metrics": {"service": {"enabled": False}, "serviceMonitor": {"enabled": True}}})


@pytest.mark.parametrize("values,fragment", [
    ({"replicaCount": "two"}, "replicaCount"),
    ({"replicaCount": 0}, "replicaCount"),
    ({"controller": {"logFormat": "xml"}}, "logFormat"),
    ({"controller": {"retainFinished": "30 days"}}, "retainFinished"),
    ({"controller": {"sweepInterval": "0"}}, "sweepInterval"),
    ({"image": {"pullPolicy": "Sometimes"}}, "pullPolicy"),
    ({"controler": {"logLevel": "debug"}}, "controler"),
    ({"admission": {"mutating": {"enabled": "maybe"}}}, "enabled"),
])
def test_values_schema_refuses_bad_values(values, fragment):
    with pytest.raises(Exception) as raised:
        render(values)
    assert fragment in str(raised.value)


def controller_flags():
    """Every flag `elevator controller --help` lists."""
    text = subprocess.run([str(ELEVATOR), "controller", "--help"], capture_output=True, text=True, timeout=30).stdout
    import re
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", text)) - {"--help", "--version"}


def container(objects):
    return one(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def test_every_controller_flag_is_a_knob():
    # Out-of-cluster settings only: in a pod the controller uses its service account.
    flags = controller_flags() - {"--kubeconfig", "--context"}
    assert "--leader-elect" in flags and "--sweep-interval" in flags
    set_by_chart = set()
    for values in (None, all_knobs()):
        spec = container(render(values)[0])
        set_by_chart |= {arg.split("=", 1)[0] for arg in spec["args"]}
        set_by_chart |= {"--" + env["name"][len("ELEVATOR_"):].lower().replace("_", "-")
                         for env in spec["env"] if env["name"].startswith("ELEVATOR_")}
    assert flags - set_by_chart == set(), f"flags without a knob: {sorted(flags - set_by_chart)}"


def test_the_controller_pods_are_hardened():
    objects = render()[0]
    deployment = one(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    spec = container(objects)
    assert deployment["spec"]["replicas"] == 2 and "--leader-elect" in spec["args"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    security = spec["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"] and security["runAsNonRoot"] is True
    assert spec["livenessProbe"]["httpGet"]["path"] == "/healthz" and spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["resources"]["requests"] and spec["resources"]["limits"]["memory"]
    assert pod["topologySpreadConstraints"][0]["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    pdb = one(objects, "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1 and pdb["spec"]["selector"] == deployment["spec"]["selector"]
    service = one(objects, "Service")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert {p["name"] for p in spec["ports"]} == {"metrics", "probes"}


def test_notes_tell_what_to_do_next():
    notes = render()[2 - 1]
    assert "rollout status deployment/elevator" in notes and "--clusterrole=elevator-requester" in notes
    warned = render({"admission": {"validating": {"enabled": False}}})[1]
    assert "WARNING: admission.validating.enabled is false" in warned


def test_chart_crds_are_the_repository_crds():
    for crd in (ROOT / "manifests" / "crds").glob("*.yaml"):
        assert (CHART / "crds" / crd.name).read_bytes() == crd.read_bytes(), f"charts/elevator/crds/{crd.name} differs"
    assert sorted(p.name for p in (CHART / "crds").glob("*.yaml")) == sorted(p.name for p in (ROOT / "manifests" / "crds").glob("*.yaml"))


def canonical(objects):
    return sorted(json.dumps(o, sort_keys=True) for o in objects)


def test_install_yaml_holds_exactly_the_charts_objects():
    objects, _, crds = render({"admission": {"mutating": {"enabled": False}}})
    installed = load_all(ROOT / "manifests" / "install.yaml")
    namespace = [o for o in installed if o["kind"] == "Namespace"]
    assert [n["metadata"]["name"] for n in namespace] == [NAMESPACE]
    assert canonical([o for o in installed if o["kind"] != "Namespace"]) == canonical(crds + objects)
    assert all(o["metadata"].get("namespace", NAMESPACE) == NAMESPACE for o in objects)
    mutating = render({"admission": {"mutating": {"enabled": True}}})[0]
    assert canonical(load_all(ROOT / "manifests" / "admission" / "mutating.yaml")) == \
        canonical([o for o in mutating if o["kind"].startswith("MutatingAdmissionPolicy")])
    assert canonical(load_all(ROOT / "manifests" / "admission" / "validating.yaml")) == \
        canonical([o for o in objects if o["kind"].startswith("ValidatingAdmissionPolicy")])


def run_render_check(root):
    return subprocess.run(["bash", str(root / "scripts" / "render-install.sh"), "--check"], capture_output=True,
                          text=True, timeout=60)


def test_generated_manifests_have_not_drifted():
    result = run_render_check(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_drift_check_fails_on_a_changed_chart(tmp_path):
    for part in ("charts", "manifests", "scripts"):
        shutil.copytree(ROOT / part, tmp_path / part)
    values = tmp_path / "charts" / "elevator" / "values.yaml"
    values.write_text(values.read_text().replace("replicaCount: 2", "replicaCount: 4"))
    (tmp_path / ".build-venv").symlink_to(ROOT / ".build-venv")
    result = run_render_check(tmp_path)
    assert result.returncode == 1 and "manifests/install.yaml" in result.stderr
    assert "+  replicas: 4" in result.stdout
