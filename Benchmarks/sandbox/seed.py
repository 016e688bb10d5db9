"""Creates N ConfigMaps `bench-0..N-1` in a namespace (default: default) over one keep-alive connection."""
import http.client
import json
import sys
import urllib.parse

url, count = sys.argv[1], int(sys.argv[2])
namespace = sys.argv[3] if len(sys.argv) > 3 else "default"
parsed = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
if namespace != "default":
    connection.request("POST", "/api/v1/namespaces", body=json.dumps({"metadata": {"name": namespace}}),
                       headers={"Content-Type": "application/json"})
    connection.getresponse().read()
for index in range(count):
    body = json.dumps({"metadata": {"name": f"bench-{index}", "labels": {"bench": "yes"}}, "data": {"v": "0"}})
    connection.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", body=body,
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status != 201:
        sys.exit(f"seeding failed at bench-{index}: HTTP {response.status}")
print(f"seeded {count} configmaps")
