"""The report of one compression-benchmark run, from its results.jsonl: per dataset a table with
Shoal in-process, faiss and Shoal through the server side by side, then issue 16's targets,
each with PASS/FAIL computed from the figures of this run.

    python report.py ~/.cache/shoal-bench/compression/<time>/results.jsonl

faiss has no rotational quantization: the RQ-8 row is held against faiss's SQ (8 bits per
dimension) and the RQ-1 row against faiss's binary HNSW (1 bit per dimension), marked "*".
Ratios: "mem x" = Shoal's bytes per vector / faiss's (< 1 is smaller); "QPS x" = Shoal / faiss.
"""

import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0] + "/../served")
from report import row  # noqa: E402  bench/served/report.py's right-aligned table row

BUSY_WARNING = 0.05
# faiss's nearest scheme, for the schemes faiss lacks
FAISS_PEER = {"rq8": "sq", "rq1": "bq"}
NAMES = {"jeopardy_10k": "a", "gaussian_100k_128": "b", "gaussian_1m_128": "c"}
# issue 16's thresholds
RECALL_SLACK = 0.01
PQ_MEMORY_FACTOR = 4.0
PQ_RECALL = 0.9
ONE_BIT_RECALL = 0.9
ONE_BIT_CODE_FACTOR = 32.0
CODE_FACTOR_TOLERANCE = 0.05  # per-vector scalars beside 1 bit per dimension (stated in the output)
FAISS_MEMORY_SLACK = 0.10
SERVED_RECALL = 0.95
SERVED_RSS_SHARE = 0.5


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def f(value, spec):
    return "-" if value is None else format(value, spec)


def ratio(a, b):
    return a / b if a is not None and b else None


def verdict(ok):
    return "PASS" if ok else "FAIL"


def render(records):
    out = []
    machine = next((r for r in records if r.get("kind") == "machine"), None)
    if machine:
        out.append(machine["text"])
    datasets = [r for r in records if r.get("kind") == "dataset"]
    targets = []
    for meta in datasets:
        name = meta["dataset"]
        mine = [r for r in records if r.get("dataset") == name]
        lines, t = dataset_table(meta, mine)
        out += lines
        targets += t
    out += ["", "TARGETS (issue 16), computed from the figures above"]
    out += targets or ["  (nothing measured)"]
    if not any(m["dataset"].startswith("gaussian_1m_128") for m in datasets):
        out.append("  1M x 128 served (PQ or RQ-8, recall >= 0.95, RSS < half of none): NOT MEASURED "
                   "(dataset c was not in this run)")
    out += ["", "Notes: recall@10 is after rescoring; a compressed search rescores 'cand' candidates with full",
            "vectors (Shoal, as Weaviate: PQ and BQ all max(k, rescoreLimit, ef) collected, SQ and RQ their best",
            "rescoreLimit, with Weaviate's defaults; faiss: the same count, in numpy, inside the timed loop).",
            "QPS: one thread, in-process. Shoal memory = memory_bytes()/n (full vectors read back for",
            "rescoring, not held); faiss memory = serialized index size / n (graph + codes, rescoring vectors",
            "not counted). Compress s: Shoal train + encode (all cores); faiss train + sa_encode",
            "(all cores), graph build not included. Server RSS: VmRSS with the collection loaded and compressed.",
            "* faiss has no RQ: RQ-8 is held against faiss SQ-8, RQ-1 against faiss binary HNSW."]
    return "\n".join(out) + "\n"


def dataset_table(meta, records):
    name = meta["dataset"]
    key = next((k for prefix, k in NAMES.items() if name.startswith(prefix)), "?")
    engine = {r["setting"]: r for r in records if r.get("engine") == "shoal" and r.get("kind") == "setting"}
    faiss = {r["setting"]: r for r in records if r.get("engine") == "faiss" and r.get("kind") == "setting"}
    faiss_by_scheme = {r["scheme"]: r for r in faiss.values()}
    served = {r["setting"]: r for r in records if r.get("kind") == "served"}
    build = next((r for r in records if r.get("engine") == "shoal" and r.get("kind") == "build"), {})
    lines = ["", f"dataset {key}: {name} ({meta['n']:,} x {meta['dim']}, {meta['metric']}, {meta['nq']:,} queries), "
             f"M=16, efConstruction=128; Shoal graph built once in {f(build.get('seconds'), '.1f')} s"]
    head = ["setting", "cand", "recall", "faiss", "QPS", "faiss", "QPS x", "B/vec", "faiss", "mem x",
            "code B", "comp s", "faiss", "srv rec", "RSS MB", "RSS/none"]
    widths = [16, 5, 7, 7, 7, 7, 6, 7, 7, 6, 7, 7, 7, 7, 7, 8]
    lines.append(row(head, widths))
    lines.append(row(["-" * w for w in widths], widths))
    settings = list(engine) + [s for s in list(faiss) + list(served) if s not in engine]
    settings = list(dict.fromkeys(settings))
    none_rss = served.get("none", {}).get("rss_bytes")
    for s in settings:
        e, sv = engine.get(s, {}), served.get(s, {})
        scheme = e.get("scheme") or sv.get("scheme") or faiss.get(s, {}).get("scheme")
        fr = faiss.get(s) or faiss_by_scheme.get(FAISS_PEER.get(scheme, ""), {})
        star = "*" if scheme in FAISS_PEER and fr else ""
        rss = sv.get("rss_bytes")
        lines.append(row([
            s, e.get("rescore_candidates", fr.get("rescore_candidates", "-")) or "-",
            f(e.get("recall"), ".4f"), f(fr.get("recall"), ".4f") + star,
            f(e.get("qps"), ",.0f"), f(fr.get("qps"), ",.0f") + star, f(ratio(e.get("qps"), fr.get("qps")), ".2f"),
            f(e.get("bytes_per_vector"), ".0f"), f(fr.get("bytes_per_vector"), ".0f") + star,
            f(ratio(e.get("bytes_per_vector"), fr.get("bytes_per_vector")), ".2f"),
            f(e.get("code_bytes_per_vector") if scheme != "none" else None, ".0f"),
            f(e.get("compress_seconds"), ".1f"), f(fr.get("compress_seconds"), ".1f") + star,
            f(sv.get("recall"), ".4f"), f(None if rss is None else rss / 1e6, ",.0f"),
            f(ratio(rss, none_rss), ".2f"),
        ], widths))
    lines += served_notes(served) + busy_notes(records)
    return lines, targets(key, meta, engine, faiss, served)


def served_notes(served):
    out = []
    for s, r in served.items():
        limit = next((b.get("trainingLimit") for b in r.get("config", {}).values() if "trainingLimit" in b), None)
        out.append(f"  server {s}: import {r['import_seconds']:.1f} s, indexed {r['indexed_seconds']:.1f} s"
                   + (f", compressed {r['compressed_seconds']:.1f} s after the import started" if r.get(
                       "compressed_seconds") is not None else "")
                   + (f" (trainingLimit {limit})" if limit else "")
                   + f", GraphQL {r['qps_graphql_1_client']:,.0f} q/s from 1 Python client, "
                   f"peak RSS {r['hwm_bytes'] / 1e6:,.0f} MB")
    return out


def busy_notes(records):
    noisy = []
    for r in records:
        if r.get("kind") == "interference" and r.get("other_cpu_fraction", 0) > BUSY_WARNING:
            noisy.append(f"{r['engine']} run ({100 * r['other_cpu_fraction']:.0f}%)")
        if r.get("kind") == "served":
            noisy += [f"server {r['setting']} {step} ({100 * v:.0f}%)" for step, v in r["other_cpu"].items()
                      if v > BUSY_WARNING]
    if not noisy:
        return ["  other processes' CPU stayed under 5% in every timed step"]
    return [f"  WARNING: other processes used more than {100 * BUSY_WARNING:.0f}% of the CPU during: "
            + ", ".join(noisy) + ": those timings are not trustworthy"]


def targets(key, meta, engine, faiss, served):
    out = []
    name = meta["dataset"]
    none = engine.get("none")
    for s in ("sq", "rq bits=8"):
        e = engine.get(s)
        if none and e:
            drop, qps = none["recall"] - e["recall"], e["qps"] / none["qps"]
            out.append(f"  [{key}] {s}: recall within {RECALL_SLACK} of none at no lower QPS: "
                       f"{verdict(drop <= RECALL_SLACK and qps >= 1.0)} (recall {e['recall']:.4f} vs "
                       f"{none['recall']:.4f}, QPS {qps:.2f}x of none)")
    for s, e in engine.items():
        if e["scheme"] != "pq" or not none:
            continue
        smaller = none["bytes_per_vector"] / e["bytes_per_vector"]
        code = meta["dim"] * 4 / e["code_bytes_per_vector"] if e.get("code_bytes_per_vector") else None
        out.append(f"  [{key}] {s}: {PQ_MEMORY_FACTOR:g}x+ less memory with recall >= {PQ_RECALL}: "
                   f"{verdict(smaller >= PQ_MEMORY_FACTOR and e['recall'] >= PQ_RECALL)} (index memory "
                   f"{smaller:.2f}x smaller than none, codes {f(code, '.1f')}x smaller than float32, "
                   f"recall {e['recall']:.4f})")
    if meta["dim"] > 128:
        for s in ("bq", "rq bits=1"):
            e = engine.get(s)
            if not e:
                continue
            code = meta["dim"] * 4 / e["code_bytes_per_vector"]
            need = ONE_BIT_CODE_FACTOR * (1 - CODE_FACTOR_TOLERANCE)
            out.append(f"  [{key}] {s}: recall >= {ONE_BIT_RECALL} at 32x smaller codes (>= {need:.1f}x: 1 bit per "
                       f"dimension, {100 * CODE_FACTOR_TOLERANCE:.0f}% left for per-vector scalars): "
                       f"{verdict(e['recall'] >= ONE_BIT_RECALL and code >= need)} (recall {e['recall']:.4f}, "
                       f"codes {code:.1f}x smaller than float32)")
    for s, e in engine.items():
        fr = faiss.get(s)
        if not fr:
            continue
        r = e["bytes_per_vector"] / fr["bytes_per_vector"]
        out.append(f"  [{key}] {s}: memory per vector at most {1 + FAISS_MEMORY_SLACK:.1f}x faiss's: "
                   f"{verdict(r <= 1 + FAISS_MEMORY_SLACK)} ({e['bytes_per_vector']:.0f} vs "
                   f"{fr['bytes_per_vector']:.0f} bytes, {r:.2f}x)")
    if name.startswith("gaussian_1m_128"):
        none_rss = served.get("none", {}).get("rss_bytes")
        results = []
        for s, r in served.items():
            if r["scheme"] in ("pq", "rq8") and none_rss:
                ok = r["recall"] >= SERVED_RECALL and r["rss_bytes"] < SERVED_RSS_SHARE * none_rss
                results.append((ok, f"{s}: recall {r['recall']:.4f}, RSS {r['rss_bytes'] / 1e6:,.0f} MB = "
                                    f"{r['rss_bytes'] / none_rss:.2f} of none's {none_rss / 1e6:,.0f} MB"))
        if results:
            rows = "" if meta["n"] == 1_000_000 else f" (MEASURED ON {meta['n']:,} ROWS ONLY, not 1M)"
            out.append(f"  [{key}] 1M x 128{rows} served with PQ or RQ-8 at recall >= {SERVED_RECALL} and RSS < "
                       f"{SERVED_RSS_SHARE:g} of none: {verdict(any(ok for ok, _ in results))} ("
                       + "; ".join(text for _, text in results) + ")")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: report.py results.jsonl")
    print(render(read(sys.argv[1])), end="")
