"""Reference computations the tests compare the server with: Weaviate's distance definitions,
its BM25F, its hybrid fusions, plus small helpers (names, seeded data, order checks).

Nothing here talks to a server.
"""

import math
import re
import uuid as uuidlib
from collections import Counter

import numpy as np

# Weaviate's "en" stopword preset (the default of every collection).
EN_STOPWORDS = frozenset(
    """a an and are as at be but by for if in into is it no not of on or such that the their
    then there these they this to was will with""".split()
)


def unique_name(prefix):
    """A collection name nobody else uses (first letter upper-case, as Weaviate requires)."""
    return f"{prefix}{uuidlib.uuid4().hex[:10]}"


def seeded_uuids(rng, n):
    return [str(uuidlib.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]


def as_list(vec):
    return [float(x) for x in vec]


# ----------------------------------------------------------------------------- vectors


def distances(metric, matrix, query):
    """Weaviate's distance of every row of `matrix` to `query`, in float64."""
    x = np.asarray(matrix, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    if metric == "cosine":
        return 1.0 - (x @ q) / (np.linalg.norm(x, axis=1) * np.linalg.norm(q))
    if metric == "dot":
        return -(x @ q)
    if metric == "l2-squared":
        return ((x - q) ** 2).sum(axis=1)
    if metric == "manhattan":
        return np.abs(x - q).sum(axis=1)
    if metric == "hamming":
        return (x != q).sum(axis=1).astype(np.float64)
    raise ValueError(metric)


def tol(value):
    """Float32 storage and arithmetic on the server."""
    return 1e-4 * max(1.0, abs(value))


def expected_order(ids, values, k=None, reverse=False):
    """Ids sorted by value (ascending distances, or descending scores with reverse=True)."""
    order = sorted(range(len(ids)), key=lambda i: -values[i] if reverse else values[i])
    return [ids[i] for i in order[: k if k is not None else len(ids)]]


def assert_ranked(got_ids, got_values, ids, values, k, reverse=False, label=""):
    """`got` must be the top k of (ids, values): each reported value equals the reference value
    of that id, the values equal the k best reference values, and where the reference has no
    near-tie the ids come in exactly the reference order."""
    ref = dict(zip(ids, values))
    assert len(got_ids) == k, f"{label}: expected {k} results, got {len(got_ids)}: {got_ids}"
    for gid, gv in zip(got_ids, got_values):
        assert gid in ref, f"{label}: unexpected id {gid}"
        assert abs(gv - ref[gid]) <= tol(ref[gid]), f"{label}: {gid} has {gv}, expected {ref[gid]}"
    best = sorted(values, reverse=reverse)[: k + 1]
    got_sorted = sorted((ref[g] for g in got_ids), reverse=reverse)
    for i, (a, b) in enumerate(zip(got_sorted, best)):
        assert abs(a - b) <= tol(b), f"{label}: rank {i} is {a}, the reference has {b}"
    gaps = [abs(best[i + 1] - best[i]) for i in range(len(best) - 1)]
    if gaps and min(gaps) > 2 * tol(best[0]):
        want = expected_order(ids, values, k, reverse)
        assert list(got_ids) == want, f"{label}: order {got_ids}, expected {want}"


# ----------------------------------------------------------------------------- keyword search


def word_tokens(text):
    """Weaviate's `word` tokenization: lower-case runs of letters and digits."""
    return [t.lower() for t in re.findall(r"[^\W_]+", text)]


def bm25_scores(docs, query, props, k1=1.2, b=0.75):
    """Weaviate's BM25F over `docs` (list of property dicts) for `query`.

    `props` maps property name -> boost. Per query term t and document D, over the searched
    properties p that hold t: f = sum of tf(t, D.p) * boost, L = sum of the number of distinct
    tokens of D.p; avgL = the mean over searched properties of their mean distinct-token count;
    idf = ln(1 + (N-n+0.5)/(n+0.5)) with n the documents holding t in any searched property; the
    term scores idf * f / (f + k1 * (1 - b + b * L / avgL)) (no (k1 + 1) factor: Weaviate's).
    Stopwords leave the query (not the documents); a term repeated in the query counts per
    occurrence.
    """
    n_docs = len(docs)
    tokens = [{p: word_tokens(d.get(p, "")) for p in props} for d in docs]
    avg = sum(sum(len(set(t[p])) for t in tokens) / n_docs for p in props) / len(props)
    terms = Counter(t for t in word_tokens(query) if t not in EN_STOPWORDS)
    scores = [0.0] * n_docs
    for term, times in terms.items():
        holders = [i for i, t in enumerate(tokens) if any(term in t[p] for p in props)]
        if not holders:
            continue
        idf = math.log(1 + (n_docs - len(holders) + 0.5) / (len(holders) + 0.5))
        for i in holders:
            f = sum(tokens[i][p].count(term) * boost for p, boost in props.items())
            length = sum(len(set(tokens[i][p])) for p in props if term in tokens[i][p])
            scores[i] += times * idf * f / (f + k1 * (1 - b + b * length / avg))
    return scores


def ranked_fusion(lists, weights):
    """Weaviate's rankedFusion: each list adds weight / (60 + rank) (rank from 0)."""
    out = {}
    for ranked, weight in zip(lists, weights):
        for rank, oid in enumerate(ranked):
            out[oid] = out.get(oid, 0.0) + weight / (60 + rank)
    return out


def relative_score_fusion(scored_lists, weights):
    """Weaviate's relativeScoreFusion: each list's scores scaled to [0, 1] by min/max, weighted
    and summed. (Tests avoid lists whose scores are all equal: Weaviate versions differ there.)"""
    out = {}
    for scored, weight in zip(scored_lists, weights):
        if not scored:
            continue
        lo, hi = min(scored.values()), max(scored.values())
        for oid, s in scored.items():
            norm = 1.0 if hi == lo else (s - lo) / (hi - lo)
            out[oid] = out.get(oid, 0.0) + weight * norm
    return out


def autocut(values, cut):
    """How many results Weaviate's autocut keeps of `values` (distances ascending or scores
    descending): it walks the gap between the min-max normalised values and a straight line and
    stops before the `cut`-th local maximum."""
    n = len(values)
    if n <= 1:
        return n
    span = values[-1] - values[0]
    diff = [(v - values[0]) / span - i / (n - 1) for i, v in enumerate(values)]
    seen = 0
    for i in range(1, n):
        nxt = diff[i + 1] if i < n - 1 else None
        peak = diff[i] > diff[i - 1] and (
            diff[i] > nxt if nxt is not None else diff[i] > diff[i - 2]
        )
        if peak:
            seen += 1
            if seen >= cut:
                return i
    return n
