"""Driver of the served benchmark (run.sh calls it): per dataset, Shoal with ASYNC_INDEXING off
and on (a fresh server each) and chromadb's server, every step timed with everything encoded
before the clock; one JSON line per figure in results.jsonl, then report.py's table.

    python bench.py --shoal BIN --out DIR --tmp DIR [--quick] [--skip-chroma] b=DATASET_DIR a=...

Order per Shoal server: REST import into a fresh class, wait until fully indexed, RSS after
2 s idle, recall (GraphQL, all queries; gRPC, the first 200), wrk at 1 and 4 connections,
1 and 2 Python clients; then the class is dropped and the raw-gRPC import and the v4 client's
insert_many each go into a fresh class, each waited for until indexed. chromadb gets the same
steps but the gRPC ones.
"""

import argparse
import importlib.metadata as metadata
import json
import os
import platform
import sys
import time
import traceback

import numpy as np

# bench/hnsw's dataset format; appended, as it has a report.py of its own
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hnsw"))
from common import load_dataset, recall_at_k  # noqa: E402

import chroma_peer  # noqa: E402
import load  # noqa: E402
import report  # noqa: E402
import shoal_peer as sp  # noqa: E402
from procs import Interference, memory_kib  # noqa: E402

GRPC_RECALL_QUERIES = 200
IDLE_BEFORE_RSS = 2.0
GRAPHQL_ERROR = b'"errors"'


def progress(message):
    print(f"bench [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Run:
    def __init__(self, args):
        self.args = args
        self.results = open(os.path.join(args.out, "results.jsonl"), "a")
        self.failures = []
        self.wrk_seconds = 5 if args.quick else 15
        self.python_seconds = 5 if args.quick else 10

    def record(self, dataset, engine, measure, value, unit=None, busy=None, **extra):
        rec = {"dataset": dataset, "engine": engine, "measure": measure, "value": value, "unit": unit}
        if busy is not None:
            rec["step"], rec["other_cpu"] = busy.step, round(busy.other, 4)
        rec.update(extra)
        self.results.write(json.dumps(rec) + "\n")
        self.results.flush()

    def guarded(self, what, fn, *a):
        """A failed step is reported and the run goes on with the next peer; exit code 1 at the end."""
        try:
            fn(*a)
        except Exception:
            progress(f"FAILED: {what}\n{traceback.format_exc()}")
            self.failures.append(what)

    # ------------------------------------------------------------------------- shared steps

    def memory(self, ds, engine, server):
        time.sleep(IDLE_BEFORE_RSS)
        tree = server.tree()
        self.record(ds, engine, "rss", memory_kib(tree, "VmRSS") * 1024 / 1e6, "MB", processes=len(tree))
        self.record(ds, engine, "hwm", memory_kib(tree, "VmHWM") * 1024 / 1e6, "MB")

    def load(self, ds, engine, server, url, body_file, marker):
        progress(f"{engine}: wrk")
        load.wrk(url, body_file, 1, 1, 1 if self.args.quick else 2)  # warm-up, errors still fail
        for threads, conns in ((1, 1), (2, 4)):
            with Interference(server, f"wrk -c{conns}") as busy:
                r = load.wrk(url, body_file, threads, conns, self.wrk_seconds)
            for key, unit in (("qps", "req/s"), ("p50_us", "us"), ("p99_us", "us")):
                self.record(ds, engine, f"wrk_c{conns}_{key.split('_')[0]}", r[key], unit, busy,
                            requests=r["requests"])
            progress(f"{engine}: wrk -c{conns}: {r['qps']:.0f} req/s, p50 {r['p50_us']:.0f} us")
        for procs in (1, 2):
            progress(f"{engine}: {procs} Python client(s)")
            with Interference(server, f"{procs} Python clients") as busy:
                r = load.python_clients(url, body_file, procs, self.python_seconds, marker)
            self.record(ds, engine, f"py{procs}_qps", r["qps"], "q/s", busy, p50_us=r["p50_us"], p99_us=r["p99_us"])

    # ------------------------------------------------------------------------- Shoal

    def shoal(self, ds, data, enc, async_indexing):
        engine = "shoal-async" if async_indexing else "shoal-sync"
        meta, base, queries, gt = data
        n = meta["n"]
        log = os.path.join(self.args.out, f"shoal-{ds}-{engine.split('-')[1]}.log")
        peer = sp.ShoalPeer(self.args.shoal, async_indexing, meta["metric"], log, self.args.tmp)
        try:
            self.record(ds, engine, "version", peer.version())
            progress(f"{engine}: REST import of {n:,} objects")
            with Interference(peer.server, "REST import") as busy:
                start, seconds, answers = peer.import_rest(enc["rest"])
                indexed, first = peer.wait_indexed(sp.REST_CLASS, n, start)
            peer.check_rest(answers, n)
            del answers
            self.record(ds, engine, "import_rest", n / seconds, "obj/s", busy)
            self.record(ds, engine, "indexed_rest", indexed, "s", busy, first_poll=first)
            progress(f"{engine}: {n / seconds:,.0f} obj/s, indexed after {indexed:.2f} s (first poll {first})")
            self.memory(ds, engine, peer.server)

            with Interference(peer.server, "recall") as busy:
                ids = peer.graphql_ids(enc["graphql"], sp.REST_CLASS)
            self.record(ds, engine, "recall_graphql", recall_at_k(ids, gt, 10), None, busy, queries=len(ids))
            with Interference(peer.server, "gRPC recall") as busy:
                ids = peer.grpc_ids(queries[:GRPC_RECALL_QUERIES], sp.REST_CLASS)
            self.record(ds, engine, "recall_grpc", recall_at_k(ids, gt[:GRPC_RECALL_QUERIES], 10), None, busy,
                        queries=len(ids))
            self.load(ds, engine, peer.server, peer.graphql_url(), enc["graphql_file"], GRAPHQL_ERROR)
            peer.delete_class(sp.REST_CLASS)

            for kind, cls, fn, payload in (("grpc", sp.GRPC_CLASS, peer.import_grpc_raw, enc["grpc"]),
                                           ("client", sp.CLIENT_CLASS, peer.import_client, enc["objects"])):
                progress(f"{engine}: {kind} import")
                with Interference(peer.server, f"{kind} import") as busy:
                    start, seconds = fn(payload, n)
                    indexed, first = peer.wait_indexed(cls, n, start)
                self.record(ds, engine, f"import_{kind}", n / seconds, "obj/s", busy)
                self.record(ds, engine, f"indexed_{kind}", indexed, "s", busy, first_poll=first)
                progress(f"{engine}: {kind}: {n / seconds:,.0f} obj/s, indexed after {indexed:.2f} s")
                peer.delete_class(cls)
        finally:
            peer.stop()

    # ------------------------------------------------------------------------- chromadb

    def chroma(self, ds, data, per_batch):
        engine = "chroma"
        meta, base, queries, gt = data
        n = meta["n"]
        bodies = chroma_peer.add_bodies(base, per_batch)
        query_bodies = chroma_peer.query_bodies(queries)
        body_file = write_lines(os.path.join(self.args.tmp, f"{ds}-chroma.txt"), query_bodies)
        log = os.path.join(self.args.out, f"chroma-{ds}.log")
        peer = chroma_peer.ChromaPeer(os.path.dirname(sys.executable), meta["metric"], log, self.args.tmp)
        try:
            self.record(ds, engine, "version", metadata.version("chromadb"), max_batch_size=peer.max_batch())
            progress(f"{engine}: import of {n:,} objects")
            with Interference(peer.server, "REST import") as busy:
                start, seconds = peer.import_rest(bodies)
                indexed, first = peer.wait_indexed(n, base[-1], n - 1, start)
            self.record(ds, engine, "import_rest", n / seconds, "obj/s", busy)
            self.record(ds, engine, "indexed_rest", indexed, "s", busy, first_poll=first)
            progress(f"{engine}: {n / seconds:,.0f} obj/s, indexed after {indexed:.2f} s (first poll {first})")
            del bodies
            self.memory(ds, engine, peer.server)
            with Interference(peer.server, "recall") as busy:
                ids = peer.query_ids(query_bodies)
            self.record(ds, engine, "recall_graphql", recall_at_k(ids, gt, 10), None, busy, queries=len(ids))
            self.load(ds, engine, peer.server, peer.query_url(), body_file, None)
        finally:
            peer.stop()

    # ------------------------------------------------------------------------- one dataset

    def dataset(self, ds, directory):
        meta, base, queries, gt = load_dataset(directory)
        base, queries, gt = np.asarray(base), np.asarray(queries), np.asarray(gt)
        data = (meta, base, queries, gt)
        per_batch = 1000 if meta["dim"] <= 128 else 250
        self.record(ds, "dataset", "meta", meta["name"], n=meta["n"], dim=meta["dim"], nq=meta["nq"],
                    metric=meta["metric"], per_batch=per_batch)
        progress(f"dataset {ds} {meta['name']}: encoding every request body")
        gql = sp.graphql_bodies(sp.REST_CLASS, queries)
        enc = {
            "rest": sp.rest_bodies(sp.REST_CLASS, base, per_batch),
            "grpc": sp.grpc_requests(sp.GRPC_CLASS, base, per_batch),
            "objects": sp.data_objects(base, per_batch),
            "graphql": gql,
            "graphql_file": write_lines(os.path.join(self.args.tmp, f"{ds}-graphql.txt"), gql),
        }
        for async_indexing in (False, True):
            self.guarded(f"shoal {'async' if async_indexing else 'sync'} on {ds}", self.shoal, ds, data, enc,
                         async_indexing)
        del enc
        if not self.args.skip_chroma:
            self.guarded(f"chroma on {ds}", self.chroma, ds, data, per_batch)


def write_lines(path, bodies):
    with open(path, "wb") as f:
        for body in bodies:
            f.write(body + b"\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shoal", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--git", default="?")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-chroma", action="store_true")
    ap.add_argument("datasets", nargs="+", help="KEY=DIRECTORY of a prepared dataset")
    args = ap.parse_args()

    run = Run(args)
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    run.record(None, "machine", "machine", f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}",
               git=args.git, wrk_seconds=run.wrk_seconds, python_seconds=run.python_seconds)
    for item in args.datasets:
        ds, directory = item.split("=", 1)
        run.dataset(ds, directory)
    run.results.close()

    text = report.render(report.read(os.path.join(args.out, "results.jsonl")))
    if run.failures:
        text += "\nFAILED steps (see the log above): " + "; ".join(run.failures) + "\n"
    with open(os.path.join(args.out, "report.txt"), "w") as f:
        f.write(text)
    print(text)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
