"""The table of one served-benchmark run, from its results.jsonl, with Qdrant's figures from
issue 13 (measured there, not in this run) and the issue's targets.

    python report.py ~/.cache/shoal-bench/served/<time>/results.jsonl

Ratios read "times better": value/reference when higher is better, reference/value when lower
is better, so > 1 always favours Shoal. Against Qdrant the reference is the end of its range
that favours Qdrant (its top for rates, its bottom for times, memory and latency). A FAIL is
a measurement, not an error.
"""

import json
import sys

QDRANT = "Qdrant 1.18.3 (issue 13, not this run)"
# dataset -> measure -> (low, high) from issue 13, on its machine
QDRANT_FIGURES = {
    "b": {"import_rest": (38_500, 40_000), "indexed_rest": (18.2, 18.2), "rss": (229, 241),
          "py1_qps": (1_329, 1_464), "py2_qps": (2_131, 2_260),
          "wrk_c1_qps": (1_632, 1_659), "wrk_c4_qps": (4_068, 4_158), "wrk_c1_p50": (560, 574)},
    "a": {"import_rest": (3_550, 3_760), "indexed_rest": (6.6, 6.6), "rss": (164, 171),
          "py1_qps": (642, 688), "py2_qps": (979, 986)},
}
# measure, label, higher is better, Qdrant figure it is held against, target ratio
MEASURES = [
    ("import_rest", "import REST batch, objects ack'd/s", True, "import_rest", 1.0),
    ("import_grpc", "import gRPC pre-encoded, obj/s", True, "import_rest", 2.0),
    ("import_client", "import gRPC v4 insert_many, obj/s", True, "import_rest", 2.0),
    ("indexed_rest", "time to fully indexed (REST), s", False, "indexed_rest", 2.0),
    ("indexed_grpc", "time to fully indexed (gRPC raw), s", False, "indexed_rest", None),
    ("indexed_client", "time to fully indexed (insert_many), s", False, "indexed_rest", None),
    ("rss", "RSS loaded (VmRSS), MB", False, "rss", 1.0),
    ("hwm", "peak RSS (VmHWM), MB", False, None, None),
    ("recall_graphql", "recall@10 nearVector (GraphQL/query)", True, None, None),
    ("recall_grpc", "recall@10 gRPC Search (200 queries)", True, None, None),
    ("wrk_c1_qps", "wrk 1 connection, req/s", True, "wrk_c1_qps", 1.5),
    ("wrk_c1_p50", "wrk 1 connection, p50 us", False, "wrk_c1_p50", 1.5),
    ("wrk_c1_p99", "wrk 1 connection, p99 us", False, None, None),
    ("wrk_c4_qps", "wrk 4 connections, req/s", True, "wrk_c4_qps", 1.5),
    ("wrk_c4_p50", "wrk 4 connections, p50 us", False, None, None),
    ("wrk_c4_p99", "wrk 4 connections, p99 us", False, None, None),
    ("py1_qps", "nearVector QPS, 1 Python client", True, "py1_qps", None),
    ("py2_qps", "nearVector QPS, 2 Python clients", True, "py2_qps", None),
]
ENGINES = ["shoal-sync", "shoal-async", "chroma"]
BUSY_WARNING = 0.05


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def fmt(value, measure):
    if value is None:
        return "-"
    if isinstance(value, tuple):
        lo, hi = value
        return fmt(lo, measure) if lo == hi else f"{fmt(lo, measure)}-{fmt(hi, measure)}"
    if measure.startswith("recall"):
        return f"{value:.4f}"
    if measure.startswith("indexed"):
        return f"{value:.2f}"
    if measure in ("rss", "hwm") or value < 100:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def better(value, reference, higher):
    if value is None or reference is None or value <= 0 or reference <= 0:
        return None
    return value / reference if higher else reference / value


def render(records):
    out = []
    machine = next((r for r in records if r["measure"] == "machine"), None)
    if machine:
        out.append(f"machine: {machine['value']}; shoal {machine.get('git')}; "
                   f"wrk runs {machine['wrk_seconds']} s, Python-client runs {machine['python_seconds']} s")
    for meta in (r for r in records if r["measure"] == "meta"):
        out += dataset_table(meta, [r for r in records if r["dataset"] == meta["dataset"]])
    out.append("")
    out.append("Ratios are 'times better' (> 1 favours Shoal); Shoal-best is the better of sync and async;")
    out.append("against Qdrant, the end of its range that favours it. MB = 10^6 bytes. Verdicts compare the")
    out.append("ratio with issue 13's target; a FAIL is a measurement.")
    return "\n".join(out) + "\n"


def dataset_table(meta, records):
    ds = meta["dataset"]
    values = {(r["engine"], r["measure"]): r["value"] for r in records}
    versions = {e: values.get((e, "version")) for e in ENGINES}
    dim = "128-d" if meta["dim"] <= 128 else f"{meta['dim']}-d"
    lines = ["", f"dataset {ds}: {meta['value']} ({meta['n']:,} x {meta['dim']}, {meta['metric']}, "
             f"{meta['nq']:,} queries, import batches of {meta['per_batch']}); "
             f"shoal {versions['shoal-sync'] or versions['shoal-async']}, chromadb {versions['chroma']}"]
    head = ["measure", "Shoal sync", "Shoal async", "chromadb", f"Qdrant {dim}", "best/Qdrant", "Shoal/chroma", "verdict"]
    widths = [40, 11, 11, 11, 13, 11, 12, 16]
    lines.append(row(head, widths))
    lines.append(row(["-" * w for w in widths], widths))
    qdrant = QDRANT_FIGURES.get(ds, {})
    for measure, label, higher, q_key, target in MEASURES:
        sync, asy, chroma = (values.get((e, measure)) for e in ENGINES)
        if sync is None and asy is None and chroma is None:
            continue
        shoal = [v for v in (sync, asy) if v is not None]
        best = (max(shoal) if higher else min(shoal)) if shoal else None
        q_range = qdrant.get(q_key)
        q_ref = (q_range[1] if higher else q_range[0]) if q_range else None
        vs_q, vs_c = better(best, q_ref, higher), better(best, chroma, higher)
        verdict = "-"
        if target and vs_q is not None:
            verdict = f"{'PASS' if vs_q >= target else 'FAIL'} (>= {target:g}x)"
        lines.append(row([label, fmt(sync, measure), fmt(asy, measure), fmt(chroma, measure),
                          fmt(q_range, measure), f"{vs_q:.2f}x" if vs_q else "-",
                          f"{vs_c:.2f}x" if vs_c else "-", verdict], widths))
    lines.append(row(["other processes' CPU, max of the steps"] + [busy(records, e) for e in ENGINES],
                     widths[:4]))
    lines.append(f"Qdrant column: {QDRANT}. Its import figure is REST; Shoal's gRPC imports are held "
                 "against it (target 2x), as are the gRPC imports' times to indexed.")
    for engine in ENGINES:
        steps = {r["step"]: r["other_cpu"] for r in records
                 if r["engine"] == engine and r.get("other_cpu", 0) > BUSY_WARNING}
        if steps:
            lines.append(f"WARNING: {engine}: other processes used more than {100 * BUSY_WARNING:.0f}% of the "
                         "CPU during " + ", ".join(f"{s} ({100 * v:.0f}%)" for s, v in steps.items())
                         + ": those timings are not trustworthy")
    return lines


def busy(records, engine):
    shares = [r["other_cpu"] for r in records if r["engine"] == engine and "other_cpu" in r]
    return f"{100 * max(shares):.1f}%" if shares else "-"


def row(cells, widths):
    return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: report.py results.jsonl")
    print(render(read(sys.argv[1])), end="")
