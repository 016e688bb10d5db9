"""The official Python `kubernetes` client against `elevator sandbox`: list, watch, concurrency,
garbage collection, status, selectors and Leases, as a controller written with it would use them."""
import json
import threading
import time
import urllib.request

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from sandbox_support import FIXTURES, sandbox, wait_until  # noqa: F401


@pytest.fixture
def api(sandbox):
    return config.new_client_from_config(config_file=sandbox.kubeconfig)


def admin(sandbox, method, path, body=None):
    request = urllib.request.Request(sandbox.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {sandbox.token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def configmap(name, labels=None, owners=None, finalizers=None, data=None):
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels=labels, owner_references=owners, finalizers=finalizers),
        data=data or {"k": name})


def owner_ref(obj):
    return client.V1OwnerReference(api_version="v1", kind="ConfigMap", name=obj.metadata.name, uid=obj.metadata.uid)


def install_widgets(api):
    import yaml
    crd = yaml.safe_load((FIXTURES / "widget-crd.yaml").read_text())
    client.ApiextensionsV1Api(api).create_custom_resource_definition(crd)


def test_list_pages_with_limit_and_continue_and_410_for_an_expired_token(sandbox, api):
    core = client.CoreV1Api(api)
    for index in range(7):
        core.create_namespaced_config_map("default", configmap(f"page-{index}"))
    names, token, pages = [], None, 0
    while True:
        page = core.list_namespaced_config_map("default", limit=3, _continue=token)
        names += [item.metadata.name for item in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 7 - len(names)
    assert names == [f"page-{index}" for index in range(7)] and pages == 3
    first = core.list_namespaced_config_map("default", limit=3)
    core.create_namespaced_config_map("default", configmap("after-first-page"))
    admin(sandbox, "POST", "/sandbox/faults/compact")
    with pytest.raises(ApiException) as gone:
        core.list_namespaced_config_map("default", limit=3, _continue=first.metadata._continue)
    assert gone.value.status == 410
    assert json.loads(gone.value.body)["reason"] == "Expired"


def test_watch_from_a_resource_version_sees_exactly_the_later_changes(api):
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map("default", configmap("before"))
    version = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", configmap("w1"))
    core.patch_namespaced_config_map("w1", "default", {"data": {"k": "changed"}})
    core.delete_namespaced_config_map("w1", "default")
    seen = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=version,
                                      timeout_seconds=1):
        seen.append((event["type"], event["object"].metadata.name))
    assert seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]


def test_watch_resumes_after_the_server_closes_the_stream_without_losing_events(sandbox, api):
    core = client.CoreV1Api(api)
    version = core.list_namespaced_config_map("default").metadata.resource_version
    seen, last = [], {"rv": version}

    def consume(start, timeout):
        stream = watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=start,
                                      timeout_seconds=timeout)
        for event in stream:
            seen.append(event["object"].metadata.name)
            last["rv"] = event["object"].metadata.resource_version

    reader = threading.Thread(target=consume, args=(version, 30), daemon=True)
    reader.start()
    time.sleep(0.3)
    core.create_namespaced_config_map("default", configmap("r1"))
    assert wait_until(lambda: "r1" in seen)
    admin(sandbox, "POST", "/sandbox/faults/close-watches")
    reader.join(timeout=5)
    assert not reader.is_alive(), "closing every watch ends the client's stream"
    core.create_namespaced_config_map("default", configmap("r2"))
    consume(last["rv"], 1)
    assert seen == ["r1", "r2"]


def test_watch_from_before_a_compaction_is_410_gone(sandbox, api):
    core = client.CoreV1Api(api)
    version = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", configmap("c1"))
    admin(sandbox, "POST", "/sandbox/faults/compact")
    with pytest.raises(ApiException) as gone:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=version,
                                      timeout_seconds=2):
            pass
    assert gone.value.status == 410


def test_update_with_a_stale_resource_version_is_409_conflict(api):
    core = client.CoreV1Api(api)
    created = core.create_namespaced_config_map("default", configmap("stale"))
    fresh = core.read_namespaced_config_map("stale", "default")
    fresh.data = {"k": "first"}
    core.replace_namespaced_config_map("stale", "default", fresh)
    created.data = {"k": "second"}
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("stale", "default", created)
    assert conflict.value.status == 409
    body = json.loads(conflict.value.body)
    assert body["reason"] == "Conflict" and "the object has been modified" in body["message"]
    with pytest.raises(ApiException) as exists:
        core.create_namespaced_config_map("default", configmap("stale"))
    assert exists.value.status == 409 and json.loads(exists.value.body)["reason"] == "AlreadyExists"


def exists(core, name):
    try:
        return core.read_namespaced_config_map(name, "default")
    except ApiException as error:
        if error.status == 404:
            return None
        raise


def test_garbage_collection_background_foreground_and_missing_owner(api):
    core = client.CoreV1Api(api)
    owner = core.create_namespaced_config_map("default", configmap("owner"))
    core.create_namespaced_config_map("default", configmap("child", owners=[owner_ref(owner)]))
    core.delete_namespaced_config_map("owner", "default", propagation_policy="Background")
    assert exists(core, "owner") is None
    assert wait_until(lambda: exists(core, "child") is None, timeout=5), "background GC deletes the dependent"

    parent = core.create_namespaced_config_map("default", configmap("parent"))
    core.create_namespaced_config_map("default", configmap("held", owners=[owner_ref(parent)],
                                                           finalizers=["example.com/hold"]))
    core.delete_namespaced_config_map("parent", "default", propagation_policy="Foreground")
    waiting = exists(core, "parent")
    assert waiting.metadata.deletion_timestamp and "foregroundDeletion" in waiting.metadata.finalizers
    assert wait_until(lambda: (exists(core, "held") or configmap("x")).metadata.deletion_timestamp, timeout=5)
    assert exists(core, "parent") is not None, "the owner waits for its dependent"
    core.patch_namespaced_config_map("held", "default", {"metadata": {"finalizers": None}})
    assert wait_until(lambda: exists(core, "held") is None and exists(core, "parent") is None, timeout=5)

    ghost = client.V1OwnerReference(api_version="v1", kind="ConfigMap", name="never",
                                    uid="00000000-0000-0000-0000-000000000000")
    core.create_namespaced_config_map("default", configmap("orphan", owners=[ghost]))
    assert wait_until(lambda: exists(core, "orphan") is None, timeout=5), "a dependent of a missing owner goes"


def test_status_subresource_is_separate_and_generation_moves_only_on_spec(api):
    install_widgets(api)
    custom = client.CustomObjectsApi(api)
    args = ("example.com", "v1", "default", "widgets")
    assert wait_until(lambda: any(r.name == "widgets" for r in
                                  client.ApisApi(api).get_api_versions().groups or []) or True)
    body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s"},
            "spec": {"size": 1}, "status": {"phase": "ignored"}}
    created = custom.create_namespaced_custom_object(*args, body)
    assert "status" not in created and created["metadata"]["generation"] == 1
    status = custom.patch_namespaced_custom_object_status(*args, "s", {"status": {"phase": "Ready"},
                                                                        "spec": {"size": 50}})
    assert status["status"]["phase"] == "Ready" and status["spec"]["size"] == 1
    assert status["metadata"]["generation"] == 1
    spec = custom.patch_namespaced_custom_object(*args, "s", {"spec": {"size": 2}, "status": {"phase": "X"}})
    assert spec["spec"]["size"] == 2 and spec["status"]["phase"] == "Ready"
    assert spec["metadata"]["generation"] == 2
    labelled = custom.patch_namespaced_custom_object(*args, "s", {"metadata": {"labels": {"a": "b"}}})
    assert labelled["metadata"]["generation"] == 2, "metadata changes leave generation alone"
    with pytest.raises(ApiException) as invalid:
        custom.patch_namespaced_custom_object(*args, "s", {"spec": {"size": 0}})
    assert invalid.value.status == 422
    cause = json.loads(invalid.value.body)["details"]["causes"][0]
    assert cause["field"] == "spec.size" and "greater than or equal to 1" in cause["message"]


def test_label_and_field_selectors(api):
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="other")))
    core.create_namespaced_config_map("default", configmap("l1", labels={"app": "a", "tier": "web"}))
    core.create_namespaced_config_map("default", configmap("l2", labels={"app": "b", "tier": "web"}))
    core.create_namespaced_config_map("default", configmap("l3", labels={"app": "c"}))
    core.create_namespaced_config_map("other", configmap("l1", labels={"app": "a"}))

    def names(**kwargs):
        return sorted(f"{i.metadata.namespace}/{i.metadata.name}"
                      for i in core.list_config_map_for_all_namespaces(**kwargs).items)

    assert names(label_selector="app=a") == ["default/l1", "other/l1"]
    assert names(label_selector="app in (a,b),tier") == ["default/l1", "default/l2"]
    assert names(label_selector="app notin (a),!tier") == ["default/l3"]
    assert names(label_selector="tier!=web,app") == ["default/l3", "other/l1"]
    assert names(field_selector="metadata.name=l1") == ["default/l1", "other/l1"]
    assert names(field_selector="metadata.namespace=other") == ["other/l1"]
    assert names(field_selector="metadata.name=l1,metadata.namespace!=other") == ["default/l1"]
    with pytest.raises(ApiException) as bad:
        core.list_config_map_for_all_namespaces(label_selector="app in (a")
    assert bad.value.status == 400


def test_lease_create_and_update_with_optimistic_concurrency(api):
    coordination = client.CoordinationV1Api(api)
    lease = client.V1Lease(metadata=client.V1ObjectMeta(name="leader"),
                           spec=client.V1LeaseSpec(holder_identity="a", lease_duration_seconds=15))
    created = coordination.create_namespaced_lease("default", lease)
    mine = coordination.read_namespaced_lease("leader", "default")
    theirs = coordination.read_namespaced_lease("leader", "default")
    mine.spec.holder_identity = "b"
    coordination.replace_namespaced_lease("leader", "default", mine)
    theirs.spec.holder_identity = "c"
    with pytest.raises(ApiException) as conflict:
        coordination.replace_namespaced_lease("leader", "default", theirs)
    assert conflict.value.status == 409
    final = coordination.read_namespaced_lease("leader", "default")
    assert final.spec.holder_identity == "b"
    assert int(final.metadata.resource_version) > int(created.metadata.resource_version)


def test_dry_run_and_delete_collection_with_a_label_selector(api):
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map("default", configmap("dry"), dry_run="All")
    assert exists(core, "dry") is None, "dryRun=All stores nothing"
    for name, app in [("k1", "keep"), ("g1", "gone"), ("g2", "gone")]:
        core.create_namespaced_config_map("default", configmap(name, labels={"app": app}))
    core.delete_collection_namespaced_config_map("default", label_selector="app=gone")
    assert [i.metadata.name for i in core.list_namespaced_config_map("default").items] == ["k1"]


def test_watch_with_initial_events_ends_them_with_a_bookmark(sandbox):
    core_path = "/api/v1/namespaces/default/configmaps"
    import http.client
    import urllib.parse
    parsed = urllib.parse.urlparse(sandbox.url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("POST", core_path, body=json.dumps({"metadata": {"name": "initial"}}),
                       headers={"Content-Type": "application/json"})
    connection.getresponse().read()
    connection.request("GET", core_path + "?watch=1&sendInitialEvents=true&allowWatchBookmarks=true"
                       "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1")
    lines = [json.loads(line) for line in connection.getresponse().read().splitlines() if line.strip()]
    assert [line["type"] for line in lines[:2]] == ["ADDED", "BOOKMARK"]
    assert lines[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert lines[-1]["type"] == "BOOKMARK", "a bookmark comes right before the timeout"
