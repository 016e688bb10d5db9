"""`elevator sandbox` over TLS: certificates made with `openssl`, tokens from a token file, and
client certificates (user = CN, groups = O), checked with kubectl and the Python client."""
import json
import subprocess
import time

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from sandbox_support import Sandbox, kubectl_binary


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def tls_sandbox(tmp_path):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.crt",
            "-days", "1", "-subj", "/CN=sandbox", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", cwd=tmp_path)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
            "-subj", "/CN=client-ca", cwd=tmp_path)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "alice.key", "-out", "alice.csr",
            "-subj", "/O=devs/O=oncall/CN=alice", cwd=tmp_path)
    openssl("x509", "-req", "-in", "alice.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "alice.crt", "-days", "1", cwd=tmp_path)
    (tmp_path / "tokens.csv").write_text('admin-token,admin,uid-1,"system:masters"\nbob-token,bob,uid-2,"viewers,devs"\n')
    server = Sandbox(tmp_path, extra_args=[
        "--tls-cert-file", str(tmp_path / "server.crt"), "--tls-key-file", str(tmp_path / "server.key"),
        "--client-ca-file", str(tmp_path / "ca.crt"), "--token-file", str(tmp_path / "tokens.csv")])
    yield server, tmp_path
    assert server.stop() == 0


def whoami(server, *args):
    return json.loads(server.kubectl("auth", "whoami", "-o", "json", *args).stdout)["status"]["userInfo"]


def test_kubectl_over_https_with_tokens_and_client_certificates(tls_sandbox):
    server, folder = tls_sandbox
    assert server.url.startswith("https://127.0.0.1:")
    assert whoami(server) == {"username": "admin", "uid": "uid-1",
                              "groups": ["system:masters", "system:authenticated"]}
    assert whoami(server, "--token", "bob-token")["username"] == "bob"
    text = open(server.kubeconfig).read()
    assert "    token: admin-token" in text
    alice_config = folder / "alice.kubeconfig"
    alice_config.write_text(text.replace("    token: admin-token", f"    client-certificate: {folder / 'alice.crt'}\n"
                                                                 f"    client-key: {folder / 'alice.key'}"))
    alice = json.loads(subprocess.run(
        [kubectl_binary(), "--kubeconfig", str(alice_config), "auth", "whoami", "-o", "json"],
        capture_output=True, text=True, timeout=30, check=True).stdout)["status"]["userInfo"]
    assert alice["username"] == "alice" and alice["groups"][:2] == ["devs", "oncall"]
    refused = server.kubectl("get", "configmaps", "--token", "wrong", check=False)
    assert refused.returncode != 0 and "You must be logged in to the server" in refused.stderr


def test_python_client_over_https_and_anonymous_is_refused(tls_sandbox):
    server, folder = tls_sandbox
    core = client.CoreV1Api(config.new_client_from_config(config_file=server.kubeconfig))
    core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="tls")))
    assert [i.metadata.name for i in core.list_namespaced_config_map("default").items] == ["tls"]
    anonymous = client.Configuration()
    anonymous.host = server.url
    anonymous.ssl_ca_cert = str(folder / "server.crt")
    with pytest.raises(ApiException) as refused:
        client.CoreV1Api(client.ApiClient(anonymous)).list_namespaced_config_map("default")
    assert refused.value.status == 401


def test_https_speaks_http2_and_kubectl_watches_over_it(tls_sandbox):
    server, folder = tls_sandbox
    version = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_version}", "--http2",
                              "--cacert", str(folder / "server.crt"), "-H", "Authorization: Bearer admin-token",
                              server.url + "/api/v1/namespaces/default/configmaps"],
                             capture_output=True, text=True, timeout=30)
    assert version.stdout == "2", version
    watcher = subprocess.Popen([kubectl_binary(), "--kubeconfig", server.kubeconfig, "get", "configmaps", "-w",
                                "-o", "name"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        server.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: over-h2\n")
        time.sleep(1.0)
    finally:
        watcher.terminate()
        out, err = watcher.communicate(timeout=10)
    assert "configmap/over-h2" in out.split(), err
