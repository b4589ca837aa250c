#!/usr/bin/env python3
"""Import throughput of a standalone node versus a 3-node cluster (factor 1 and factor 3).

Starts real `shoal` processes on loopback ports with temporary data directories, creates one
class per run, imports the same objects (random 32-dim vectors and one text property) through
the first node with `POST /v1/batch/objects` from several client threads, and prints objects
per second per configuration plus the ratios against the standalone node, measured in the same
script on the same machine. Standard library only.

    python3 bench/cluster/import_bench.py target/release/shoal [objects] [batch] [threads]
"""

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw else None)


class Cluster:
    """`size` nodes forming one Raft group (a standalone node when size is 1)."""

    def __init__(self, binary, size):
        self.dir = tempfile.mkdtemp(prefix="shoal-bench-")
        self.procs = []
        self.urls = []
        internal = [free_port() for _ in range(size)]
        join = ",".join(f"127.0.0.1:{p}" for p in internal)
        for i in range(size):
            port = free_port()
            env = dict(os.environ)
            env.update(
                CLUSTER_HOSTNAME=f"n{i + 1}",
                PERSISTENCE_DATA_PATH=os.path.join(self.dir, f"n{i + 1}"),
                GRPC_PORT=str(free_port()),
                LOG_LEVEL="warning",
            )
            if size > 1:
                env.update(
                    CLUSTER_DATA_BIND_PORT=str(internal[i]),
                    CLUSTER_ADVERTISE_ADDR=f"127.0.0.1:{internal[i]}",
                    CLUSTER_JOIN=join,
                    RAFT_BOOTSTRAP_EXPECT=str(size),
                )
            log = open(os.path.join(self.dir, f"n{i + 1}.log"), "w")
            self.procs.append(
                subprocess.Popen(
                    [binary, "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.urls.append(f"http://127.0.0.1:{port}")
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        for url in self.urls:
            while True:
                try:
                    if request("GET", f"{url}/v1/.well-known/ready")[0] == 200:
                        break
                except (urllib.error.URLError, ConnectionError):
                    pass
                if time.time() > deadline:
                    raise RuntimeError(f"{url} not ready; logs in {self.dir}")
                time.sleep(0.1)

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def make_batches(objects, batch, seed=7):
    rng = random.Random(seed)
    items = [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "properties": {"title": f"object {i}"},
            "vector": [rng.gauss(0, 1) for _ in range(32)],
        }
        for i in range(objects)
    ]
    return [items[i : i + batch] for i in range(0, objects, batch)]


def import_all(url, cls, batches, threads):
    """Imports every batch from `threads` clients; returns (seconds, failed objects)."""
    queue = list(batches)
    lock = threading.Lock()
    failed = [0]

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                chunk = queue.pop()
            body = {"objects": [dict(o, **{"class": cls}) for o in chunk]}
            _, results = request("POST", f"{url}/v1/batch/objects", body, timeout=300)
            bad = sum(1 for r in results if r.get("result", {}).get("errors"))
            with lock:
                failed[0] += bad

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - start, failed[0]


def run(binary, size, factor, batches, threads):
    cluster = Cluster(binary, size)
    try:
        cls = f"Bench{size}x{factor}"
        schema = {
            "class": cls,
            "vectorizer": "none",
            "properties": [{"name": "title", "dataType": ["text"]}],
            "replicationConfig": {"factor": factor},
        }
        request("POST", f"{cluster.urls[0]}/v1/schema", schema)
        seconds, failed = import_all(cluster.urls[0], cls, batches, threads)
        return seconds, failed
    finally:
        cluster.stop()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    objects = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    batches = make_batches(objects, batch)
    print(f"{objects} objects (32-dim vectors + one text property), batches of {batch}, "
          f"{threads} client threads, {os.cpu_count()} cores, all nodes on this machine")
    base = None
    for size, factor in [(1, 1), (3, 1), (3, 3)]:
        seconds, failed = run(binary, size, factor, batches, threads)
        rate = objects / seconds
        base = base or rate
        print(f"{size} node(s), factor {factor}: {rate:8.0f} objects/s "
              f"({seconds:.1f} s, {failed} failed), {rate / base:.2f}x the standalone node")


if __name__ == "__main__":
    main()
