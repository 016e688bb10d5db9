"""Bad input never crashes the sandbox: each gets the Status kube-apiserver would send."""
import json

import pytest

from sandbox_support import sandbox  # noqa: F401
from test_sandbox_faults import call

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


@pytest.mark.parametrize("method,path,body,headers,code,reason", [
    ("POST", CONFIGMAPS, b'{"metadata": {"name": "x"', {}, 400, "BadRequest"),
    ("POST", CONFIGMAPS, b"[1, 2, 3]", {}, 400, "BadRequest"),
    ("POST", CONFIGMAPS, b"", {}, 400, "BadRequest"),
    ("POST", CONFIGMAPS, b"\xff\xfe\x00garbage", {}, 400, "BadRequest"),
    ("POST", CONFIGMAPS, b"[" * 100000, {}, 400, "BadRequest"),
    ("POST", CONFIGMAPS, b"metadata: {name: [unclosed", {"Content-Type": "application/yaml"}, 400, "BadRequest"),
    ("POST", CONFIGMAPS, b'{"metadata":{"name":"x"}}', {"Content-Type": "text/plain"}, 415, "UnsupportedMediaType"),
    ("PATCH", CONFIGMAPS + "/x", b'{"data":{}}', {"Content-Type": "application/json"}, 415, "UnsupportedMediaType"),
    ("POST", CONFIGMAPS, b'{"metadata":{"name":"Not_A_Name"}}', {}, 422, "Invalid"),
    ("POST", CONFIGMAPS, b'{"kind":"Secret","metadata":{"name":"x"}}', {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/nowhere/configmaps", b'{"metadata":{"name":"x"}}', {}, 404, "NotFound"),
    ("GET", "/no/such/path", None, {}, 404, "NotFound"),
    ("GET", "/apis/nope.example.com/v1/things", None, {}, 404, "NotFound"),
    ("GET", "/api/v1/namespaces/default/nothings", None, {}, 404, "NotFound"),
    ("GET", CONFIGMAPS + "/x/scale", None, {}, 404, "NotFound"),
    ("PUT", CONFIGMAPS, b"{}", {}, 405, "MethodNotAllowed"),
    ("GET", CONFIGMAPS + "?watch=true&resourceVersion=abc", None, {}, 400, "BadRequest"),
    ("GET", CONFIGMAPS + "?labelSelector=a%20in%20(b", None, {}, 400, "BadRequest"),
    ("GET", CONFIGMAPS + "?continue=not-a-token", None, {}, 400, "BadRequest"),
    ("GET", CONFIGMAPS, None, {"Authorization": "Bearer wrong"}, 401, "Unauthorized"),
    ("GET", CONFIGMAPS + "?resourceVersion=999999", None, {}, 504, "Timeout"),
    ("GET", CONFIGMAPS + "?resourceVersionMatch=Exact", None, {}, 400, "BadRequest"),
    ("GET", CONFIGMAPS + "?resourceVersion=1&resourceVersionMatch=Sometimes", None, {}, 400, "BadRequest"),
    ("GET", CONFIGMAPS + "?resourceVersion=1&resourceVersionMatch=Exact", None, {}, 410, "Expired"),
])
def test_bad_requests_get_the_right_status(sandbox, method, path, body, headers, code, reason):
    status, response_headers, payload = call(sandbox, method, path, body, headers)
    assert status == code, payload
    document = json.loads(payload)
    assert document["kind"] == "Status" and document["code"] == code and document["reason"] == reason
    assert call(sandbox, "GET", "/version")[0] == 200, "the server is still up"


def test_a_ten_megabyte_object_is_refused_with_413(sandbox):
    big = json.dumps({"metadata": {"name": "big"}, "data": {"blob": "x" * (10 * 1024 * 1024)}}).encode()
    status, _, payload = call(sandbox, "POST", CONFIGMAPS, big)
    assert status == 413
    assert json.loads(payload)["reason"] == "RequestEntityTooLarge"
    assert call(sandbox, "GET", CONFIGMAPS + "/big")[0] == 404
    assert sandbox.process.poll() is None
