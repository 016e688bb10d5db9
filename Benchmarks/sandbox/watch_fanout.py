"""Watch fan-out: W watchers on one type, then E writes; measures how long until every watcher
has every event (delivery throughput and the latency of the last event at each watcher)."""
import asyncio
import http.client
import json
import sys
import time
import urllib.parse

url, watchers, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parsed = urllib.parse.urlparse(url)
HOST, PORT = parsed.hostname, parsed.port
PATH = "/api/v1/namespaces/default/configmaps"


def stats():
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    connection.request("GET", "/sandbox/stats")
    return json.loads(connection.getresponse().read())


async def watcher(start_rv, done_times):
    reader, writer = await asyncio.open_connection(HOST, PORT, limit=1 << 20)
    writer.write(f"GET {PATH}?watch=true&resourceVersion={start_rv}&labelSelector=fanout%3Dyes HTTP/1.1\r\n"
                 f"Host: {HOST}\r\n\r\n".encode())
    await writer.drain()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    seen = 0
    while seen < events:
        size_line = await reader.readline()
        size = int(size_line.strip() or b"0", 16)
        if size == 0:
            break
        chunk = await reader.readexactly(size + 2)
        seen += chunk.count(b"\n") - 1 if chunk.endswith(b"\r\n") else chunk.count(b"\n")
    done_times.append(time.monotonic())
    writer.close()


async def main():
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    connection.request("POST", PATH, body=json.dumps({"metadata": {"name": "fanout", "labels": {"fanout": "yes"}}}),
                       headers={"Content-Type": "application/json"})
    created = json.loads(connection.getresponse().read())
    start_rv = created["metadata"]["resourceVersion"]
    done_times = []
    tasks = [asyncio.create_task(watcher(start_rv, done_times)) for _ in range(watchers)]
    deadline = time.monotonic() + 60
    while stats()["openWatches"] < watchers:
        if time.monotonic() > deadline:
            sys.exit("watchers did not all connect within 60 s")
        await asyncio.sleep(0.05)
    started = time.monotonic()
    for index in range(events):
        connection.request("PATCH", f"{PATH}/fanout", body=json.dumps({"data": {"i": str(index)}}),
                           headers={"Content-Type": "application/merge-patch+json"})
        response = connection.getresponse()
        response.read()
    writes_done = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    finished = max(done_times)
    delivered = watchers * events
    latencies = sorted(t - writes_done for t in done_times)
    print(json.dumps({
        "watchers": watchers, "events": events, "delivered": delivered,
        "seconds": round(finished - started, 3),
        "eventsDeliveredPerSecond": round(delivered / (finished - started)),
        "lastEventLagAfterLastWriteMs": {"p50": round(latencies[len(latencies) // 2] * 1000, 1),
                                         "max": round(latencies[-1] * 1000, 1)},
    }))


asyncio.run(main())
