"""Multi-tenancy at scale on one Shoal node, measured through REST and GraphQL.

Steps (issue 15's benchmark):
1. create TENANTS tenants of one class (autoTenantActivation on), in batches of 100: the rate;
2. import 10 small objects (32-d vectors) into each of FILLED tenants, 100 tenants per batch;
3. set those FILLED tenants COLD: RSS with no tenant loaded (the RSS right after step 1, over
   the empty class's, is what an idle unloaded tenant costs);
4. set them HOT again and query each once (every shard loaded): RSS, and the memory one idle
   HOT tenant costs over a COLD one;
5. restart (SIGTERM, start again): seconds until /v1/.well-known/ready, and RSS after;
6. first query on COLD tenants, which auto-activation turns HOT: p50 and max latency;
7. nearVector queries on one HOT tenant alone, then while 10 other tenants import: p50/p99.

Targets printed beside the figures: restart to ready under 10 s; an idle COLD tenant under
2 KiB of RAM. Every figure is measured in this run; nothing is a constant.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import numpy as np
import requests

# The served benchmark's process helpers (stdlib only).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "served"))
from procs import free_ports, memory_kib  # noqa: E402

DIM = 32
CLASS = "Tenanted"


class Server:
    def __init__(self, binary, data):
        self.binary, self.data = binary, data
        self.port, self.data_port, self.grpc_port = free_ports(3)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
               "PERSISTENCE_DATA_PATH": self.data, "CLUSTER_HOSTNAME": "bench",
               "CLUSTER_DATA_BIND_PORT": str(self.data_port), "GRPC_PORT": str(self.grpc_port),
               "LOG_LEVEL": "warn", "LOG_FORMAT": "text"}
        log = open(os.path.join(os.path.dirname(self.data), "shoal.log"), "a")
        started = time.monotonic()
        self.proc = subprocess.Popen([self.binary, "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=env, stdout=log, stderr=subprocess.STDOUT)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                if requests.get(f"{self.url}/v1/.well-known/ready", timeout=1).ok:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.02)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)

    def rss_mb(self):
        return memory_kib([self.proc.pid], "VmRSS") / 1024

    def settled_rss_mb(self):
        """RSS once the server's heap trimmer (every 5 s) has returned freed memory: the lowest
        of 7 s of readings."""
        lowest = self.rss_mb()
        deadline = time.monotonic() + 7
        while time.monotonic() < deadline:
            time.sleep(0.25)
            lowest = min(lowest, self.rss_mb())
        return lowest


def check(r):
    if not r.ok:
        raise RuntimeError(f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}")
    return r


def tenant(i):
    return f"tenant-{i:06d}"


def set_status(s, url, names, status):
    for lo in range(0, len(names), 100):
        body = [{"name": n, "activityStatus": status} for n in names[lo:lo + 100]]
        check(s.put(f"{url}/v1/schema/{CLASS}/tenants", json=body))


def near_vector(s, url, name, vector):
    q = "{ Get { %s(tenant: \"%s\", nearVector: {vector: %s}, limit: 5) { _additional { id distance } } } }" % (
        CLASS, name, list(map(float, vector)))
    r = check(s.post(f"{url}/v1/graphql", json={"query": q}))
    if "errors" in r.json():
        raise RuntimeError(r.text[:300])


def percentiles(samples):
    a = np.array(samples) * 1000
    return f"p50 {np.percentile(a, 50):.2f} ms, p99 {np.percentile(a, 99):.2f} ms, n={len(a)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--tenants", type=int, default=100_000)
    ap.add_argument("--filled", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="10,000 tenants, 1,000 filled")
    args = ap.parse_args()
    if args.quick:
        args.tenants, args.filled = 10_000, 1_000
    rng = np.random.default_rng(15)
    work = tempfile.mkdtemp(prefix="shoal-tenants-bench-")
    server = Server(args.binary, os.path.join(work, "data"))
    server.start()
    s = requests.Session()
    url = server.url
    try:
        check(s.post(f"{url}/v1/schema", json={
            "class": CLASS, "vectorizer": "none",
            "multiTenancyConfig": {"enabled": True, "autoTenantActivation": True},
            "properties": [{"name": "n", "dataType": ["int"]}]}))
        rss_empty = server.settled_rss_mb()
        names = [tenant(i) for i in range(args.tenants)]
        t0 = time.monotonic()
        for lo in range(0, len(names), 100):
            check(s.post(f"{url}/v1/schema/{CLASS}/tenants", json=[{"name": n} for n in names[lo:lo + 100]]))
        created = time.monotonic() - t0
        print(f"tenants created: {args.tenants:,} in {created:.1f} s = {args.tenants / created:,.0f} tenants/s")
        rss_created = server.settled_rss_mb()
        print(f"RSS: empty class {rss_empty:.1f} MB; with {args.tenants:,} tenants (none loaded) "
              f"{rss_created:.1f} MB = {(rss_created - rss_empty) * 1024 * 1024 / args.tenants:,.0f} B per idle "
              f"unloaded tenant (target: an idle COLD tenant under 2,048 B)")

        filled = names[:args.filled]
        t0 = time.monotonic()
        for lo in range(0, len(filled), 100):
            objects = [{"class": CLASS, "tenant": n, "id": str(uuid.uuid4()), "properties": {"n": j},
                        "vector": rng.standard_normal(DIM).round(4).tolist()}
                       for n in filled[lo:lo + 100] for j in range(10)]
            r = check(s.post(f"{url}/v1/batch/objects", json={"objects": objects}))
            failed = [o for o in r.json() if o.get("result", {}).get("errors")]
            if failed:
                raise RuntimeError(f"import failed: {failed[0]}")
        imported = time.monotonic() - t0
        print(f"imported: 10 objects into each of {args.filled:,} tenants in {imported:.1f} s "
              f"= {10 * args.filled / imported:,.0f} objects/s; RSS {server.rss_mb():.1f} MB")

        set_status(s, url, filled, "COLD")
        rss_cold = server.settled_rss_mb()
        print(f"RSS after the import with every tenant COLD (no shard loaded; what the import left "
              f"in the process, not broken down): {rss_cold:.1f} MB")
        set_status(s, url, filled, "HOT")
        query = rng.standard_normal(DIM)
        t0 = time.monotonic()
        for n in filled:
            near_vector(s, url, n, query)
        loaded = time.monotonic() - t0
        rss_hot = server.settled_rss_mb()
        print(f"first query on each of {args.filled:,} HOT tenants (loads it): {loaded:.1f} s; "
              f"RSS {rss_hot:.1f} MB = {(rss_hot - rss_cold) * 1024 * 1024 / args.filled:,.0f} B per idle loaded HOT tenant")

        server.stop()
        ready = server.start()
        print(f"restart with {args.tenants:,} tenants: ready in {ready:.2f} s (target: under 10 s); "
              f"RSS {server.settled_rss_mb():.1f} MB")

        set_status(s, url, filled[:200], "COLD")
        first = []
        for n in filled[:200]:
            t0 = time.monotonic()
            near_vector(s, url, n, query)
            first.append(time.monotonic() - t0)
        print(f"first query on a COLD tenant (auto-activation, then load): {percentiles(first)}, "
              f"max {max(first) * 1000:.1f} ms")

        hot = filled[-1]
        near_vector(s, url, hot, query)
        alone = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            near_vector(s, url, hot, rng.standard_normal(DIM))
            alone.append(time.monotonic() - t0)
        print(f"queries on one HOT tenant, alone: {percentiles(alone)}")
        stop = threading.Event()
        imported_during = [0] * 10

        def importer(k):
            sess = requests.Session()
            name = names[-1 - k]
            while not stop.is_set():
                objects = [{"class": CLASS, "tenant": name, "properties": {"n": j},
                            "vector": np.random.default_rng().standard_normal(DIM).round(4).tolist()}
                           for j in range(100)]
                check(sess.post(f"{url}/v1/batch/objects", json={"objects": objects}))
                imported_during[k] += 100

        threads = [threading.Thread(target=importer, args=(k,)) for k in range(10)]
        for t in threads:
            t.start()
        busy = []
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                near_vector(s, url, hot, rng.standard_normal(DIM))
                busy.append(time.monotonic() - t0)
        finally:
            stop.set()
            for t in threads:
                t.join()
        print(f"queries on one HOT tenant while 10 other tenants import "
              f"({sum(imported_during) / 10:,.0f} objects/s): {percentiles(busy)}")
    finally:
        if server.proc and server.proc.poll() is None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
