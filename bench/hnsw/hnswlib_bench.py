"""Builds and queries hnswlib (the reference) on a prepared dataset, printing one JSON line per
measurement with the same fields as Shoal's example (src/vector-index/examples/hnsw_bench.rs).

    python hnswlib_bench.py DATASET_DIR --m 16 --ef-construction 128

Build: add_items on all cores (num_threads = os.cpu_count()), in chunks of --chunk rows for
progress. Queries: one knn_query call over all queries with num_threads=1, so the loop runs in
C++ on one thread (no per-query Python overhead), best of --repeat passes per ef.
Bytes per vector: the size of the file save_index writes (vectors, level-0 and upper-level links,
labels), divided by n; the growth of anonymous resident memory during the build is printed too.
Filtered: knn_query with a Python `filter` callback (hnswlib's only filter interface), so its
QPS includes a Python call per visited candidate; its recall is the comparable number.
hnswlib returns exactly k results or raises, hence mean_returned = k.
"""

import argparse
import os
import tempfile
import time

import hnswlib
import numpy as np

from common import anon_rss_bytes, emit, load_dataset, load_filter, progress, recall_at_k

HNSWLIB_SPACE = {"cosine": "cosine", "l2-squared": "l2"}  # hnswlib's "l2" is squared L2


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset_dir")
    parser.add_argument("--m", type=int, default=16, help="hnswlib M = Shoal's maxConnections (upper layers)")
    parser.add_argument("--ef-construction", type=int, default=128)
    parser.add_argument("--ef", default="16,32,64,128,256", help="comma list of query ef values")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per ef; the fastest counts")
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per add_items call")
    parser.add_argument("--no-filtered", action="store_true", help="skip the filtered run")
    parser.add_argument("--seed", type=int, default=100, help="hnswlib random_seed (level generation)")
    args = parser.parse_args()
    ef_values = [int(v) for v in args.ef.split(",")]

    meta, base, queries, gt = load_dataset(args.dataset_dir)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    common = {"engine": "hnswlib", "dataset": meta["name"], "m": args.m, "ef_construction": args.ef_construction}

    index, build = build_index(base, meta, args)
    emit({**common, **build})

    index.set_num_threads(1)
    index.set_ef(64)
    index.knn_query(queries, k=meta["k"], num_threads=1)  # warm-up, untimed
    for ef in ef_values:
        index.set_ef(ef)
        recall, qps = timed_queries(index, queries, gt, meta["k"], args.repeat)
        emit({**common, "kind": "query", "ef": ef, "threads": 1, "recall": recall, "qps": qps,
              "mean_returned": float(meta["k"])})
        progress(f"hnswlib {meta['name']} M={args.m} ef={ef}: recall@10 {recall:.4f}, {qps:,.0f} QPS")

    allow, gt_filtered = load_filter(args.dataset_dir, meta)
    if allow is not None and not args.no_filtered:
        for ef in ef_values:
            index.set_ef(ef)
            recall, qps = filtered_queries(index, queries, gt_filtered, allow, meta)
            emit({**common, "kind": "filtered", "ef": ef, "threads": 1, "allow_count": len(allow),
                  "path": "python filter callback", "recall": recall, "qps": qps,
                  "mean_returned": float(meta["k"])})
            progress(f"hnswlib {meta['name']} M={args.m} filtered ef={ef}: recall@10 {recall:.4f}")


def build_index(base, meta, args):
    n, dim = meta["n"], meta["dim"]
    threads = os.cpu_count() or 1
    rss_before = anon_rss_bytes()
    start = time.perf_counter()
    index = hnswlib.Index(space=HNSWLIB_SPACE[meta["metric"]], dim=dim)
    index.init_index(max_elements=n, M=args.m, ef_construction=args.ef_construction, random_seed=args.seed)
    for first in range(0, n, args.chunk):
        last = min(first + args.chunk, n)
        index.add_items(base[first:last], np.arange(first, last), num_threads=threads)
        progress(f"hnswlib {meta['name']} M={args.m}: built {last:,}/{n:,} ({time.perf_counter() - start:.1f} s)")
    seconds = time.perf_counter() - start
    rss_after = anon_rss_bytes()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index.bin")
        index.save_index(path)
        file_bytes = os.path.getsize(path)
    return index, {
        "kind": "build",
        "n": n,
        "dim": dim,
        "threads": threads,
        "seconds": seconds,
        "memory_bytes": file_bytes,
        "memory_source": "save_index file size",
        "bytes_per_vector": file_bytes / n,
        "rss_delta_bytes": None if rss_before is None else rss_after - rss_before,
    }


def timed_queries(index, queries, gt, k, repeat):
    best = None
    labels = None
    for _ in range(repeat):
        start = time.perf_counter()
        labels, _distances = index.knn_query(queries, k=k, num_threads=1)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return recall_at_k(labels, gt, k), len(queries) / best


def filtered_queries(index, queries, gt_filtered, allow, meta):
    allowed = [False] * meta["n"]
    for i in allow:
        allowed[int(i)] = True
    start = time.perf_counter()
    labels, _distances = index.knn_query(queries, k=meta["k"], num_threads=1, filter=lambda label: allowed[label])
    elapsed = time.perf_counter() - start
    return recall_at_k(labels, gt_filtered, meta["k"]), len(queries) / elapsed


if __name__ == "__main__":
    main()
