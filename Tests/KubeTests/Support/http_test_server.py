"""A small HTTP/1.1 server for the libcurl transport tests. Prints its port, then serves.

Endpoints: /echo (any method: echoes method, path, headers, body as JSON), /stream?n=&interval=
(chunked lines), /forever (chunked lines until the client goes away), /stats (open streams),
/slow?delay= (answers after a delay), /status/<code> (a Kubernetes Status, Retry-After on 429/503),
/watch (a scripted watch stream: one ADDED, one BOOKMARK, then closes).
Options: --tls DIR serves HTTPS with DIR/server.crt, DIR/server.key; --client-ca FILE requires client certificates.
"""
import json
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
        if url.path == "/echo":
            cert = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
            subject = dict(x[0] for x in cert["subject"]).get("commonName") if cert else None
            self.send_json(200, {"method": self.command, "path": url.path, "query": query,
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
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
