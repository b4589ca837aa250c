"""Turns the JSON lines of one benchmark run into tables and a PASS/FAIL verdict per target.

    python report.py results.jsonl

Records (one JSON object per line) carry "engine" (shoal, hnswlib, shoal-http), "dataset",
"m", "ef_construction" and "kind":
  build     seconds, threads, n, bytes_per_vector, memory_source, rss_delta_bytes
  query     ef, recall, qps, threads
  filtered  ef, recall, qps, path, cutoff (shoal), mean_returned
  interference  other_cpu_fraction: share of the machine other processes used during the step
  client_ceiling  qps of a trivial GET from the HTTP client threads (shoal-http)
Lines that are not JSON objects are ignored.

Targets (the issue's): at equal ef, Shoal's recall@10 >= hnswlib's - 0.01; QPS at
recall@10 >= 0.95 (each engine's fastest ef that reaches it) >= 1.0x hnswlib's; build time
<= 1.2x; bytes per vector <= 1.1x.
"""

import json
import sys
from collections import OrderedDict

RECALL_TOLERANCE = 0.01
RECALL_TARGET = 0.95
QPS_RATIO_MIN = 1.0
BUILD_RATIO_MAX = 1.2
BYTES_RATIO_MAX = 1.1
BUSY_WARNING = 0.05  # share of the machine's CPU used by other processes during a step


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: report.py results.jsonl")
    records = read_records(sys.argv[1])
    groups = OrderedDict()
    for r in records:
        groups.setdefault((r["dataset"], r["m"], r["ef_construction"]), []).append(r)
    verdicts = []
    for (dataset, m, efc), group in groups.items():
        verdicts += report_group(dataset, m, efc, group)
    print()
    print("=" * 100)
    print("SUMMARY (Shoal in-process vs hnswlib, same machine, same parameters)")
    for line in verdicts:
        print("  " + line)
    if not verdicts:
        print("  no in-process comparison was measured")


def read_records(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "engine" in record and "kind" in record:
                records.append(record)
    return records


def pick(group, engine, kind):
    return [r for r in group if r["engine"] == engine and r["kind"] == kind]


def by_ef(records):
    """One record per ef. With several rounds (run.sh --rounds): the fastest QPS, the mean
    recall (each round builds its own graph) and the number of rounds."""
    rounds = OrderedDict()
    for r in records:
        rounds.setdefault(r["ef"], []).append(r)
    out = {}
    for ef, rs in rounds.items():
        best = dict(max(rs, key=lambda r: r.get("qps") or 0))
        best["recall"] = sum(r["recall"] for r in rs) / len(rs)
        best["rounds"] = len(rs)
        out[ef] = best
    return out


def fastest_build(group, engine):
    """The fastest of an engine's builds (one per round), or None."""
    builds = pick(group, engine, "build")
    return min(builds, key=lambda r: r.get("seconds") or float("inf"), default=None)


def fmt(value, spec, missing="n/a"):
    return missing if value is None else format(value, spec)


def fmt_ratio(value, width=0):
    return format("n/a" if value is None else f"{value:.2f}x", f">{width}")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def report_group(dataset, m, efc, group):
    shoal_build = fastest_build(group, "shoal")
    ref_build = fastest_build(group, "hnswlib")
    http_build = next(iter(pick(group, "shoal-http", "build")), None)
    shoal_q = by_ef(pick(group, "shoal", "query"))
    ref_q = by_ef(pick(group, "hnswlib", "query"))
    http_q = by_ef(pick(group, "shoal-http", "query"))

    any_build = shoal_build or ref_build or http_build
    shape = f"{any_build['n']:,} x {any_build['dim']}" if any_build else "?"
    print()
    print("=" * 100)
    n_rounds = len(pick(group, "shoal", "build"))
    print(f"{dataset} ({shape}), M={m} (layer 0: {2 * m}), efConstruction={efc}"
          + (f", {n_rounds} alternating rounds per engine: fastest build and QPS, mean recall"
             if n_rounds > 1 else ""))
    print("-" * 100)

    build_ratio = ratio(get(shoal_build, "seconds"), get(ref_build, "seconds"))
    bytes_ratio = ratio(get(shoal_build, "bytes_per_vector"), get(ref_build, "bytes_per_vector"))
    threads = get(shoal_build, "threads") or get(ref_build, "threads")
    print(f"{f'build, all {threads} cores:':<24}shoal {fmt(get(shoal_build, 'seconds'), '.2f')} s   "
          f"hnswlib {fmt(get(ref_build, 'seconds'), '.2f')} s   ratio {fmt_ratio(build_ratio)}")
    print(f"{'bytes per vector:':<24}shoal {fmt(get(shoal_build, 'bytes_per_vector'), '.1f')} "
          f"({get(shoal_build, 'memory_source') or 'n/a'})   "
          f"hnswlib {fmt(get(ref_build, 'bytes_per_vector'), '.1f')} ({get(ref_build, 'memory_source') or 'n/a'})   "
          f"ratio {fmt_ratio(bytes_ratio)}")
    print(f"{'anon RSS growth/vector:':<24}shoal {fmt(per_vector(shoal_build), '.1f')}   "
          f"hnswlib {fmt(per_vector(ref_build), '.1f')}   (process heap growth during the build; "
          f"includes build scratch, a cross-check only)")
    print()
    print("   ef | recall@10 shoal  hnswlib    diff | QPS 1 thread shoal   hnswlib   ratio")
    for ef in sorted(set(shoal_q) | set(ref_q)):
        s, h = shoal_q.get(ef), ref_q.get(ef)
        diff = None if s is None or h is None else s["recall"] - h["recall"]
        print(f" {ef:4d} |         {fmt(get(s, 'recall'), '.4f'):>6}   {fmt(get(h, 'recall'), '.4f'):>6} "
              f"{fmt(diff, '+.4f'):>7} |     {fmt(get(s, 'qps'), ',.0f'):>10} {fmt(get(h, 'qps'), ',.0f'):>9} "
              f"{fmt_ratio(ratio(get(s, 'qps'), get(h, 'qps')), 7)}")

    report_filtered(group)
    report_interference(group)

    if http_build or http_q:
        print()
        ceiling = next(iter(pick(group, "shoal-http", "client_ceiling")), None)
        print(f"through the server (GraphQL nearVector over HTTP, {get(http_build, 'threads') or '?'} Python client "
              f"threads; recall below 1.0 at small ef means the graph answered, an exact search has 1.0):")
        print(f"  import: {fmt(get(http_build, 'seconds'), '.1f')} s, "
              f"{fmt(get(http_build, 'objects_per_second'), ',.0f')} objects/s, "
              f"server anon RSS growth {fmt(per_vector(http_build, 'server_rss_delta_bytes'), '.1f')} bytes/vector "
              f"(includes RocksDB memtables)")
        print(f"  client ceiling: {fmt(get(ceiling, 'qps'), ',.0f')} requests/s for GET /v1/.well-known/live "
              f"from the same client threads; GraphQL QPS near it is bound by the client, not the engine")
        print("   ef | recall@10 | QPS   | vs in-process shoal 1 thread | vs hnswlib 1 thread")
        for ef in sorted(http_q):
            q = http_q[ef]
            print(f" {ef:4d} |    {q['recall']:.4f} | {q['qps']:>5,.0f} | "
                  f"{fmt_ratio(ratio(q['qps'], get(shoal_q.get(ef), 'qps')), 28)} | "
                  f"{fmt_ratio(ratio(q['qps'], get(ref_q.get(ef), 'qps')), 18)}")

    busy = [r["other_cpu_fraction"] for r in pick(group, "shoal", "interference") + pick(group, "hnswlib", "interference")]
    return verdicts(dataset, m, shoal_q, ref_q, build_ratio, bytes_ratio, max(busy, default=None))


def report_filtered(group):
    shoal_f = pick(group, "shoal", "filtered")
    ref_f = pick(group, "hnswlib", "filtered")
    if not shoal_f and not ref_f:
        return
    allow = (shoal_f or ref_f)[0].get("allow_count")
    labelled = OrderedDict()  # label -> records of every round
    for r in shoal_f:
        labelled.setdefault(f"shoal {r.get('path', '')}, cutoff {r.get('cutoff')}", []).append(r)
    for r in ref_f:
        labelled.setdefault(f"hnswlib ({r.get('path', '')})", []).append(r)
    columns = OrderedDict((label, by_ef(rs)) for label, rs in labelled.items())  # label -> {ef: record}
    print()
    print(f"filtered search, allow-list of {allow:,} ids (1%), recall@10 against the exact top-10 among them, "
          f"QPS 1 thread:")
    efs = sorted({ef for rows in columns.values() for ef in rows})
    print(f"  {'':44} " + " ".join(f"{'ef ' + str(ef):>21}" for ef in efs))
    for label, rows in columns.items():
        cells = []
        for ef in efs:
            r = rows.get(ef)
            cell = "n/a" if r is None else f"{r['recall']:.4f} {r['qps']:>7,.0f}/s"
            if r is not None and r.get("mean_returned") is not None and r["mean_returned"] < 9.995:
                cell += f" ({r['mean_returned']:.1f})"
            cells.append(f"{cell:>21}")
        print(f"  {label:<44} " + " ".join(cells))
    print("  cells: recall@10, QPS; (n) = mean results per query when fewer than 10 came back")


def report_interference(group):
    steps = pick(group, "shoal", "interference") + pick(group, "hnswlib", "interference") \
        + pick(group, "shoal-http", "interference")
    if not steps:
        return
    cells = ", ".join(f"{r['engine']} {100 * r['other_cpu_fraction']:.0f}%" for r in steps)
    print()
    print(f"machine used by other processes during each step: {cells}")
    if any(r["other_cpu_fraction"] > BUSY_WARNING for r in steps):
        print(f"  WARNING: above {100 * BUSY_WARNING:.0f}% the timings (QPS, build) of that step are unreliable; "
              f"rerun on an idle machine")


def verdicts(dataset, m, shoal_q, ref_q, build_ratio, bytes_ratio, busy):
    """PASS/FAIL lines. Timing verdicts (QPS, build) get a note when other processes used more
    than BUSY_WARNING of the machine during either engine's step."""
    name = f"{dataset} M={m}"
    timing_note = ""
    if busy is not None and busy > BUSY_WARNING:
        timing_note = f"  [UNRELIABLE: other processes used up to {100 * busy:.0f}% of the machine]"
    lines = []
    common_ef = sorted(set(shoal_q) & set(ref_q))
    if common_ef:
        diffs = [(shoal_q[ef]["recall"] - ref_q[ef]["recall"], ef) for ef in common_ef]
        worst, worst_ef = min(diffs)
        ok = worst >= -RECALL_TOLERANCE - 1e-12
        lines.append(f"{pass_fail(ok)}  {name}: recall@10 >= hnswlib - {RECALL_TOLERANCE} at every ef "
                     f"(worst diff {worst:+.4f} at ef={worst_ef})")
        s_best, h_best = best_qps_at_recall(shoal_q), best_qps_at_recall(ref_q)
        if h_best is None:
            lines.append(f"n/a   {name}: QPS at recall@10 >= {RECALL_TARGET}: hnswlib never reaches it at these ef")
        elif s_best is None:
            lines.append(f"FAIL  {name}: QPS at recall@10 >= {RECALL_TARGET}: shoal never reaches it "
                         f"(hnswlib {h_best[1]:,.0f} QPS at ef={h_best[0]})")
        else:
            r = s_best[1] / h_best[1]
            lines.append(f"{pass_fail(r >= QPS_RATIO_MIN)}  {name}: QPS at recall@10 >= {RECALL_TARGET}: "
                         f"shoal {s_best[1]:,.0f} (ef={s_best[0]}) vs hnswlib {h_best[1]:,.0f} (ef={h_best[0]}) "
                         f"= {r:.2f}x (target >= {QPS_RATIO_MIN}x){timing_note}")
    else:
        lines.append(f"n/a   {name}: recall and QPS not measured for both engines")
    if build_ratio is None:
        lines.append(f"n/a   {name}: build time not measured for both engines")
    else:
        lines.append(f"{pass_fail(build_ratio <= BUILD_RATIO_MAX)}  {name}: build time ratio {build_ratio:.2f}x "
                     f"(target <= {BUILD_RATIO_MAX}x){timing_note}")
    if bytes_ratio is None:
        lines.append(f"n/a   {name}: bytes per vector not measured for both engines")
    else:
        lines.append(f"{pass_fail(bytes_ratio <= BYTES_RATIO_MAX)}  {name}: bytes per vector ratio {bytes_ratio:.2f}x "
                     f"(target <= {BYTES_RATIO_MAX}x)")
    return lines


def best_qps_at_recall(queries):
    """(ef, qps) of the fastest ef whose recall@10 reaches the target, or None."""
    reaching = [(q["qps"], ef) for ef, q in queries.items() if q["recall"] >= RECALL_TARGET]
    if not reaching:
        return None
    qps, ef = max(reaching)
    return ef, qps


def pass_fail(ok):
    return "PASS" if ok else "FAIL"


def get(record, key):
    return None if record is None else record.get(key)


def per_vector(build, key="rss_delta_bytes"):
    if build is None or build.get(key) is None:
        return None
    return build[key] / build["n"]


if __name__ == "__main__":
    main()
