"""Filters through a cross-reference against the same filters on a property of the object itself,
and the cost of resolving a reference, on one Shoal node through GraphQL. Prints a table with
ratios. Not a test: nothing about time is asserted; the answers are checked once per case.

    python bench.py --url http://127.0.0.1:8080 [--queries 200] [--quick]

Data (numpy seed 14): 10,000 Authors (`name`, `country`, `score` int, a 32-dim Gaussian vector)
and 100,000 Articles (`title`, `wordCount` int, `bucket` int, a 32-dim Gaussian vector), each
Article referencing 1-3 distinct random Authors through `hasAuthors`. Both are imported with
`POST /v1/batch/objects`, 1,000 objects per request, the Articles with their beacons in their
properties (the Authors first: a beacon's object must exist when it is written).

Selectivity: 5 "rare" countries with 50 Authors each and 5 "common" ones with 520 each (the
rest spread over 10 filler countries). An Article has a country when one of its 1-3 Authors
has it, so a rare country selects about 1 - mean((1 - 0.005)^k) = 1.0% of the Articles and a
common one about 10%; the exact counts are computed here and checked against Aggregate. For
the reference run, `bucket` gives disjoint sets of Articles of exactly those sizes: the value
1..5 for the rare countries' counts, 10..14 for the common ones', 0 elsewhere.

Cases (GraphQL Get, limit 10 unless said, `_additional { id }`), each a warm-up then `--queries`
requests from one client, one after the other; each request uses the next of the 5 values of
its kind and, where there is a nearVector, the next of `--queries` seeded query vectors:
  ref      where hasAuthors -> Author.country Equal X        (1% and 10%)
  ref+nv   the same with nearVector
  own      where bucket Equal B (same number of Articles)    (1% and 10%)
  own+nv   the same with nearVector
  resolve  nearVector, limit 10 and 100, `title hasAuthors { ... on Author { name } }`
           against the same query with `title` only
Median and p99 are of the per-request latencies, QPS is requests over the wall time.
"""

import argparse
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import requests

DIM = 32
RARE = [f"rare{i}" for i in range(5)]
COMMON = [f"common{i}" for i in range(5)]
FILLER = [f"filler{i}" for i in range(10)]
HEADERS = {"Content-Type": "application/json"}


class Data:
    def __init__(self, n_authors, n_articles, rare_size, common_size, seed=14):
        rng = np.random.default_rng(seed)
        self.author_ids = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n_authors)]
        self.article_ids = [
            str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n_articles)
        ]
        countries = []
        for c in RARE:
            countries += [c] * rare_size
        for c in COMMON:
            countries += [c] * common_size
        countries += [FILLER[i % len(FILLER)] for i in range(n_authors - len(countries))]
        self.country = [countries[i] for i in rng.permutation(n_authors)]
        self.score = rng.integers(0, 1000, n_authors).tolist()
        self.author_vecs = rng.standard_normal((n_authors, DIM)).astype(np.float32)
        self.authors = []
        for k, row in zip(
            rng.integers(1, 4, n_articles), rng.integers(0, n_authors, (n_articles, 3))
        ):
            picked = []
            for a in row.tolist():
                while a in picked:  # 1-3 distinct Authors
                    a = int(rng.integers(n_authors))
                picked.append(a)
            self.authors.append(picked[:k])
        self.words = rng.integers(100, 5000, n_articles).tolist()
        self.article_vecs = rng.standard_normal((n_articles, DIM)).astype(np.float32)
        # the Articles each country selects, computed from the data
        self.selects = {c: set() for c in RARE + COMMON}
        for i, refs in enumerate(self.authors):
            for a in refs:
                if self.country[a] in self.selects:
                    self.selects[self.country[a]].add(i)
        # bucket: disjoint sets of the same sizes, for the filter on the Article itself
        self.bucket = [0] * n_articles
        order = rng.permutation(n_articles).tolist()
        self.bucket_value = {}
        pos = 0
        for j, c in enumerate(RARE + COMMON):
            value = (1 + j) if c in RARE else (10 + j - len(RARE))
            self.bucket_value[c] = value
            for i in order[pos : pos + len(self.selects[c])]:
                self.bucket[i] = value
            pos += len(self.selects[c])
        if pos > n_articles:
            raise SystemExit("bucket sets do not fit: fewer articles than the countries select")
        self.queries = rng.standard_normal((4096, DIM)).astype(np.float32)


# ----------------------------------------------------------------------------- import


def post(session, url, path, body):
    r = session.post(url + path, data=json.dumps(body), headers=HEADERS, timeout=600)
    if r.status_code >= 300:
        raise SystemExit(f"{path}: {r.status_code} {r.text[:500]}")
    return r.json() if r.content else None


def create_schema(session, url):
    text = {"dataType": ["text"], "tokenization": "field"}
    for cls in ("Article", "Author"):
        session.delete(f"{url}/v1/schema/{cls}", timeout=60)
    post(
        session,
        url,
        "/v1/schema",
        {
            "class": "Author",
            "vectorizer": "none",
            "properties": [
                {"name": "name", **text},
                {"name": "country", **text},
                {"name": "score", "dataType": ["int"]},
            ],
        },
    )
    post(
        session,
        url,
        "/v1/schema",
        {
            "class": "Article",
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "wordCount", "dataType": ["int"]},
                {"name": "bucket", "dataType": ["int"]},
                {"name": "hasAuthors", "dataType": ["Author"]},
            ],
        },
    )


def batch_import(url, bodies, threads=2):
    """POST every body to /v1/batch/objects; every object must be SUCCESS. Returns seconds."""

    def send(body):
        with requests.Session() as s:
            r = s.post(url + "/v1/batch/objects", data=body, headers=HEADERS, timeout=600)
            if r.status_code != 200:
                raise SystemExit(f"batch import: {r.status_code} {r.text[:500]}")
            failed = [o for o in r.json() if (o.get("result") or {}).get("errors")]
            if failed:
                raise SystemExit(f"batch import: {len(failed)} failed, first: {failed[0]}")

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, bodies))
    return time.perf_counter() - start


def import_data(url, d, per_request=1000):
    authors = [
        {
            "class": "Author",
            "id": d.author_ids[i],
            "properties": {"name": f"author {i}", "country": d.country[i], "score": d.score[i]},
            "vector": d.author_vecs[i].tolist(),
        }
        for i in range(len(d.author_ids))
    ]
    articles = [
        {
            "class": "Article",
            "id": d.article_ids[i],
            "properties": {
                "title": f"article {i}",
                "wordCount": d.words[i],
                "bucket": d.bucket[i],
                "hasAuthors": [
                    {"beacon": f"weaviate://localhost/Author/{d.author_ids[a]}"}
                    for a in d.authors[i]
                ],
            },
            "vector": d.article_vecs[i].tolist(),
        }
        for i in range(len(d.article_ids))
    ]

    def bodies(objs):
        return [
            json.dumps({"objects": objs[lo : lo + per_request]})
            for lo in range(0, len(objs), per_request)
        ]

    t_authors = batch_import(url, bodies(authors))
    t_articles = batch_import(url, bodies(articles))
    return t_authors, t_articles


# ----------------------------------------------------------------------------- queries


def ref_where(country):
    return '{path:["hasAuthors","Author","country"] operator:Equal valueText:"%s"}' % country


def own_where(bucket):
    return '{path:["bucket"] operator:Equal valueInt:%d}' % bucket


def vec(q):
    return json.dumps([round(float(x), 6) for x in q])


def get_query(where=None, vector=None, limit=10, fields="_additional{id}"):
    args = [f"limit:{limit}"]
    if where:
        args.append(f"where:{where}")
    if vector is not None:
        args.append(f"nearVector:{{vector:{vector}}}")
    return "{Get{Article(%s){%s}}}" % (" ".join(args), fields)


def graphql(session, url, query):
    r = session.post(url + "/v1/graphql", data=json.dumps({"query": query}), headers=HEADERS)
    r.raise_for_status()
    body = r.json()
    if body.get("errors"):
        raise SystemExit(f"GraphQL errors for {query[:200]}: {body['errors']}")
    return body["data"]


def measure(session, url, bodies, warmup):
    for b in bodies[:warmup]:
        session.post(url + "/v1/graphql", data=b, headers=HEADERS).raise_for_status()
    lat = []
    start = time.perf_counter()
    for b in bodies:
        t = time.perf_counter()
        r = session.post(url + "/v1/graphql", data=b, headers=HEADERS)
        lat.append(time.perf_counter() - t)
        if r.status_code != 200 or '"errors"' in r.text:
            raise SystemExit(f"query failed: {r.status_code} {r.text[:300]}")
    wall = time.perf_counter() - start
    lat = np.array(lat) * 1e3
    return {
        "median": float(np.median(lat)),
        "p99": float(np.percentile(lat, 99)),
        "qps": len(bodies) / wall,
    }


def check_ids(d, ids, allowed, label):
    """The answer of a filtered query: ids that satisfy the filter, as many as can match."""
    index = {u: i for i, u in enumerate(d.article_ids)}
    bad = [u for u in ids if index.get(u) not in allowed]
    if bad:
        raise SystemExit(f"{label}: {len(bad)} returned Articles do not satisfy the filter")
    if len(ids) != min(10, len(allowed)):
        raise SystemExit(f"{label}: {len(ids)} results, expected {min(10, len(allowed))}")


def check_resolved(d, rows, label):
    index = {u: i for i, u in enumerate(d.article_ids)}
    for row in rows:
        i = index[row["_additional"]["id"]]
        want = [{"name": f"author {a}"} for a in d.authors[i]]
        if row["hasAuthors"] != want:
            raise SystemExit(f"{label}: article {i} resolved {row['hasAuthors']}, want {want}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--queries", type=int, default=200, help="timed requests per case (>= 200)")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="1k Authors, 10k Articles, 50 queries")
    args = ap.parse_args()
    url = args.url.rstrip("/")
    if args.quick:
        d, args.queries = Data(1_000, 10_000, 5, 52), min(args.queries, 50)
    else:
        d = Data(10_000, 100_000, 50, 520)
    n = len(d.article_ids)
    session = requests.Session()
    meta = session.get(url + "/v1/meta", timeout=30).json()
    print(f"server {meta.get('version')} at {url}; {len(d.author_ids):,} Authors, {n:,} Articles")

    create_schema(session, url)
    t_a, t_b = import_data(url, d)
    print(
        f"import: Authors {len(d.author_ids) / t_a:,.0f} objects/s, "
        f"Articles with beacons {n / t_b:,.0f} objects/s ({t_a + t_b:.1f} s)"
    )

    print("\nselectivity (Aggregate meta count through the reference; the data's own count)")
    for c in RARE + COMMON:
        agg = graphql(session, url, "{Aggregate{Article(where:%s){meta{count}}}}" % ref_where(c))
        got = agg["Aggregate"]["Article"][0]["meta"]["count"]
        want = len(d.selects[c])
        flag = "" if got == want else "   <- MISMATCH"
        print(f"  {c:9s} {got:7,d} of {n:,} = {100 * got / n:5.2f}%   data {want:7,d}{flag}")
        if got != want:
            raise SystemExit(f"Aggregate count through the reference for {c}: {got} != {want}")

    qs = [vec(q) for q in d.queries[: args.queries]]

    def cycle(values, i):
        return values[i % len(values)]

    cases = {}
    for sel, countries in (("1%", RARE), ("10%", COMMON)):
        buckets = [d.bucket_value[c] for c in countries]
        cases[f"ref {sel}"] = [
            get_query(ref_where(cycle(countries, i))) for i in range(args.queries)
        ]
        cases[f"own {sel}"] = [get_query(own_where(cycle(buckets, i))) for i in range(args.queries)]
        cases[f"ref+nv {sel}"] = [
            get_query(ref_where(cycle(countries, i)), qs[i]) for i in range(args.queries)
        ]
        cases[f"own+nv {sel}"] = [
            get_query(own_where(cycle(buckets, i)), qs[i]) for i in range(args.queries)
        ]
        # correctness, once per case, before any clock runs
        for c, b in zip(countries, buckets):
            own = {i for i, v in enumerate(d.bucket) if v == b}
            for where, allowed, label in (
                (ref_where(c), d.selects[c], f"ref {c}"),
                (own_where(b), own, f"own {b}"),
            ):
                for vector in (None, qs[0]):
                    rows = graphql(session, url, get_query(where, vector))["Get"]["Article"]
                    check_ids(d, [r["_additional"]["id"] for r in rows], allowed, label)
    resolve_fields = "title hasAuthors{... on Author{name}} _additional{id}"
    for limit in (10, 100):
        cases[f"resolve {limit}"] = [
            get_query(None, qs[i], limit, resolve_fields) for i in range(args.queries)
        ]
        cases[f"plain {limit}"] = [
            get_query(None, qs[i], limit, "title _additional{id}") for i in range(args.queries)
        ]
        rows = graphql(session, url, cases[f"resolve {limit}"][0])["Get"]["Article"]
        if len(rows) != limit:
            raise SystemExit(f"resolve {limit}: {len(rows)} results")
        check_resolved(d, rows, f"resolve {limit}")

    results = {}
    for name, queries in cases.items():
        bodies = [json.dumps({"query": q}).encode() for q in queries]
        results[name] = measure(session, url, bodies, args.warmup)
        r = results[name]
        print(f"  measured {name:14s} median {r['median']:8.2f} ms", file=sys.stderr)

    print(f"\n{args.queries} requests per case after {args.warmup} warm-up, one client, GraphQL")
    print(f"{'case':16s} {'median ms':>10s} {'p99 ms':>10s} {'QPS':>9s}   ratio (median, p99)")
    pairs = {}
    for sel in ("1%", "10%"):
        pairs[f"ref {sel}"] = f"own {sel}"
        pairs[f"ref+nv {sel}"] = f"own+nv {sel}"
    for limit in (10, 100):
        pairs[f"resolve {limit}"] = f"plain {limit}"
    for name, r in results.items():
        line = f"{name:16s} {r['median']:10.2f} {r['p99']:10.2f} {r['qps']:9.1f}"
        if name in pairs:
            ref = results[pairs[name]]
            line += (
                f"   {r['median'] / ref['median']:5.2f}x, {r['p99'] / ref['p99']:5.2f}x"
                f"  vs {pairs[name]}"
            )
        print(line)


if __name__ == "__main__":
    main()
