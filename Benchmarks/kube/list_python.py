"""kube-bench: LIST of every Widget in `default` with the official Python client, timed in-process.

Usage: list_python.py KUBECONFIG RUNS. Prints one JSON line: {"seconds": [...], "items": n}.
The CustomObjectsApi deserialises the JSON response into Python dicts (the client's model for
custom resources); interpreter start-up and imports are not timed.
"""
import json
import sys
import time

from kubernetes import client, config


def main() -> None:
    kubeconfig, runs = sys.argv[1], int(sys.argv[2])
    config.load_kube_config(config_file=kubeconfig)
    api = client.CustomObjectsApi()
    times = []
    items = 0
    for _ in range(runs):
        started = time.perf_counter()
        listed = api.list_namespaced_custom_object("bench.example.com", "v1", "default", "widgets")
        items = len(listed["items"])
        times.append(time.perf_counter() - started)
    print(json.dumps({"seconds": times, "items": items}))


if __name__ == "__main__":
    main()
