"""Measures Shoal through its HTTP API on a prepared dataset: starts target/release/shoal on a
free loopback port with a temporary data directory, creates an hnsw class with the given
maxConnections / efConstruction, imports the base vectors with POST /v1/batch/objects, then
for every ef (set with PUT /v1/schema/{class}) sends every query as a GraphQL nearVector Get
from --threads client threads and reports QPS and recall@10. Stops the server with SIGTERM.

    python http_bench.py DATASET_DIR --shoal target/release/shoal --m 16 --ef-construction 128

Object ids are UUID(int=row), so results map back to row numbers. One JSON line per
measurement on stdout (fields as in hnswlib_bench.py), progress on stderr. Request bodies are
serialised before the clock starts; the rest is end-to-end: HTTP, the server's JSON and
GraphQL work and the client's response parsing are included, and the Python client threads
share the machine's cores with the server (at a few thousand QPS the client is the limit).
"""

import argparse
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

from common import anon_rss_bytes, emit, load_dataset, progress, recall_at_k

CLASS_NAME = "BenchVector"
READY_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 600
STOP_TIMEOUT_SECONDS = 60
JSON_HEADERS = {"content-type": "application/json"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset_dir")
    parser.add_argument("--shoal", required=True, help="path of the shoal binary")
    parser.add_argument("--m", type=int, default=16, help="maxConnections")
    parser.add_argument("--ef-construction", type=int, default=128)
    parser.add_argument("--ef", default="16,32,64,128,256", help="comma list of query ef values")
    parser.add_argument("--threads", type=int, default=2, help="client threads for import and queries")
    parser.add_argument("--batch", type=int, default=1000, help="objects per batch request")
    parser.add_argument("--log", help="file for the server's log (default: discarded)")
    args = parser.parse_args()
    ef_values = [int(v) for v in args.ef.split(",")]

    meta, base, queries, gt = load_dataset(args.dataset_dir)
    common = {"engine": "shoal-http", "dataset": meta["name"], "m": args.m,
              "ef_construction": args.ef_construction}

    data_dir = tempfile.mkdtemp(prefix="shoal-bench-")
    server = None
    try:
        server, url = start_server(args.shoal, data_dir, args.log)
        session = requests.Session()
        create_class(session, url, meta["metric"], args.m, args.ef_construction)

        bodies = import_bodies(base, args.batch)
        rss_before = anon_rss_bytes(server.pid)
        seconds = import_objects(url, bodies, meta["n"], args.threads, meta["name"])
        rss_after = anon_rss_bytes(server.pid)
        emit({**common, "kind": "build", "n": meta["n"], "dim": meta["dim"], "threads": args.threads,
              "seconds": seconds, "objects_per_second": meta["n"] / seconds,
              "server_rss_delta_bytes": None if rss_before is None else rss_after - rss_before})
        progress(f"http {meta['name']}: imported {meta['n']:,} objects in {seconds:.1f} s "
                 f"({meta['n'] / seconds:,.0f} objects/s)")

        ceiling = client_ceiling(url, len(queries), args.threads)
        emit({**common, "kind": "client_ceiling", "threads": args.threads, "qps": ceiling})
        progress(f"http: client ceiling {ceiling:,.0f} requests/s (GET /v1/.well-known/live, "
                 f"{args.threads} client threads)")

        query_bodies = [graphql_body(np.asarray(q, dtype=np.float32).tolist(), meta["k"]) for q in queries]
        for ef in ef_values:
            set_ef(session, url, ef)
            rows, seconds = run_queries(url, query_bodies, args.threads)
            recall = recall_at_k(rows, gt, meta["k"])
            qps = len(query_bodies) / seconds
            emit({**common, "kind": "query", "ef": ef, "threads": args.threads, "recall": recall, "qps": qps})
            progress(f"http {meta['name']} M={args.m} ef={ef}: recall@10 {recall:.4f}, {qps:,.0f} QPS "
                     f"({args.threads} client threads)")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# the server process


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary, data_dir, log_path):
    if not os.path.exists(binary):
        raise SystemExit(f"{binary} does not exist: build it with cargo build --release --bin shoal")
    port = free_port()
    env = dict(os.environ)
    env.update({
        "PERSISTENCE_DATA_PATH": data_dir,
        "CLUSTER_HOSTNAME": "bench-node",
        "CLUSTER_DATA_BIND_PORT": str(free_port()),
        "GRPC_PORT": str(free_port()),
        "LOG_LEVEL": "warning",
        "LOG_FORMAT": "text",
    })
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    server = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"shoal exited with code {server.returncode} before it was ready")
        try:
            if requests.get(f"{url}/v1/.well-known/ready", timeout=2).status_code == 200:
                progress(f"http: shoal (pid {server.pid}) ready on {url}, data in {data_dir}")
                return server, url
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"shoal was not ready within {READY_TIMEOUT_SECONDS} s")


def stop_server(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            progress("http: shoal did not stop after SIGTERM; killing it")
            server.kill()
            server.wait()
    progress(f"http: shoal stopped (exit code {server.returncode})")


# ---------------------------------------------------------------------------------------------
# requests


def check(response, what):
    if response.status_code >= 300:
        raise SystemExit(f"{what}: HTTP {response.status_code}: {response.text[:500]}")
    return response


def create_class(session, url, metric, m, ef_construction):
    body = {
        "class": CLASS_NAME,
        "vectorizer": "none",
        "vectorIndexType": "hnsw",
        "vectorIndexConfig": {"distance": metric, "maxConnections": m, "efConstruction": ef_construction},
        "properties": [],
    }
    check(session.post(f"{url}/v1/schema", json=body, timeout=REQUEST_TIMEOUT_SECONDS), "create class")


def set_ef(session, url, ef):
    """GET the class, change vectorIndexConfig.ef, PUT it back (ef is mutable)."""
    current = check(session.get(f"{url}/v1/schema/{CLASS_NAME}", timeout=REQUEST_TIMEOUT_SECONDS), "get class").json()
    current["vectorIndexConfig"]["ef"] = ef
    check(session.put(f"{url}/v1/schema/{CLASS_NAME}", json=current, timeout=REQUEST_TIMEOUT_SECONDS), f"set ef {ef}")


def row_uuid(row):
    return str(uuid.UUID(int=row))


def import_bodies(base, batch_size):
    """The request bodies of the import, serialised before the clock starts: (row count, bytes)
    per batch of `batch_size` rows, each object with id UUID(int=row)."""
    bodies = []
    for first in range(0, len(base), batch_size):
        rows = np.asarray(base[first:first + batch_size], dtype=np.float32)
        objects = [{"class": CLASS_NAME, "id": row_uuid(first + i), "vector": row.tolist()}
                   for i, row in enumerate(rows)]
        bodies.append((len(rows), json.dumps({"objects": objects}).encode()))
    return bodies


def import_objects(url, bodies, n, threads, name):
    """POSTs every batch body to /v1/batch/objects from `threads` client threads, in order;
    returns the seconds taken."""
    next_body = iter(bodies)
    lock = threading.Lock()
    done = [0]
    errors = []

    def worker():
        session = requests.Session()
        while True:
            with lock:
                item = next(next_body, None)
            if item is None or errors:
                return
            count, body = item
            response = session.post(f"{url}/v1/batch/objects", data=body, headers=JSON_HEADERS,
                                    timeout=REQUEST_TIMEOUT_SECONDS)
            failed = batch_errors(response)
            with lock:
                if failed:
                    errors.append(failed)
                before = done[0]
                done[0] += count
                if done[0] // 20_000 > before // 20_000 or done[0] == n:
                    progress(f"http {name}: imported {done[0]:,}/{n:,}")

    start = time.perf_counter()
    run_threads(worker, threads)
    seconds = time.perf_counter() - start
    if errors:
        raise SystemExit(f"import failed: {errors[0]}")
    return seconds


def batch_errors(response):
    """The first error of a batch response, or None."""
    if response.status_code >= 300:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    for item in response.json():
        result = item.get("result") or {}
        if result.get("errors"):
            return str(result["errors"])[:500]
    return None


def graphql_body(vector, k):
    """The serialised request body of one nearVector query."""
    numbers = ",".join(repr(x) for x in vector)
    query = ("{Get{" + CLASS_NAME + "(nearVector:{vector:[" + numbers + "]} limit:" + str(k)
             + "){_additional{id}}}}")
    return json.dumps({"query": query}).encode()


def run_queries(url, bodies, threads):
    """Sends every query body once, spread over `threads` client threads; returns (row numbers
    found per query, seconds)."""
    rows = [None] * len(bodies)
    next_query = iter(range(len(bodies)))
    lock = threading.Lock()
    errors = []

    def worker():
        session = requests.Session()
        while True:
            with lock:
                i = next(next_query, None)
            if i is None or errors:
                return
            response = session.post(f"{url}/v1/graphql", data=bodies[i], headers=JSON_HEADERS,
                                    timeout=REQUEST_TIMEOUT_SECONDS)
            body = response.json() if response.status_code == 200 else {}
            if response.status_code != 200 or body.get("errors"):
                with lock:
                    errors.append(f"HTTP {response.status_code}: {response.text[:500]}")
                return
            hits = body["data"]["Get"][CLASS_NAME]
            rows[i] = [uuid.UUID(hit["_additional"]["id"]).int for hit in hits]

    start = time.perf_counter()
    run_threads(worker, threads)
    seconds = time.perf_counter() - start
    if errors:
        raise SystemExit(f"query failed: {errors[0]}")
    return rows, seconds


def client_ceiling(url, count, threads):
    """Requests per second of the trivial GET /v1/.well-known/live from `threads` client
    threads: how fast this client can go at all, the bound on the GraphQL QPS above."""
    remaining = iter(range(count))
    lock = threading.Lock()

    def worker():
        session = requests.Session()
        while True:
            with lock:
                i = next(remaining, None)
            if i is None:
                return
            check(session.get(f"{url}/v1/.well-known/live", timeout=REQUEST_TIMEOUT_SECONDS), "live")

    start = time.perf_counter()
    run_threads(worker, threads)
    return count / (time.perf_counter() - start)


def run_threads(target, count):
    workers = [threading.Thread(target=target) for _ in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


if __name__ == "__main__":
    sys.exit(main())
