"""BM25 and hybrid over gRPC Search. Scores are compared with Weaviate's BM25F (support.py
`bm25_scores`) and hybrid scores with its two fusions computed from the reference BM25 and numpy
distances. The collections have one shard (`desired_count=1`): Weaviate's BM25 statistics are
per shard, so only then is the reference exact (on a cluster that shard sits on one node and
the query still crosses nodes)."""

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import BM25Operator, Filter, HybridFusion, MetadataQuery

from support import (
    EN_STOPWORDS,
    as_list,
    assert_ranked,
    bm25_scores,
    distances,
    expected_order,
    ranked_fusion,
    relative_score_fusion,
    seeded_uuids,
    unique_name,
    word_tokens,
)

VOCAB = (
    "river stone forest light quiet engine garden harbor winter copper signal marble lantern "
    "orbit meadow thunder violet canyon ember glacier"
).split()
FILLER = ["the", "a", "of", "and", "to"]


def _corpus(n, seed):
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(VOCAB) + 1)
    weights /= weights.sum()

    def words(k):
        return [
            (
                FILLER[int(rng.integers(len(FILLER)))]
                if rng.random() < 0.2
                else VOCAB[int(rng.choice(len(VOCAB), p=weights))]
            )
            for _ in range(k)
        ]

    docs = [
        {
            "title": " ".join(words(int(rng.integers(2, 6)))),
            "body": " ".join(words(int(rng.integers(8, 30)))),
        }
        for _ in range(n)
    ]
    for i, d in enumerate(docs):
        d["n"] = i
    return seeded_uuids(rng, n), docs, rng.standard_normal((n, 4)).astype(np.float32)


def create(client, n, seed):
    ids, docs, vecs = _corpus(n, seed)
    name = unique_name("Words")
    col = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.flat(),
        sharding_config=Configure.sharding(desired_count=1),
        properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="body", data_type=DataType.TEXT),
            Property(name="n", data_type=DataType.INT),
        ],
    )
    res = col.data.insert_many(
        [DataObject(properties=docs[i], uuid=ids[i], vector=as_list(vecs[i])) for i in range(n)]
    )
    assert not res.has_errors, res.errors
    return col, ids, docs, vecs


@pytest.fixture(scope="module")
def corpus(client):
    col, ids, docs, vecs = create(client, 40, 3)
    yield col, ids, docs
    client.collections.delete(col.name)


@pytest.fixture(scope="module")
def small(client):
    """Ten documents: every hybrid sub-search sees all of them, so the fusion is exact."""
    col, ids, docs, vecs = create(client, 10, 8)
    yield col, ids, docs, vecs
    client.collections.delete(col.name)


def bm25(col, query, **kw):
    res = col.query.bm25(query, return_metadata=MetadataQuery(score=True), **kw)
    return [str(o.uuid) for o in res.objects], [o.metadata.score for o in res.objects]


@pytest.mark.parametrize("query", ["river stone", "copper", "winter harbor garden", "the meadow"])
def test_bm25_on_one_property(corpus, query):
    col, ids, docs = corpus
    ref = bm25_scores(docs, query, {"body": 1.0})
    k = min(5, sum(s > 0 for s in ref))
    got, scores = bm25(col, query, query_properties=["body"], limit=5)
    assert_ranked(got, scores, ids, ref, k, reverse=True, label=query)


def test_bm25_on_every_text_property_by_default(corpus):
    col, ids, docs = corpus
    ref = bm25_scores(docs, "forest light", {"title": 1.0, "body": 1.0})
    got, scores = bm25(col, "forest light", limit=6)
    assert_ranked(got, scores, ids, ref, 6, reverse=True)


def test_bm25_property_boost(corpus):
    col, ids, docs = corpus
    ref = bm25_scores(docs, "engine quiet", {"title": 3.0, "body": 1.0})
    got, scores = bm25(col, "engine quiet", query_properties=["title^3", "body"], limit=6)
    assert_ranked(got, scores, ids, ref, 6, reverse=True)


def test_bm25_stopword_only_query_finds_nothing(corpus):
    col, _, _ = corpus
    assert bm25(col, "the of and")[0] == []


def test_bm25_with_filter(corpus):
    """The filter narrows the hits; the scores stay those of the whole collection."""
    col, ids, docs = corpus
    ref = bm25_scores(docs, "river", {"body": 1.0})
    even = [i for i in range(len(docs)) if docs[i]["n"] % 2 == 0 and ref[i] > 0]
    got, scores = bm25(
        col,
        "river",
        query_properties=["body"],
        limit=40,
        filters=Filter.by_property("n").contains_any([d["n"] for d in docs if d["n"] % 2 == 0]),
    )
    assert_ranked(
        got, scores, [ids[i] for i in even], [ref[i] for i in even], len(even), reverse=True
    )


def test_bm25_operator_and(corpus):
    """BM25Operator.and_(): only documents holding every (non-stopword) query token."""
    col, ids, docs = corpus
    query = "river stone garden"
    ref = bm25_scores(docs, query, {"body": 1.0})
    need = set(word_tokens(query)) - EN_STOPWORDS
    holders = [i for i, d in enumerate(docs) if need <= set(word_tokens(d["body"]))]
    got, scores = bm25(
        col, query, query_properties=["body"], operator=BM25Operator.and_(), limit=40
    )
    assert sorted(got) == sorted(ids[i] for i in holders)
    assert_ranked(
        got,
        scores,
        [ids[i] for i in holders],
        [ref[i] for i in holders],
        len(holders),
        reverse=True,
    )


def test_bm25_operator_or_with_minimum_match(corpus):
    col, ids, docs = corpus
    query = "copper signal marble lantern"
    terms = set(word_tokens(query))
    holders = [i for i, d in enumerate(docs) if len(terms & set(word_tokens(d["body"]))) >= 2]
    got, _ = bm25(
        col, query, query_properties=["body"], limit=40, operator=BM25Operator.or_(minimum_match=2)
    )
    assert sorted(got) == sorted(ids[i] for i in holders)


def hybrid(col, query, **kw):
    res = col.query.hybrid(query, limit=10, return_metadata=MetadataQuery(score=True), **kw)
    return [str(o.uuid) for o in res.objects], [o.metadata.score for o in res.objects]


def assert_keyword_order(got, scores):
    """Exactly the keyword hits, best first (documents with equal BM25 may come in any order)."""
    assert sorted(got) == sorted(scores), (got, scores)
    values = [scores[g] for g in got]
    assert all(a >= b - 1e-6 for a, b in zip(values, values[1:])), values


def keyword_and_vector(ids, docs, vecs, query, qvec):
    kw = bm25_scores(docs, query, {"title": 1.0, "body": 1.0})
    kw_scored = {ids[i]: kw[i] for i in range(len(ids)) if kw[i] > 0}
    dist = distances("cosine", vecs, qvec)
    vec_scored = {ids[i]: -float(dist[i]) for i in range(len(ids))}
    return kw_scored, vec_scored


@pytest.mark.parametrize("fusion", [HybridFusion.RANKED, HybridFusion.RELATIVE_SCORE])
def test_hybrid_alpha_zero_is_keyword_search(small, fusion):
    col, ids, docs, _ = small
    kw, _ = keyword_and_vector(ids, docs, np.ones((10, 4)), "river stone", np.ones(4))
    got, _ = hybrid(col, "river stone", alpha=0, fusion_type=fusion)
    assert_keyword_order(got, kw)


@pytest.mark.parametrize("fusion", [HybridFusion.RANKED, HybridFusion.RELATIVE_SCORE])
def test_hybrid_alpha_one_is_vector_search(small, fusion):
    col, ids, docs, vecs = small
    q = np.array([0.2, 0.9, -0.4, 0.1], dtype=np.float32)
    got, _ = hybrid(col, "river stone", alpha=1, vector=as_list(q), fusion_type=fusion)
    assert got == expected_order(ids, list(distances("cosine", vecs, q)))


@pytest.mark.parametrize("fusion", [HybridFusion.RANKED, HybridFusion.RELATIVE_SCORE])
@pytest.mark.parametrize("alpha", [0.5, 0.75])
def test_hybrid_fusion_scores(small, fusion, alpha):
    col, ids, docs, vecs = small
    q = np.array([-0.5, 0.3, 0.8, 0.1], dtype=np.float32)
    kw, vec = keyword_and_vector(ids, docs, vecs, "river stone forest", q)
    if fusion == HybridFusion.RANKED:
        lists = [
            expected_order(list(kw), list(kw.values()), reverse=True),
            expected_order(list(vec), list(vec.values()), reverse=True),
        ]
        want = ranked_fusion(lists, [1 - alpha, alpha])
    else:
        want = relative_score_fusion([kw, vec], [1 - alpha, alpha])
    got, scores = hybrid(
        col, "river stone forest", alpha=alpha, vector=as_list(q), fusion_type=fusion
    )
    assert_ranked(
        got,
        scores,
        list(want),
        list(want.values()),
        10,
        reverse=True,
        label=f"{fusion.value} alpha={alpha}",
    )


def test_hybrid_without_a_vector_at_alpha_zero(small):
    """No vector and no vectorizer: alpha 0 needs none, and the answer is the keyword one."""
    col, ids, docs, _ = small
    kw, _ = keyword_and_vector(ids, docs, np.ones((10, 4)), "harbor winter", np.ones(4))
    got, _ = hybrid(col, "harbor winter", alpha=0)
    assert_keyword_order(got, kw)


def test_hybrid_with_property_restriction(small):
    col, ids, docs, _ = small
    kw = bm25_scores(docs, "river", {"title": 1.0})
    hits = {ids[i]: kw[i] for i in range(len(ids)) if kw[i] > 0}
    got, _ = hybrid(col, "river", alpha=0, query_properties=["title"])
    assert_keyword_order(got, hits)
