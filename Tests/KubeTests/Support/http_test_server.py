"""A small HTTP/1.1 server for the libcurl transport tests. Prints its port, then serves.

Endpoints: /echo (any method: echoes method, request target, path, headers, body as JSON), /stream?n=&interval=
(chunked lines), /forever (chunked lines until the client goes away), /stats (open streams),
/slow?delay= (answers after a delay), /status/<code> (a Kubernetes Status, Retry-After on 429/503),
/watch (a scripted watch stream: one ADDED, one BOOKMARK, then closes).
Options: --tls DIR serves HTTPS with DIR/server.crt, DIR/server.key; --client-ca FILE requires client certificates.
"""
import json
import re
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

open_streams = 0
lock = threading.Lock()
resource_version = [100]
attempts = {}
expire_next_watch = [False]
options = {"token_file": None}
LEASES = re.compile(r"^/apis/[^/]+/v1/namespaces/([^/]+)/(leases|events)(?:/([^/]+))?(/status)?$")
stores = {"leases": {}, "events": {}}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason, "message": message}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, value, headers=None):
        body = json.dumps(value).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, val in (headers or {}).items():
            self.send_header(name, val)
        self.end_headers()
        self.wfile.write(body)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def handle_any(self):
        global open_streams
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/admin/events":
            with lock:
                self.send_json(200, {"items": [v for _, v in sorted(stores["events"].items())]})
            return
        if options["token_file"]:
            expected = open(options["token_file"]).read().strip()
            if self.headers.get("Authorization") != "Bearer " + expected:
                self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
                return
        match = LEASES.match(url.path)
        if match:
            self.leases(match, query, body)
        elif url.path == "/admin/expire":
            expire_next_watch[0] = True
            self.send_json(200, {})
        elif url.path.startswith("/flaky/"):
            key = url.path.split("/")[2]
            with lock:
                attempts[key] = attempts.get(key, 0) + 1
                count = attempts[key]
            code = int(query.get("code", "429"))
            if count <= int(query.get("fail", "1")):
                self.send_json(code, status(code, "TooManyRequests", "slow down"), {"Retry-After": query.get("after", "1")})
            else:
                self.send_json(200, {"kind": "Lease", "metadata": {"name": key, "annotations": {"attempts": str(count)}}})
        elif url.path == "/echo":
            cert = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
            subject = dict(x[0] for x in cert["subject"]).get("commonName") if cert else None
            self.send_json(200, {"method": self.command, "target": self.path, "path": url.path, "query": query,
                                 "headers": {k.lower(): v for k, v in self.headers.items()},
                                 "body": body.decode("utf-8", "replace"), "clientCN": subject},
                           {"Warning": '299 - "deprecated thing"'})
        elif url.path == "/stats":
            with lock:
                self.send_json(200, {"openStreams": open_streams})
        elif url.path == "/slow":
            time.sleep(float(query.get("delay", "0.2")))
            self.send_json(200, {"id": query.get("id")})
        elif url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            reasons = {404: "NotFound", 409: "Conflict", 410: "Expired", 429: "TooManyRequests", 503: "ServiceUnavailable"}
            extra = {"Retry-After": "1"} if code in (429, 503) else {}
            self.send_json(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "message": "status %d" % code, "reason": reasons.get(code, "Unknown"), "code": code}, extra)
        elif url.path in ("/stream", "/forever", "/watch"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if url.path == "/stream":
                for i in range(int(query.get("n", "5"))):
                    self.chunk(b'{"i":%d,"t":%f}\n' % (i, time.time()))
                    time.sleep(float(query.get("interval", "0.1")))
            elif url.path == "/watch":
                line = b'{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n'
                self.chunk(line[:20])
                time.sleep(0.05)
                self.chunk(line[20:] + b'{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n')
            else:
                with lock:
                    open_streams += 1
                try:
                    i = 0
                    while True:
                        self.chunk(b'{"i":%d}\n' % i)
                        i += 1
                        time.sleep(0.05)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                    pass
                finally:
                    with lock:
                        open_streams -= 1
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        else:
            self.send_json(404, {"kind": "Status", "code": 404, "reason": "NotFound", "message": "no such path"})

    def leases(self, match, query, body):
        namespace, plural, name, subresource = match.groups()
        leases = stores[plural]
        if self.command == "GET" and name is None and query.get("watch") == "1":
            with lock:
                since = query.get("resourceVersion", "")
                if since == "expired" or expire_next_watch[0]:
                    expire_next_watch[0] = False
                    lines = [{"type": "ERROR", "object": status(410, "Expired", "too old resource version")}]
                else:
                    floor = int(since) if since.isdigit() else 0
                    lines = [{"type": "ADDED", "object": obj} for _, obj in sorted(leases.items())
                             if int(obj["metadata"]["resourceVersion"]) > floor]
                    lines.append({"type": "BOOKMARK", "object": {"kind": "Lease", "metadata": {"resourceVersion": str(resource_version[0])}}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for line in lines:
                self.chunk(json.dumps(line).encode() + b"\n")
            # A watch stays open a little, as a real one does until its timeout.
            time.sleep(0.2)
            self.wfile.write(b"0\r\n\r\n")
            return
        with lock:
            if self.command == "GET" and name is None:
                if query.get("continue") == "expired":
                    self.send_json(410, status(410, "Expired", "continue token expired"))
                    return
                names = sorted(leases)
                start = int(query.get("continue", "0"))
                limit = int(query.get("limit", "0")) or len(names)
                page = names[start:start + limit]
                meta = {"resourceVersion": str(resource_version[0])}
                if start + limit < len(names):
                    meta["continue"] = str(start + limit)
                self.send_json(200, {"kind": "LeaseList", "apiVersion": "coordination.k8s.io/v1", "metadata": meta,
                                     "items": [leases[n] for n in page]})
                return
            obj = json.loads(body) if body else {}
            if self.command == "POST":
                name = obj["metadata"]["name"]
                if name in leases:
                    self.send_json(409, status(409, "AlreadyExists", 'leases "%s" already exists' % name))
                    return
                resource_version[0] += 1
                obj["metadata"].update({"uid": "uid-" + name, "resourceVersion": str(resource_version[0]), "namespace": namespace,
                                        "creationTimestamp": "2026-01-01T00:00:00Z"})
                leases[name] = obj
                self.send_json(201, obj)
                return
            current = leases.get(name)
            if current is None and not (self.command == "PATCH" and "apply-patch" in self.headers.get("Content-Type", "")):
                self.send_json(404, status(404, "NotFound", 'leases "%s" not found' % name))
                return
            if self.command == "GET":
                self.send_json(200, current)
            elif self.command == "PUT":
                if obj["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
                    self.send_json(409, status(409, "Conflict", "the object has been modified"))
                    return
                resource_version[0] += 1
                obj["metadata"]["resourceVersion"] = str(resource_version[0])
                obj["metadata"]["uid"] = current["metadata"]["uid"]
                leases[name] = obj
                self.send_json(200, obj)
            elif self.command == "PATCH":
                content_type = self.headers.get("Content-Type")
                if "apply-patch" in content_type and not query.get("fieldManager"):
                    self.send_json(400, status(400, "BadRequest", "fieldManager is required for apply"))
                    return
                if current is None:
                    current = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                               "metadata": {"name": name, "namespace": namespace, "uid": "uid-" + name}}
                if "json-patch" in content_type:
                    for op in obj:
                        if op["op"] == "replace" and op["path"] == "/spec/holderIdentity":
                            current.setdefault("spec", {})["holderIdentity"] = op["value"]
                else:
                    for key, value in obj.items():
                        if isinstance(value, dict) and isinstance(current.get(key), dict):
                            current[key].update(value)
                        else:
                            current[key] = value
                resource_version[0] += 1
                annotations = current["metadata"].setdefault("annotations", {})
                annotations["test/content-type"] = content_type
                annotations["test/query"] = "&".join("%s=%s" % kv for kv in sorted(query.items()))
                annotations["test/subresource"] = subresource or ""
                current["metadata"]["resourceVersion"] = str(resource_version[0])
                leases[name] = current
                self.send_json(200, current)
            elif self.command == "DELETE":
                uid = obj.get("preconditions", {}).get("uid")
                if uid and uid != current["metadata"]["uid"]:
                    self.send_json(409, status(409, "Conflict", "Precondition failed: UID in precondition: %s, UID in object meta: %s" % (uid, current["metadata"]["uid"])))
                    return
                del leases[name]
                self.send_json(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def exit_when_parent_goes():
    # The test process holds our stdin open; when it exits (even by a crash) we follow.
    sys.stdin.read()
    os._exit(0)


def main():
    # Children of the Swift test runner inherit a signal mask that blocks SIGTERM.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    server = Server(("127.0.0.1", 0), Handler)
    args = sys.argv[1:]
    if "--tls" in args:
        directory = args[args.index("--tls") + 1]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(directory + "/server.crt", directory + "/server.key")
        if "--client-ca" in args:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args[args.index("--client-ca") + 1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    if "--token-file" in args:
        options["token_file"] = args[args.index("--token-file") + 1]
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
