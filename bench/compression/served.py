"""The server part of the compression benchmark: per scheme, a fresh Shoal server (the given
binary, free loopback ports, ASYNC_INDEXING=false, a temporary data directory), a class whose
vectorIndexConfig enables the scheme, a REST batch import encoded before the clock, the wait
until /v1/nodes?output=verbose shows the shard indexed with n objects and `compressed: true`,
the server's VmRSS after 2 s idle, and recall@10 of a GraphQL nearVector query (limit 10) per
query. One JSON line per scheme on stdout; progress on stderr.

    python served.py DATASET_DIR --shoal BIN --tmp DIR --log-dir DIR \
        [--pq-segments 32,16] [--pq-ef -1,500] [--settings none,pq,bq,sq,rq8,rq1]

Class settings: maxConnections 16, efConstruction 128, ef -1 (dynamic: 100 for limit 10, as
in the in-process run), the dataset's distance; the compression block with Weaviate's defaults
except `trainingLimit` (PQ and SQ), which is set to min(100000, n) so that a dataset smaller
than the default 100,000 trains at all (the record says which limit was used). `--pq-ef` runs each
PQ setting once per listed `ef` (-1, the default, is the dynamic one); a fixed `ef` is how a
Weaviate user trades PQ's QPS for recall, and the setting's name then ends in `ef=N`. The server
process and its helpers are reused from bench/served (procs.py, shoal_peer.py, load.py).
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "served"))
sys.path.append(os.path.join(HERE, "..", "hnsw"))  # appended: bench/served has a report.py too
import shoal_peer as sp  # noqa: E402
from common import emit, load_dataset, progress, recall_at_k  # noqa: E402
from load import post_sequential  # noqa: E402
from procs import Interference, memory_kib  # noqa: E402

CLASS = "Compressed"
HNSW = {"maxConnections": 16, "efConstruction": 128, "ef": -1}
DEFAULT_TRAINING_LIMIT = 100_000
IDLE_BEFORE_RSS = 2.0
COMPRESS_TIMEOUT = 1800


def schemes(keys, segments, n, pq_efs=(-1,)):
    """(setting name, key, vectorIndexConfig block) per wanted scheme."""
    limit = min(DEFAULT_TRAINING_LIMIT, n)
    out = [("none", "none", {})]
    out += [(f"pq segments={s}" + (f" ef={ef}" if ef != -1 else ""), "pq",
             {"pq": {"enabled": True, "segments": s, "trainingLimit": limit}, "ef": ef})
            for s in segments for ef in pq_efs]
    out += [("bq", "bq", {"bq": {"enabled": True}}),
            ("sq", "sq", {"sq": {"enabled": True, "trainingLimit": limit}}),
            ("rq bits=8", "rq8", {"rq": {"enabled": True, "bits": 8}}),
            ("rq bits=1", "rq1", {"rq": {"enabled": True, "bits": 1}})]
    return [s for s in out if s[1] in keys]


def shards(peer):
    r = peer.http.get(f"{peer.url}/v1/nodes/{CLASS}", params={"output": "verbose"})
    r.raise_for_status()
    return [s for node in r.json()["nodes"] for s in (node.get("shards") or [])]


def wait_compressed(peer, start):
    deadline = time.monotonic() + COMPRESS_TIMEOUT
    while time.monotonic() < deadline:
        found = shards(peer)
        if found and all(s.get("compressed") for s in found):
            return time.perf_counter() - start
        time.sleep(0.2)
    raise RuntimeError(f"not compressed after {COMPRESS_TIMEOUT} s: {found}")


def run_scheme(args, meta, enc, gt, name, key, block, log_dir):
    n = meta["n"]
    per_batch, bodies, gql = enc["per_batch"], enc["rest"], enc["graphql"]
    pq_tag = f"{block['pq']['segments']}-ef{block['ef']}" if "pq" in block else ""
    log = os.path.join(log_dir, f"shoal-{meta['name']}-{key}{pq_tag}.log")
    peer = sp.ShoalPeer(args.shoal, False, meta["metric"], log, args.tmp)
    steps = {}
    try:
        body = {"class": CLASS, "vectorizer": "none", "vectorIndexType": "hnsw",
                "vectorIndexConfig": dict(HNSW, distance=meta["metric"], **block),
                "properties": [{"name": "row", "dataType": ["int"]}]}
        r = peer.http.post(peer.url + "/v1/schema", json=body)
        if r.status_code != 200:
            raise RuntimeError(f"creating {CLASS} with {block}: {r.status_code} {r.text}")
        progress(f"served {meta['name']} {name}: REST import of {n:,} objects")
        with Interference(peer.server, "import + index") as busy:
            start, import_seconds, answers = post_sequential("127.0.0.1", peer.port, "/v1/batch/objects", bodies)
            indexed_seconds, _ = peer.wait_indexed(CLASS, n, start)
        steps[busy.step] = busy.other
        compressed_seconds = None
        if block:
            with Interference(peer.server, "compress") as busy:
                compressed_seconds = wait_compressed(peer, start)
            steps[busy.step] = busy.other
        # After the clocks: parsing every answer (each echoes its vector) takes seconds here.
        peer.check_rest(answers, n)
        del answers
        time.sleep(IDLE_BEFORE_RSS)
        tree = peer.server.tree()
        rss, hwm = memory_kib(tree, "VmRSS") * 1024, memory_kib(tree, "VmHWM") * 1024
        progress(f"served {meta['name']} {name}: indexed {indexed_seconds:.1f} s, compressed "
                 f"{compressed_seconds if compressed_seconds is not None else '-'} s, RSS {rss / 1e6:.0f} MB")
        peer.graphql_ids(gql[:20], CLASS)  # warm-up
        with Interference(peer.server, "recall") as busy:
            t0 = time.perf_counter()
            ids = peer.graphql_ids(gql, CLASS)
            query_seconds = time.perf_counter() - t0
        steps[busy.step] = busy.other
        recall = recall_at_k(ids, gt, meta["k"])
        emit({"engine": "shoal-server", "dataset": meta["name"], "kind": "served", "setting": name,
              "scheme": key, "config": block, "version": peer.version(), "n": n, "per_batch": per_batch,
              "recall": recall, "queries": len(ids), "qps_graphql_1_client": len(ids) / query_seconds,
              "rss_bytes": rss, "hwm_bytes": hwm, "processes": len(tree),
              "import_seconds": import_seconds, "indexed_seconds": indexed_seconds,
              "compressed_seconds": compressed_seconds, "other_cpu": steps})
        progress(f"served {meta['name']} {name}: recall@10 {recall:.4f}")
    finally:
        peer.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset_dir")
    ap.add_argument("--shoal", required=True)
    ap.add_argument("--tmp", required=True, help="data directories and the pid file (run.sh's trap)")
    ap.add_argument("--log-dir", required=True)
    ap.add_argument("--pq-segments", default="")
    ap.add_argument("--pq-ef", default="-1", help="comma list of ef values to run each PQ setting with")
    ap.add_argument("--settings", default="none,pq,bq,sq,rq8,rq1")
    args = ap.parse_args()
    meta, base, queries, gt = load_dataset(args.dataset_dir)
    segments = [int(s) for s in args.pq_segments.split(",") if s] or [meta["dim"] // 4, meta["dim"] // 8]
    per_batch = 1000 if meta["dim"] <= 128 else 250
    progress(f"served {meta['name']}: encoding every request body once, for all schemes")
    enc = {"per_batch": per_batch, "rest": sp.rest_bodies(CLASS, base, per_batch),
           "graphql": sp.graphql_bodies(CLASS, queries)}
    failed = []
    pq_efs = [int(e) for e in args.pq_ef.split(",") if e]
    for name, key, block in schemes(set(args.settings.split(",")), segments, meta["n"], pq_efs):
        try:
            run_scheme(args, meta, enc, gt, name, key, block, args.log_dir)
        except Exception as e:  # noqa: BLE001 - the other schemes still run; exit 1 at the end
            progress(f"served {meta['name']} {name}: FAILED: {e}")
            failed.append(name)
    if failed:
        progress("served: failed: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
