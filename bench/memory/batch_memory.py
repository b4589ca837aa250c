"""Memory of one large batch import, through the real server.

Starts a node on a fresh data directory, sends ONE `POST /v1/batch/objects` of N small objects
(a text and a number property, a 4-dim vector: about 80 bytes each as JSON), and prints:
RSS before, peak RSS during the request (VmHWM), RSS a few seconds after the answer, the body
size, the peak growth as a multiple of the body, then the RSS of the same data after a graceful
restart, and the ratio of the two (Linux only: reads /proc/PID/status).

usage: batch_memory.py SHOAL_BINARY [N] [SETTLE_SECONDS]
Standard library only.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def mb(kb):
    return kb / 1024.0


class Node:
    def __init__(self, binary, data_dir):
        self.binary, self.port, self.data_dir = binary, free_port(), data_dir
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        env = dict(os.environ, PERSISTENCE_DATA_PATH=self.data_dir, CLUSTER_HOSTNAME="mem", LOG_LEVEL="warn")
        self.proc = subprocess.Popen([self.binary, "--host", "127.0.0.1", "--port", str(self.port)], env=env)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"shoal exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/v1/.well-known/ready", timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        sys.exit("node not ready in 120 s")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()

    def post(self, path, body, timeout=600):
        req = urllib.request.Request(self.url + path, data=body, method="POST",
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()

    def count(self):
        q = json.dumps({"query": "{ Aggregate { Small { meta { count } } } }"}).encode()
        _, body = self.post("/v1/graphql", q)
        return json.loads(body)["data"]["Aggregate"]["Small"][0]["meta"]["count"]


def batch_body(n):
    rnd = random.Random(7)
    objects = [
        {"class": "Small", "properties": {"t": f"w{i % 1000}", "n": i},
         "vector": [round(rnd.random(), 3) for _ in range(4)]}
        for i in range(n)
    ]
    return json.dumps({"objects": objects}, separators=(",", ":")).encode()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    settle = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    body = batch_body(n)
    with tempfile.TemporaryDirectory() as data:
        node = Node(binary, data)
        node.start()
        schema = {"class": "Small", "vectorizer": "none",
                  "properties": [{"name": "t", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]}]}
        node.post("/v1/schema", json.dumps(schema).encode())
        pid = node.proc.pid
        before = status_kb(pid, "VmRSS")
        t = time.time()
        status, answer = node.post("/v1/batch/objects", body)
        took = time.time() - t
        failed = sum(1 for e in json.loads(answer) if e["result"].get("errors"))
        peak = status_kb(pid, "VmHWM")
        time.sleep(settle)
        after = status_kb(pid, "VmRSS")
        count = node.count()
        node.stop()
        node.start()
        restarted = status_kb(node.proc.pid, "VmRSS")
        count_after = node.count()
        node.stop()
    body_mb = len(body) / 2**20
    print(f"batch: {n} objects, body {body_mb:.1f} MB, status {status}, {failed} failed, {took:.1f} s")
    print(f"count: {count} after the batch, {count_after} after a restart")
    print(f"RSS before {mb(before):.0f} MB, peak {mb(peak):.0f} MB, {settle:.0f} s after {mb(after):.0f} MB")
    print(f"peak growth {mb(peak - before):.0f} MB = {mb(peak - before) / body_mb:.1f}x the body (target < 20x)")
    print(f"after a restart {mb(restarted):.0f} MB; after the batch / after a restart = "
          f"{after / restarted:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
