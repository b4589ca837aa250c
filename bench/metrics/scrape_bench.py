#!/usr/bin/env python3
"""Cost of a Prometheus scrape on a node holding many shards.

Starts `BIN` with metrics on, creates CLASSES classes of OBJECTS objects each (one shard each),
then times 50 scrapes of /metrics and, as the reference in the same run, 50 calls of
`GET /v1/nodes?output=verbose` (which walks the same shards for their counts).

    bench/metrics/scrape_bench.py target/ci/shoal [CLASSES] [OBJECTS]
"""
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, method=method, data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        return resp.read()


def timed(url, n=50):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        body = call(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, body


def main():
    binary = sys.argv[1]
    classes = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    objects = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    rest, metrics = free_port(), free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {"PERSISTENCE_DATA_PATH": data, "PROMETHEUS_MONITORING_ENABLED": "true",
               "PROMETHEUS_MONITORING_PORT": str(metrics), "LOG_LEVEL": "warn",
               "CLUSTER_HOSTNAME": "bench"}
        node = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(rest)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            api = f"http://127.0.0.1:{rest}"
            for _ in range(300):
                try:
                    call(f"{api}/v1/.well-known/ready")
                    break
                except Exception:
                    time.sleep(0.1)
            rng = random.Random(7)
            for c in range(classes):
                call(f"{api}/v1/schema", "POST", {"class": f"C{c}", "vectorizer": "none"})
                batch = [{"class": f"C{c}", "properties": {"t": f"x{i}"},
                          "vector": [rng.random() for _ in range(16)]} for i in range(objects)]
                call(f"{api}/v1/batch/objects", "POST", {"objects": batch})
            scrape_ms, body = timed(f"http://127.0.0.1:{metrics}/metrics")
            nodes_ms, _ = timed(f"{api}/v1/nodes?output=verbose")
            lines = body.count(b"\n")
            buckets = body.count(b"_bucket{")
            print(f"{classes} classes x {objects} objects: /metrics is {len(body) / 1024:.0f} KiB, "
                  f"{lines} lines, {buckets} of them histogram buckets")
            print(f"scrape median {scrape_ms:.2f} ms; reference /v1/nodes?output=verbose median "
                  f"{nodes_ms:.2f} ms; ratio {scrape_ms / nodes_ms:.2f}")
        finally:
            node.terminate()
            node.wait(timeout=60)


if __name__ == "__main__":
    main()
