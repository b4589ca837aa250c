"""A prepared dataset cut to its first ROWS base rows, with its own exact ground truth, for a
shorter run of the 1M set (run.sh --c-rows). The queries are the same; the top-10 is computed
again over the kept rows by bench/hnsw/prepare.py's exact search. Prints the new directory
(beside the source, named SOURCE_firstROWS) and does nothing when it is already there.

    python subset.py ~/.cache/shoal-bench/data/gaussian_1m_128 300000
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hnsw"))
from common import load_dataset, progress  # noqa: E402
from prepare import K, exact_top_k, is_prepared, write_meta, write_raw  # noqa: E402


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    source, rows = sys.argv[1].rstrip("/"), int(sys.argv[2])
    meta, base, queries, _ = load_dataset(source)
    if not 0 < rows < meta["n"]:
        raise SystemExit(f"subset.py: ROWS must be between 1 and {meta['n'] - 1}")
    out = f"{source}_first{rows}"
    name = os.path.basename(out)
    if not is_prepared(out, {"n": rows, "source_recipe_version": meta["recipe_version"]}):
        os.makedirs(out, exist_ok=True)
        progress(f"subset: {name}: the first {rows:,} rows of {meta['name']}, exact top-{K} again")
        write_raw(os.path.join(out, "base.f32"), base[:rows])
        write_raw(os.path.join(out, "queries.f32"), queries)
        ids, ties = exact_top_k(base[:rows], queries, meta["metric"], K, progress_label=name)
        write_raw(os.path.join(out, "gt.u32"), ids.astype("uint32"))
        write_meta(out, {**{k: meta[k] for k in ("dim", "nq", "k", "metric")}, "name": name, "n": rows,
                         "source_recipe_version": meta["recipe_version"],
                         "recipe": f"the first {rows} base rows of {meta['name']} ({meta['recipe']})",
                         "boundary_ties": ties, "allow_count": 0})
    print(out)


if __name__ == "__main__":
    main()
