"""Creates N ConfigMaps `bench-0..N-1` in namespace default over one keep-alive connection."""
import http.client
import json
import sys
import urllib.parse

url, count = sys.argv[1], int(sys.argv[2])
parsed = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
for index in range(count):
    body = json.dumps({"metadata": {"name": f"bench-{index}", "labels": {"bench": "yes"}}, "data": {"v": "0"}})
    connection.request("POST", "/api/v1/namespaces/default/configmaps", body=body,
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status != 201:
        sys.exit(f"seeding failed at bench-{index}: HTTP {response.status}")
print(f"seeded {count} configmaps")
