"""chromadb's own server (`chroma run`, PyPI chromadb 1.5.9, its Rust frontend) as the reference
peer measured in the same run: same vectors, ids and batch sizes, HNSW with M = 16
(`max_neighbors`), ef_construction 128, ef_search 64, through its v2 REST API."""

import json
import os
import time

import requests

from load import post_sequential
from procs import Server, free_ports
from shoal_peer import object_id, row_of

COLLECTION = "served-bench"
SPACE = {"l2-squared": "l2", "cosine": "cosine"}  # chroma's "l2" is the squared distance
POLL_SECONDS = 0.02


def add_bodies(base, per_batch):
    return [
        json.dumps({
            "ids": [object_id(lo + j) for j in range(len(chunk))],
            "embeddings": chunk.tolist(),
            "metadatas": [{"row": lo + j} for j in range(len(chunk))],
        }).encode()
        for lo in range(0, len(base), per_batch)
        for chunk in [base[lo:lo + per_batch]]
    ]


def query_bodies(queries):
    return [json.dumps({"query_embeddings": [q.tolist()], "n_results": 10, "include": ["distances"]}).encode()
            for q in queries]


class ChromaPeer:
    def __init__(self, venv_bin, metric, log_path, tmp):
        self.metric = metric
        (self.port,) = free_ports(1)
        self.base = f"http://127.0.0.1:{self.port}/api/v2/tenants/default_tenant/databases/default_database"
        # RUST_LOG=warn: its default logs two INFO lines per request; Shoal runs at LOG_LEVEL=warn
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False", NO_COLOR="1", RUST_LOG="warn")
        argv = [os.path.join(venv_bin, "chroma"), "run", "--path", os.path.join(tmp, f"chroma-{self.port}"),
                "--host", "127.0.0.1", "--port", str(self.port)]
        self.server = Server("chroma", argv, env, log_path, os.path.join(tmp, "pids"))
        self.server.wait_ready(f"http://127.0.0.1:{self.port}/api/v2/heartbeat")
        self.http = requests.Session()
        self.collection_id = None

    def max_batch(self):
        return self.http.get(f"http://127.0.0.1:{self.port}/api/v2/pre-flight-checks").json().get("max_batch_size")

    def stop(self):
        self.server.stop()

    def create(self):
        hnsw = {"space": SPACE[self.metric], "max_neighbors": 16, "ef_construction": 128, "ef_search": 64}
        r = self.http.post(self.base + "/collections", json={"name": COLLECTION, "configuration": {"hnsw": hnsw}})
        if r.status_code != 200:
            raise RuntimeError(f"chroma create: {r.status_code} {r.text}")
        got = r.json()["configuration_json"]["hnsw"]
        if any(got.get(k) != v for k, v in hnsw.items()):
            raise RuntimeError(f"chroma kept another HNSW configuration: {got}")
        self.collection_id = r.json()["id"]

    def path(self, what):
        return f"{self.base}/collections/{self.collection_id}/{what}"

    def import_rest(self, bodies):
        self.create()
        path = self.path("add").split(f":{self.port}", 1)[1]
        start, seconds, answers = post_sequential("127.0.0.1", self.port, path, bodies)
        for status, raw in answers:
            if status not in (200, 201):
                raise RuntimeError(f"chroma add answered {status}: {raw[:500]!r}")
        return start, seconds

    def wait_indexed(self, n, last_vector, last_row, start, timeout=1800):
        """Chroma acknowledges an add once it is in its log; its local mode applies the log to the
        HNSW segment before answering (its indexing_status endpoint is not implemented locally),
        so this waits until the count is n and the last imported vector finds itself."""
        body = {"query_embeddings": [last_vector.tolist()], "n_results": 1}
        deadline = time.monotonic() + timeout
        first = None
        while time.monotonic() < deadline:
            count = self.http.get(self.path("count")).json()
            ids = self.http.post(self.path("query"), json=body).json()["ids"][0]
            found = bool(ids) and row_of(ids[0]) == last_row
            first = first or {"objects": count, "self_found": found}
            if count == n and found:
                return time.perf_counter() - start, first
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"chroma not indexed after {timeout} s: count {count}")

    def query_url(self):
        return self.path("query")

    def query_ids(self, bodies):
        out = []
        for body in bodies:
            r = self.http.post(self.query_url(), data=body, headers={"Content-Type": "application/json"})
            if r.status_code != 200:
                raise RuntimeError(f"chroma query: {r.status_code} {r.text[:500]}")
            out.append([row_of(i) for i in r.json()["ids"][0]])
        return out
