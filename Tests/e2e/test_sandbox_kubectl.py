"""kubectl 1.32 against `elevator sandbox`: the commands Elevator's users and scripts run."""
import json
import subprocess
import time

from sandbox_support import FIXTURES, kubectl_binary, sandbox, wait_until  # noqa: F401

CRD = str(FIXTURES / "widget-crd.yaml")


def widget(name, size=3, extra=""):
    return f"""apiVersion: example.com/v1
kind: Widget
metadata:
  name: {name}
spec:
  size: {size}
{extra}"""


def install_crd(sandbox):
    assert "created" in sandbox.kubectl("apply", "-f", CRD).stdout
    sandbox.kubectl("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=10s")


def get_json(sandbox, *args):
    return json.loads(sandbox.kubectl("get", *args, "-o", "json").stdout)


def test_announces_itself_in_one_line_and_writes_a_kubeconfig(sandbox):
    assert sandbox.first_line.startswith("sandbox: serving http://127.0.0.1:")
    text = open(sandbox.kubeconfig).read()
    assert sandbox.url in text and "token:" in text


def test_apply_creates_then_updates_then_leaves_a_widget_unchanged(sandbox):
    install_crd(sandbox)
    assert "widget.example.com/a created" in sandbox.kubectl("apply", "-f", "-", input=widget("a", 3)).stdout
    assert "widget.example.com/a unchanged" in sandbox.kubectl("apply", "-f", "-", input=widget("a", 3)).stdout
    assert "widget.example.com/a configured" in sandbox.kubectl("apply", "-f", "-", input=widget("a", 4)).stdout
    obj = get_json(sandbox, "widget", "a")
    assert obj["spec"] == {"size": 4, "mode": "normal"}, "the schema default for spec.mode is applied"
    assert obj["metadata"]["generation"] == 2


def test_server_side_apply_conflicts_for_a_second_manager_unless_forced(sandbox):
    install_crd(sandbox)
    assert "serverside-applied" in sandbox.kubectl("apply", "--server-side", "-f", "-", input=widget("b", 5)).stdout
    refused = sandbox.kubectl("apply", "--server-side", "--field-manager=other", "-f", "-", input=widget("b", 6),
                              check=False)
    assert refused.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .spec.size' in refused.stderr
    assert get_json(sandbox, "widget", "b")["spec"]["size"] == 5
    sandbox.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-",
                    input=widget("b", 6))
    obj = json.loads(sandbox.kubectl("get", "widget", "b", "-o", "json", "--show-managed-fields").stdout)
    assert obj["spec"]["size"] == 6
    managers = {entry["manager"]: entry for entry in obj["metadata"]["managedFields"]}
    assert "f:size" in json.dumps(managers["other"]["fieldsV1"])
    assert "f:size" not in json.dumps(managers.get("kubectl", {}).get("fieldsV1", {}))


def test_patch_label_and_annotate(sandbox):
    install_crd(sandbox)
    sandbox.kubectl("apply", "-f", "-", input=widget("c", 2))
    sandbox.kubectl("patch", "widget", "c", "--type", "merge", "-p", '{"spec":{"color":"blue"}}')
    sandbox.kubectl("patch", "widget", "c", "--type", "json", "-p", '[{"op":"replace","path":"/spec/size","value":9}]')
    sandbox.kubectl("label", "widget", "c", "tier=gold")
    sandbox.kubectl("annotate", "widget", "c", "note=hello")
    obj = get_json(sandbox, "widget", "c")
    assert obj["spec"]["color"] == "blue" and obj["spec"]["size"] == 9
    assert obj["metadata"]["labels"]["tier"] == "gold"
    assert obj["metadata"]["annotations"]["note"] == "hello"
    failed = sandbox.kubectl("patch", "widget", "c", "--type", "json", "-p",
                             '[{"op":"test","path":"/spec/size","value":1}]', check=False)
    assert failed.returncode != 0
    assert sandbox.kubectl("get", "widget", "-l", "tier=gold", "-o", "name").stdout.split() == ["widget.example.com/c"]
    assert sandbox.kubectl("get", "widget", "-l", "tier!=gold", "-o", "name").stdout.split() == []


def test_get_yaml_and_get_watch_sees_changes(sandbox):
    install_crd(sandbox)
    sandbox.kubectl("apply", "-f", "-", input=widget("d", 1))
    assert "kind: Widget" in sandbox.kubectl("get", "widget", "d", "-o", "yaml").stdout
    watcher = subprocess.Popen([kubectl_binary(), "--kubeconfig", sandbox.kubeconfig, "get", "widgets", "-w",
                                "-o", "jsonpath={.metadata.name}:{.spec.size}{\"\\n\"}"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        sandbox.kubectl("apply", "-f", "-", input=widget("d", 2))
        sandbox.kubectl("apply", "-f", "-", input=widget("e", 7))
        time.sleep(1.0)
    finally:
        watcher.terminate()
        out, _ = watcher.communicate(timeout=10)
    lines = out.split()
    assert lines[0] == "d:1", "the initial list comes first"
    assert "d:2" in lines and "e:7" in lines, f"watch events arrive: {lines}"


def test_delete_with_a_finalizer_waits_for_its_removal(sandbox):
    install_crd(sandbox)
    sandbox.kubectl("apply", "-f", "-", input=widget("f", 1, "  color: red\n").replace(
        "metadata:\n  name: f", "metadata:\n  name: f\n  finalizers: [example.com/hold]"))
    sandbox.kubectl("delete", "widget", "f", "--wait=false")
    obj = get_json(sandbox, "widget", "f")
    assert obj["metadata"]["deletionTimestamp"], "the object stays, marked for deletion"
    waiter = subprocess.Popen([kubectl_binary(), "--kubeconfig", sandbox.kubeconfig, "wait", "--for=delete",
                               "widget/f", "--timeout=20s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    assert waiter.poll() is None, "wait --for=delete keeps waiting while the finalizer holds"
    sandbox.kubectl("patch", "widget", "f", "--type", "json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    out, err = waiter.communicate(timeout=20)
    assert waiter.returncode == 0, err
    assert "NotFound" in sandbox.kubectl("get", "widget", "f", check=False).stderr


def test_wait_for_condition_on_status_subresource(sandbox):
    install_crd(sandbox)
    sandbox.kubectl("apply", "-f", "-", input=widget("g", 1))
    waiter = subprocess.Popen([kubectl_binary(), "--kubeconfig", sandbox.kubeconfig, "wait", "--for=condition=Ready",
                               "widget/g", "--timeout=20s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    sandbox.kubectl("patch", "widget", "g", "--subresource=status", "--type", "merge", "-p",
                    '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}')
    out, err = waiter.communicate(timeout=20)
    assert waiter.returncode == 0 and "condition met" in out, err
    assert get_json(sandbox, "widget", "g")["metadata"]["generation"] == 1, "a status write leaves generation alone"


def test_strict_validation_rejects_unknown_fields_and_type_errors_with_kube_wording(sandbox):
    install_crd(sandbox)
    unknown = sandbox.kubectl("apply", "-f", "-", input=widget("h", 1, "  bogus: 1\n"), check=False)
    assert unknown.returncode != 0
    assert ('Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"'
            in unknown.stderr)
    typed = sandbox.kubectl("apply", "-f", "-", input=widget("h", '"big"', "  color: purple\n"), check=False)
    assert typed.returncode != 0
    assert 'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"' in typed.stderr
    assert 'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"' in typed.stderr
    bounds = sandbox.kubectl("apply", "-f", "-", input=widget("h", 500, "  name: ABC\n"), check=False)
    assert "spec.size: Invalid value: 500: spec.size in body should be less than or equal to 100" in bounds.stderr
    assert "spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'" in bounds.stderr
    assert "NotFound" in sandbox.kubectl("get", "widget", "h", check=False).stderr


def test_auth_whoami_and_api_resources(sandbox):
    install_crd(sandbox)
    who = sandbox.kubectl("auth", "whoami", "-o", "json")
    info = json.loads(who.stdout)["status"]["userInfo"]
    assert info["username"] == "sandbox-admin"
    assert "system:authenticated" in info["groups"]
    resources = sandbox.kubectl("api-resources").stdout
    for row in ["widgets", "configmaps", "leases", "customresourcedefinitions", "selfsubjectreviews"]:
        assert row in resources
    assert "example.com/v1" in resources
    sandbox.kubectl("delete", "crd", "widgets.example.com")
    assert wait_until(lambda: "widgets" not in sandbox.kubectl("api-resources").stdout, timeout=10)
