"""`collection.aggregate`: over_all with total_count and every metric kind (int, number, text,
boolean, date), group_by, filters, and near_vector / near_object / hybrid with object_limit.
A server reporting < 1.29 gets these as GraphQL Aggregate, >= 1.29 as gRPC Aggregate: the
answers must be the same numbers, computed here in Python."""

import datetime as dt
import statistics
from collections import Counter

import numpy as np
import pytest
from weaviate.classes.aggregate import GroupByAggregate
from weaviate.classes.config import Configure, DataType, Property, Tokenization
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, Metrics

from support import as_list, distances, expected_order, seeded_uuids, unique_name

UTC = dt.timezone.utc
CATS = ["alpha"] * 13 + ["beta"] * 9 + ["gamma"] * 6 + ["delta"] * 3
N = len(CATS)  # 31: odd, so medians are a middle value


def _rows():
    rng = np.random.default_rng(5)
    cats = list(rng.permutation(CATS))
    prices = [int(x) for x in rng.integers(1, 500, N)]
    prices[:4] = [42] * 4  # a unique mode
    ratings = [round(float(x), 2) for x in rng.uniform(0, 5, N)]
    ratings[4:7] = [2.5] * 3
    days = [int(x) for x in rng.permutation(1000)[:N]]
    days[7:10] = [500] * 3
    rows = [
        {
            "cat": str(cats[i]),
            "price": prices[i],
            "rating": ratings[i],
            "flag": i % 3 == 0,
            "when": dt.datetime(2020, 1, 1, tzinfo=UTC) + dt.timedelta(days=days[i]),
        }
        for i in range(N)
    ]
    return seeded_uuids(rng, N), rows, rng.standard_normal((N, 3)).astype(np.float32)


IDS, ROWS, VECS = _rows()


@pytest.fixture(scope="module")
def shop(client):
    name = unique_name("Shop")
    col = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.flat(),
        sharding_config=Configure.sharding(desired_count=1),
        properties=[
            Property(name="cat", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
            Property(name="price", data_type=DataType.INT),
            Property(name="rating", data_type=DataType.NUMBER),
            Property(name="flag", data_type=DataType.BOOL),
            Property(name="when", data_type=DataType.DATE),
        ],
    )
    res = col.data.insert_many(
        [DataObject(properties=ROWS[i], uuid=IDS[i], vector=as_list(VECS[i])) for i in range(N)]
    )
    assert not res.has_errors, res.errors
    yield col
    client.collections.delete(name)


def parse_date(value):
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_int(got, values):
    assert got.count == len(values)
    assert (got.minimum, got.maximum, got.sum_) == (min(values), max(values), sum(values))
    assert got.mean == pytest.approx(statistics.mean(values))
    assert got.median == pytest.approx(statistics.median(values))
    assert got.mode == statistics.mode(values)


def test_total_count(shop):
    assert shop.aggregate.over_all(total_count=True).total_count == N
    assert len(shop) == N


def test_int_metrics(shop):
    res = shop.aggregate.over_all(return_metrics=Metrics("price").integer())
    check_int(res.properties["price"], [r["price"] for r in ROWS])


def test_number_metrics(shop):
    values = [r["rating"] for r in ROWS]
    got = shop.aggregate.over_all(return_metrics=Metrics("rating").number()).properties["rating"]
    assert got.count == N
    assert got.minimum == pytest.approx(min(values))
    assert got.maximum == pytest.approx(max(values))
    assert got.sum_ == pytest.approx(sum(values))
    assert got.mean == pytest.approx(statistics.mean(values))
    assert got.median == pytest.approx(statistics.median(values))
    assert got.mode == pytest.approx(statistics.mode(values))


def test_text_metrics(shop):
    got = shop.aggregate.over_all(return_metrics=Metrics("cat").text(limit=3)).properties["cat"]
    assert got.count == N
    want = Counter(CATS).most_common(3)
    assert [(t.value, t.count) for t in got.top_occurrences] == want


def test_boolean_metrics(shop):
    got = shop.aggregate.over_all(return_metrics=Metrics("flag").boolean()).properties["flag"]
    true = sum(r["flag"] for r in ROWS)
    assert (got.count, got.total_true, got.total_false) == (N, true, N - true)
    assert got.percentage_true == pytest.approx(true / N)
    assert got.percentage_false == pytest.approx((N - true) / N)


def test_date_metrics(shop):
    values = sorted(r["when"] for r in ROWS)
    got = shop.aggregate.over_all(return_metrics=Metrics("when").date_()).properties["when"]
    assert got.count == N
    assert parse_date(got.minimum) == values[0]
    assert parse_date(got.maximum) == values[-1]
    assert parse_date(got.median) == values[N // 2]
    assert parse_date(got.mode) == statistics.mode(values)


def test_several_metrics_at_once(shop):
    res = shop.aggregate.over_all(
        total_count=True,
        return_metrics=[
            Metrics("price").integer(sum_=True, minimum=True),
            Metrics("flag").boolean(total_true=True),
        ],
    )
    assert res.total_count == N
    assert res.properties["price"].sum_ == sum(r["price"] for r in ROWS)
    assert res.properties["price"].minimum == min(r["price"] for r in ROWS)
    assert res.properties["flag"].total_true == sum(r["flag"] for r in ROWS)


def test_with_filter(shop):
    keep = [r for r in ROWS if r["flag"] and r["price"] > 100]
    res = shop.aggregate.over_all(
        total_count=True,
        filters=Filter.by_property("flag").equal(True)
        & Filter.by_property("price").greater_than(100),
        return_metrics=Metrics("price").integer(count=True, sum_=True, maximum=True),
    )
    assert res.total_count == len(keep)
    got = res.properties["price"]
    assert (got.count, got.sum_, got.maximum) == (
        len(keep),
        sum(r["price"] for r in keep),
        max(r["price"] for r in keep),
    )


def test_group_by(shop):
    res = shop.aggregate.over_all(
        group_by=GroupByAggregate(prop="cat"),
        total_count=True,
        return_metrics=Metrics("price").integer(sum_=True, count=True),
    )
    got = {g.grouped_by.value: g for g in res.groups}
    assert set(got) == set(CATS)
    for cat, group in got.items():
        prices = [r["price"] for r in ROWS if r["cat"] == cat]
        assert group.grouped_by.prop == "cat"
        assert group.total_count == len(prices)
        assert (group.properties["price"].count, group.properties["price"].sum_) == (
            len(prices),
            sum(prices),
        )


def test_group_by_with_filter(shop):
    res = shop.aggregate.over_all(
        group_by="cat", total_count=True, filters=Filter.by_property("flag").equal(True)
    )
    want = Counter(r["cat"] for r in ROWS if r["flag"])
    assert {g.grouped_by.value: g.total_count for g in res.groups} == dict(want)


def nearest(query, k):
    return expected_order(list(range(N)), list(distances("cosine", VECS, query)), k)


def test_near_vector_with_object_limit(shop):
    q = np.array([0.3, -0.7, 0.2], dtype=np.float32)
    top = nearest(q, 8)
    res = shop.aggregate.near_vector(
        as_list(q),
        object_limit=8,
        total_count=True,
        return_metrics=Metrics("price").integer(sum_=True),
    )
    assert res.total_count == 8
    assert res.properties["price"].sum_ == sum(ROWS[i]["price"] for i in top)


def test_near_object_with_object_limit(shop):
    top = nearest(VECS[4], 5)
    res = shop.aggregate.near_object(
        IDS[4],
        object_limit=5,
        total_count=True,
        return_metrics=Metrics("rating").number(maximum=True),
    )
    assert res.total_count == 5
    assert res.properties["rating"].maximum == pytest.approx(max(ROWS[i]["rating"] for i in top))


def test_hybrid_with_object_limit(shop):
    """alpha 0 on a field-tokenized property: the hits are the documents of that category."""
    res = shop.aggregate.hybrid(
        "gamma",
        alpha=0,
        query_properties=["cat"],
        object_limit=100,
        total_count=True,
        return_metrics=Metrics("cat").text(top_occurrences_value=True, top_occurrences_count=True),
    )
    assert res.total_count == CATS.count("gamma")
    assert [(t.value, t.count) for t in res.properties["cat"].top_occurrences] == [
        ("gamma", CATS.count("gamma"))
    ]
    cut = shop.aggregate.hybrid("alpha", alpha=0, query_properties=["cat"], object_limit=4)
    assert cut.total_count == 4


def test_graphql_aggregate_as_4_24_1_builds_it_for_older_servers(client, shop):
    """Against servers < 1.29 the client sends aggregations as GraphQL and writes
    `objectLimit: 100hybrid:{...}` with no separator; Weaviate's lexer (graphql-go) reads an int
    followed directly by a name as two tokens, so the query is valid there."""
    res = client.graphql_raw_query(
        '{Aggregate{%s(objectLimit: 100hybrid:{query: "gamma", alpha: 0, properties: ["cat"]})'
        "{meta{count}}}}" % shop.name
    )
    assert not res.errors, res.errors
    assert res.aggregate[shop.name][0]["meta"]["count"] == CATS.count("gamma")
