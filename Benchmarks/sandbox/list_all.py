"""Lists every ConfigMap of all namespaces in pages of 500 (as client-go's reflector does) and
reports the time of the whole walk."""
import http.client
import json
import sys
import time
import urllib.parse

url = sys.argv[1]
parsed = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
started = time.monotonic()
items, pages, token = 0, 0, ""
while True:
    connection.request("GET", "/api/v1/configmaps?limit=500" + (f"&continue={urllib.parse.quote(token)}" if token else ""))
    page = json.loads(connection.getresponse().read())
    items += len(page["items"])
    pages += 1
    token = page["metadata"].get("continue", "")
    if not token:
        break
print(json.dumps({"items": items, "pages": pages, "seconds": round(time.monotonic() - started, 2)}))
