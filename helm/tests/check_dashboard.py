"""Checks dashboards/shoal.json: a Grafana dashboard whose queries name only the metrics a node
exports (the names of the metrics contract), each of them at least once, all through the
Prometheus datasource of uid "prometheus" (the one Compose provisions and kube-prometheus-stack
creates)."""

import json
import re

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
HISTOGRAMS = {
    "queries_durations_ms", "batch_durations_ms", "objects_durations_ms", "schema_writes_seconds",
    "weaviate_http_request_duration_seconds",
}
OTHERS = {
    "requests_total", "object_count", "vector_index_size", "vector_index_operations",
    "vector_index_tombstones", "index_queue_size", "weaviate_http_requests_inflight",
    "shoal_raft_term", "shoal_raft_is_leader", "shoal_raft_last_log_index",
    "shoal_raft_commit_index", "shoal_raft_applied_index", "shoal_replication_writes_total",
    "shoal_replication_replica_failures_total", "shoal_read_repairs_total",
    "shoal_anti_entropy_objects_pushed_total", "shoal_rocksdb_sst_bytes",
    "shoal_rocksdb_memtable_bytes", "shoal_rocksdb_pending_compaction_bytes",
    "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
    "process_start_time_seconds",
}
# A series selector: a metric name followed by its label matchers.
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")
VARIABLE = re.compile(r"\$(?!__)([a-zA-Z_][a-zA-Z0-9_]*)")


def metric_of(name):
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix) and name[: -len(suffix)] in HISTOGRAMS:
            return name[: -len(suffix)]
    return name


def check_panel(check, panel, used, variables):
    title = panel.get("title", "?")
    pos = panel["gridPos"]
    check.that(0 <= pos["x"] and pos["x"] + pos["w"] <= 24, f"panel {title!r} fits the 24-column grid")
    if panel["type"] == "row":
        return
    check.equal(panel.get("datasource"), DATASOURCE, f"panel {title!r} datasource")
    if not check.that(panel.get("targets"), f"panel {title!r} has queries"):
        return
    for target in panel["targets"]:
        check.equal(target.get("datasource"), DATASOURCE, f"panel {title!r} query datasource")
        expr = target.get("expr", "")
        names = [metric_of(n) for n in SELECTOR.findall(expr)]
        check.that(names, f"panel {title!r}: no metric in {expr!r}")
        for name in names:
            check.that(name in HISTOGRAMS | OTHERS, f"panel {title!r}: unknown metric {name!r}")
            used.add(name)
        for var in VARIABLE.findall(expr):
            check.that(var in variables, f"panel {title!r}: undefined variable ${var}")


def check_dashboard(check, path):
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    check.that(dash.get("schemaVersion", 0) >= 36, "dashboard schemaVersion >= 36")
    check.that(dash.get("uid") and dash.get("title"), "dashboard uid and title")
    variables = {v["name"] for v in dash.get("templating", {}).get("list", [])}
    used = set()
    for var in dash.get("templating", {}).get("list", []):
        if var["type"] == "query":
            check.equal(var.get("datasource"), DATASOURCE, f"variable {var['name']} datasource")
            match = re.match(r"label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)", var["definition"])
            if check.that(match, f"variable {var['name']} is a label_values query"):
                check.that(match.group(1) in OTHERS | HISTOGRAMS, f"variable {var['name']}: unknown metric")
    ids = [p["id"] for p in dash["panels"]]
    check.equal(len(ids), len(set(ids)), "distinct panel ids")
    for panel in dash["panels"]:
        check_panel(check, panel, used, variables)
    missing = sorted((HISTOGRAMS | OTHERS) - used)
    check.that(not missing, f"metrics no panel shows: {missing}")
