"""The fault switchboard over the admin path, observed the way a client would observe a sick cluster."""
import http.client
import json
import time
import urllib.parse

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from sandbox_support import sandbox  # noqa: F401


def call(sandbox, method, path, body=None, headers=None, token=True):
    parsed = urllib.parse.urlparse(sandbox.url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    all_headers = {"Content-Type": "application/json"}
    if token:
        all_headers["Authorization"] = f"Bearer {sandbox.token}"
    all_headers.update(headers or {})
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), payload


def faults(sandbox, **settings):
    status, _, body = call(sandbox, "PUT", "/sandbox/faults", settings)
    assert status == 200, body
    return json.loads(body)


@pytest.fixture
def core(sandbox):
    return client.CoreV1Api(config.new_client_from_config(config_file=sandbox.kubeconfig))


def test_added_latency_slows_every_api_request(sandbox, core):
    core.list_namespaced_config_map("default")
    faults(sandbox, latencyMilliseconds=300)
    started = time.monotonic()
    core.list_namespaced_config_map("default")
    assert time.monotonic() - started >= 0.3
    call(sandbox, "DELETE", "/sandbox/faults")
    started = time.monotonic()
    core.list_namespaced_config_map("default")
    assert time.monotonic() - started < 0.3


def test_injected_500s_and_429s_with_retry_after(sandbox, core):
    faults(sandbox, errorRate=1.0, errorCode=500)
    with pytest.raises(ApiException) as internal:
        core.list_namespaced_config_map("default")
    assert internal.value.status == 500 and json.loads(internal.value.body)["reason"] == "InternalError"
    faults(sandbox, errorRate=1.0, errorCode=429, retryAfterSeconds=3)
    status, headers, body = call(sandbox, "GET", "/api/v1/namespaces/default/configmaps")
    assert status == 429 and headers["Retry-After"] == "3"
    assert json.loads(body)["reason"] == "TooManyRequests"
    assert json.loads(body)["details"]["retryAfterSeconds"] == 3
    faults(sandbox, errorRate=0.25, errorCode=500)
    outcomes = [call(sandbox, "GET", "/api/v1/namespaces/default/configmaps")[0] for _ in range(8)]
    assert outcomes.count(500) == 2 and outcomes.count(200) == 6, outcomes
    call(sandbox, "DELETE", "/sandbox/faults")
    assert call(sandbox, "GET", "/api/v1/namespaces/default/configmaps")[0] == 200


def test_refused_connections_for_a_while(sandbox, core):
    faults(sandbox, refuseConnectionsSeconds=1.0)
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        call(sandbox, "GET", "/version")
    time.sleep(1.2)
    assert call(sandbox, "GET", "/version")[0] == 200


def test_frozen_resource_refuses_writes_but_serves_reads(sandbox, core):
    core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="before")))
    faults(sandbox, frozenResources=["configmaps"])
    with pytest.raises(ApiException) as frozen:
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="during")))
    assert frozen.value.status == 503
    assert [i.metadata.name for i in core.list_namespaced_config_map("default").items] == ["before"]
    core.create_namespaced_secret("default", client.V1Secret(metadata=client.V1ObjectMeta(name="unfrozen")))
    faults(sandbox, frozenResources=[])
    core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="after")))


def test_counters_count_requests_by_verb_and_resource(sandbox, core):
    call(sandbox, "DELETE", "/sandbox/counters")
    for index in range(3):
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"c{index}")))
    core.list_namespaced_config_map("default")
    core.patch_namespaced_config_map("c0", "default", {"data": {"a": "b"}})
    counts = json.loads(call(sandbox, "GET", "/sandbox/counters")[2])
    assert counts == {"create configmaps": 3, "list configmaps": 1, "patch configmaps": 1}


def test_unknown_fault_settings_are_refused_with_a_clear_message(sandbox):
    status, _, body = call(sandbox, "PUT", "/sandbox/faults", {"latency": 5})
    assert status == 400 and "unknown or invalid fault setting \"latency\"" in json.loads(body)["message"]
