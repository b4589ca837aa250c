"""Restart time of a large hnsw shard, through the real server.

Imports N vectors (Gaussian mixture, DIM dims (default 128), l2-squared) into one hnsw class over REST with
two client threads, then measures: import rate, graceful stop (SIGTERM, which snapshots the
graph), time until /v1/.well-known/ready after a restart, and, after a further import of
EXTRA objects and `kill -9`, the time until ready again (snapshot load; the log tail is queued
for a background indexer), then the time until that queue has drained (/v1/nodes). After each
restart, and after the drain, it checks the object count and that sampled objects find
themselves. LOG_LEVEL (default warn) is passed to the server; KEEP_DATA=1 keeps its data dir.

usage: restart_bench.py SHOAL_BINARY [N] [EXTRA] [DIM]
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import numpy as np
import requests

DIM = 128  # overridden by the fourth argument
BATCH = 2000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, binary, data_dir):
        self.binary, self.port = binary, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, PERSISTENCE_DATA_PATH=data_dir, CLUSTER_HOSTNAME="bench", LOG_LEVEL=os.environ.get("LOG_LEVEL", "warn"))
        self.proc = None

    def start(self):
        t = time.time()
        self.proc = subprocess.Popen([self.binary, "--host", "127.0.0.1", "--port", str(self.port)], env=self.env)
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"shoal exited with {self.proc.returncode}")
            try:
                if requests.get(self.url + "/v1/.well-known/ready", timeout=1).status_code == 200:
                    return time.time() - t
            except requests.RequestException:
                pass
            time.sleep(0.02)

    def stop(self, hard=False):
        t = time.time()
        self.proc.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        code = self.proc.wait()
        return time.time() - t, code


def queue_length(url):
    nodes = requests.get(url + "/v1/nodes?output=verbose", timeout=10).json()["nodes"]
    return sum(s.get("vectorQueueLength", 0) for n in nodes for s in n.get("shards") or [])


def wait_drained(url, limit=3600):
    t = time.time()
    while queue_length(url) > 0 and time.time() - t < limit:
        time.sleep(0.2)
    return time.time() - t


def mixture(rng, n, centers):
    picks = rng.integers(0, len(centers), n)
    return (centers[picks] + 0.3 * rng.standard_normal((n, DIM))).astype(np.float32)


def import_range(url, vectors, start, threads=2):
    def worker(offsets):
        session = requests.Session()
        for s in offsets:
            rows = vectors[s - start : s - start + BATCH]
            objs = [{"class": "Big", "id": str(uuid.UUID(int=s + i)), "vector": v.tolist()} for i, v in enumerate(rows)]
            r = session.post(url + "/v1/batch/objects", data=json.dumps({"objects": objs}),
                             headers={"content-type": "application/json"}, timeout=600)
            r.raise_for_status()
            failed = [o for o in r.json() if o["result"].get("status") != "SUCCESS"]
            assert not failed, failed[:1]

    offsets = list(range(start, start + len(vectors), BATCH))
    pool = [threading.Thread(target=worker, args=(offsets[i::threads],)) for i in range(threads)]
    t = time.time()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return len(vectors) / (time.time() - t)


def check(url, vectors, start, expected, label):
    body = {"query": "{Aggregate{Big{meta{count}}}}"}
    count = requests.post(url + "/v1/graphql", json=body).json()["data"]["Aggregate"]["Big"][0]["meta"]["count"]
    rng = np.random.default_rng(7)
    sample = rng.choice(len(vectors), 200, replace=False)
    found = 0
    for i in sample:
        q = {"query": "{Get{Big(nearVector:{vector:%s} limit:1){_additional{id}}}}" % json.dumps(vectors[i].tolist())}
        got = requests.post(url + "/v1/graphql", json=q).json()["data"]["Get"]["Big"][0]["_additional"]["id"]
        found += got == str(uuid.UUID(int=start + int(i)))
    print(f"  {label}: count {count} (expected {expected}), {found}/200 sampled objects find themselves", flush=True)


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    extra = int(sys.argv[3]) if len(sys.argv) > 3 else 50_000
    global DIM
    DIM = int(sys.argv[4]) if len(sys.argv) > 4 else DIM
    rng = np.random.default_rng(42)
    centers = rng.standard_normal((1000, DIM))
    data = tempfile.mkdtemp(prefix="shoal-restart-")
    node = Node(binary, data)
    node.start()
    requests.post(node.url + "/v1/schema", json={"class": "Big", "vectorIndexType": "hnsw",
                  "vectorIndexConfig": {"distance": "l2-squared"}}).raise_for_status()
    vectors = mixture(rng, n, centers)
    print(f"importing {n} x {DIM} (hnsw, maxConnections 32, efConstruction 128) with 2 client threads", flush=True)
    rate = import_range(node.url, vectors, 0)
    print(f"  import: {rate:,.0f} objects/s", flush=True)
    stop, code = node.stop()
    print(f"  graceful stop (snapshots the graph): {stop:.2f} s, exit code {code}", flush=True)
    print(f"  restart to ready: {node.start():.2f} s", flush=True)
    check(node.url, vectors, 0, n, "after graceful restart")
    more = mixture(rng, extra, centers)
    import_range(node.url, more, n)
    node.stop(hard=True)
    print(f"  kill -9 after {extra} more objects; restart to ready: {node.start():.2f} s", flush=True)
    check(node.url, more, n, n + extra, "after kill -9 restart")
    print(f"  index queue drained {wait_drained(node.url):.2f} s after the check", flush=True)
    check(node.url, more, n, n + extra, "after the drain")
    node.stop()
    du = subprocess.run(["du", "-sh", data + "/db", data + "/indexes"], capture_output=True, text=True).stdout
    print("  on disk:\n" + du, flush=True)
    if os.environ.get("KEEP_DATA"):
        print(f"  data kept in {data}", flush=True)
    else:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
