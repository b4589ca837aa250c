"""Shared helpers of the HNSW benchmark scripts: the dataset directory format, recall@k, the
JSON-lines result records and memory readings.

A prepared dataset is a directory holding:

    meta.json         {"name", "dim", "n", "nq", "k", "metric", "recipe", ...}
    base.f32          n  x dim float32, little-endian, row-major (row i has id i)
    queries.f32       nq x dim float32
    gt.u32            nq x k   uint32: exact top-k ids per query, closest first
    allow.u32         the filter allow-list (sorted ids), when the dataset has one
    gt_filtered.u32   nq x k   exact top-k among the allow-list

`metric` is a Weaviate distance name: "cosine" or "l2-squared".
"""

import json
import os
import sys

import numpy as np

META_FILE = "meta.json"


def read_meta(dataset_dir):
    with open(os.path.join(dataset_dir, META_FILE)) as f:
        return json.load(f)


def load_matrix(dataset_dir, file_name, rows, cols, dtype):
    """Memory-maps a raw little-endian matrix (no copy until rows are touched)."""
    path = os.path.join(dataset_dir, file_name)
    expected = rows * cols * np.dtype(dtype).itemsize
    actual = os.path.getsize(path)
    if actual != expected:
        raise ValueError(f"{path}: {actual} bytes, expected {expected} ({rows} x {cols} {dtype})")
    return np.memmap(path, dtype=np.dtype(dtype).newbyteorder("<"), mode="r", shape=(rows, cols))


def load_dataset(dataset_dir):
    """Returns (meta, base, queries, gt) with base and queries memory-mapped float32."""
    meta = read_meta(dataset_dir)
    dim, n, nq, k = meta["dim"], meta["n"], meta["nq"], meta["k"]
    base = load_matrix(dataset_dir, "base.f32", n, dim, np.float32)
    queries = load_matrix(dataset_dir, "queries.f32", nq, dim, np.float32)
    gt = load_matrix(dataset_dir, "gt.u32", nq, k, np.uint32)
    return meta, base, queries, gt


def load_filter(dataset_dir, meta):
    """Returns (allow_ids, gt_filtered), or (None, None) when the dataset has no filter."""
    if not meta.get("allow_count"):
        return None, None
    allow = load_matrix(dataset_dir, "allow.u32", meta["allow_count"], 1, np.uint32)[:, 0]
    gt_filtered = load_matrix(dataset_dir, "gt_filtered.u32", meta["nq"], meta["k"], np.uint32)
    return np.array(allow), gt_filtered


def recall_at_k(results, gt, k):
    """Mean over queries of |returned ids within the first k  ∩  exact top-k ids| / k.

    `results` is a list (one per query) of id sequences; `gt` an nq x k array.
    """
    total = 0
    for returned, truth in zip(results, gt):
        total += len(set(int(i) for i in list(returned)[:k]) & set(int(i) for i in truth[:k]))
    return total / (k * len(gt))


def emit(record):
    """Prints one result record as a JSON line on stdout (run.sh collects these)."""
    print(json.dumps(record), flush=True)


def progress(message):
    """Progress for humans goes to stderr, so that stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def anon_rss_bytes(pid="self"):
    """Anonymous resident memory (heap, not memory-mapped files) of a process, from
    /proc/PID/status (Linux); None elsewhere. Memory-mapped dataset files stay out of it."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
