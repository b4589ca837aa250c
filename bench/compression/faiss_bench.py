"""faiss (from PyPI) as the reference of the compression benchmark: on a prepared dataset (format:
bench/hnsw/common.py), builds IndexHNSWFlat (none), IndexHNSWPQ (each --pq-segments, 8 bits),
IndexHNSWSQ (QT_8bit) and IndexBinaryHNSW (one sign bit per dimension), with the parameters of
Shoal's example (src/vector-index/examples/compression_bench.rs), and prints one JSON line per
index with the same fields.

    python faiss_bench.py DATASET_DIR [--pq-segments 32,16] [--settings none,pq,sq,bq] [--repeat 3]

- Parameters: M = 16, efConstruction = 128, efSearch = max(100, candidates) (Shoal's dynamic ef
  for k = 10 is 100). Cosine data is normalized and searched with L2, which ranks the same.
- Rescoring, as Shoal does it: a compressed index returns as many candidates as Shoal rescores
  for that method with its defaults (PQ and BQ: max(k, rescoreLimit, ef), so 100 and 1000; SQ:
  its best rescoreLimit, 20, of the ef it searched, as Weaviate does), whose exact distances to
  the full float32 vectors are then computed (numpy gather and sum, inside the timed loop) and
  the best 10 kept. `none` searches k = 10 directly.
- Queries: faiss.omp_set_num_threads(1) (and one BLAS thread), searched in batches of
  --batch queries, the fastest of --repeat passes after one untimed pass.
- Memory per vector: the size of faiss.serialize_index(_binary) of the HNSW index (graph plus
  codes and codebooks, or full vectors for none) divided by n. The full vectors used for
  rescoring are not counted, as Shoal's figure does not count them (it reads them back).
- Times: train (PQ: on at most 100,000 sampled vectors, Shoal's trainingLimit; SQ: on all
  of them, which only sets ranges) and encode (sa_encode of every vector) on all cores, and
  the graph build (add) on all cores, separately.
"""

import argparse
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(os.cpu_count() or 1))  # the build uses every core

import faiss  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hnsw"))
from common import emit, load_dataset, progress, recall_at_k  # noqa: E402

M = 16
EF_CONSTRUCTION = 128
DYNAMIC_EF = 100  # Shoal's ef for k = 10: max(dynamicEfMin 100, 8 * k)
TRAINING_LIMIT = 100_000  # Shoal's (Weaviate's) default pq/sq trainingLimit
# Shoal's rescoreLimit defaults (src/vector-index/src/quantization/params.rs)
RESCORE_LIMIT = {"pq": 100, "sq": 20, "bq": 1000}
SETTING_KEYS = ["none", "pq", "bq", "sq"]


def candidates(key, k):
    """Candidates rescored; the search's efSearch is max(DYNAMIC_EF, this)."""
    if key == "none":
        return 0
    if key == "sq":
        return max(k, RESCORE_LIMIT[key])
    return max(k, RESCORE_LIMIT[key], DYNAMIC_EF)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset_dir")
    ap.add_argument("--pq-segments", default="", help="comma list; default dim/4,dim/8")
    ap.add_argument("--settings", default=",".join(SETTING_KEYS), help="some of " + ",".join(SETTING_KEYS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16, help="queries per search call")
    args = ap.parse_args()

    meta, base, queries, gt = load_dataset(args.dataset_dir)
    k, n, dim = meta["k"], meta["n"], meta["dim"]
    xb = np.array(base, dtype=np.float32)  # a copy: the memory map is read-only
    xq = np.array(queries, dtype=np.float32)
    if meta["metric"] == "cosine":
        xb /= np.linalg.norm(xb, axis=1, keepdims=True)
        xq /= np.linalg.norm(xq, axis=1, keepdims=True)
    segments = [int(s) for s in args.pq_segments.split(",") if s] or [dim // 4, dim // 8]
    keys = [s for s in args.settings.split(",") if s]
    common = {"engine": "faiss", "dataset": meta["name"], "m": M, "ef_construction": EF_CONSTRUCTION,
              "faiss_version": faiss.__version__}
    rng = np.random.default_rng(7)
    sample = xb[np.sort(rng.choice(n, size=min(n, TRAINING_LIMIT), replace=False))]

    builders = []
    if "none" in keys:
        builders.append(("none", "none", None, lambda: faiss.IndexHNSWFlat(dim, M)))
    if "pq" in keys:
        for s in segments:
            builders.append((f"pq segments={s}", "pq", s, lambda s=s: faiss.IndexHNSWPQ(dim, s, M, 8)))
    if "bq" in keys:
        builders.append(("bq", "bq", None, lambda: faiss.IndexBinaryHNSW(dim, M)))
    if "sq" in keys:
        builders.append(("sq", "sq", None, lambda: faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, M)))

    for name, key, seg, make in builders:
        binary = key == "bq"
        data, qdata = (sign_bits(xb), sign_bits(xq)) if binary else (xb, xq)
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        index = make()
        index.hnsw.efConstruction = EF_CONSTRUCTION
        start = time.perf_counter()
        train_seconds = encode_seconds = None
        if key == "pq":
            faiss.downcast_index(index.storage).pq.cp.min_points_per_centroid = 1  # no warning below 39 points per centroid
        if key in ("pq", "sq"):
            index.train(sample if key == "pq" else xb)
            train_seconds = time.perf_counter() - start
            start = time.perf_counter()
            index.storage.sa_encode(xb)
            encode_seconds = time.perf_counter() - start
            start = time.perf_counter()
        index.add(data)
        build_seconds = time.perf_counter() - start
        size = len(faiss.serialize_index_binary(index) if binary else faiss.serialize_index(index))

        faiss.omp_set_num_threads(1)
        cands = candidates(key, k)
        index.hnsw.efSearch = max(DYNAMIC_EF, cands)
        ids, seconds = timed(lambda: search_all(index, qdata, xb, xq, k, cands, args.batch), args.repeat)
        recall = recall_at_k(ids, gt, k)
        emit({**common, "kind": "setting", "setting": name, "scheme": key, "segments": seg,
              "index": type(index).__name__, "recall": recall, "qps": len(xq) / seconds, "threads": 1,
              "repeat": args.repeat, "ef": index.hnsw.efSearch, "rescore_candidates": cands,
              "rescore": "numpy exact distances over the candidates, timed" if cands else None,
              "memory_bytes": size, "bytes_per_vector": size / n,
              "memory_source": "len(serialize_index) / n (graph + codes; rescoring vectors not counted)",
              "train_seconds": train_seconds, "encode_seconds": encode_seconds,
              "compress_seconds": None if train_seconds is None else train_seconds + encode_seconds,
              "build_seconds": build_seconds})
        progress(f"faiss {meta['name']}: {name}: recall@10 {recall:.4f}, {len(xq) / seconds:,.0f} QPS, "
                 f"{size / n:.1f} bytes/vector, build {build_seconds:.1f} s")
        del index


def sign_bits(x):
    """One bit per dimension, set when the component is positive, packed 8 to a byte."""
    return np.packbits(x > 0, axis=1)


def timed(fn, repeat):
    fn()  # untimed
    best, result = None, None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return result, best


def search_all(index, qdata, xb, xq, k, cands, batch):
    """Top-k ids of every query; with `cands`, the candidates are rescored with full vectors."""
    out = []
    for lo in range(0, len(qdata), batch):
        _, ids = index.search(qdata[lo:lo + batch], cands or k)
        if not cands:
            out.extend(ids)
            continue
        safe = np.where(ids < 0, 0, ids)
        diff = xb[safe] - xq[lo:lo + batch, None, :]
        dist = np.einsum("qrd,qrd->qr", diff, diff)
        dist[ids < 0] = np.inf
        best = np.argpartition(dist, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(dist, best, axis=1).argsort(axis=1)
        out.extend(np.take_along_axis(np.take_along_axis(safe, best, axis=1), order, axis=1))
    return out


if __name__ == "__main__":
    main()
