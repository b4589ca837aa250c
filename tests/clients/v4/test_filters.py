"""Every `Filter` operator over gRPC (fetch_objects; Weaviate's Filters message), compared with a
Python evaluation of the same condition over the data: equal / not_equal / less / greater
(_or_equal) on int, number, date, text and boolean, like, is_none, contains_any / all / none
on arrays, within_geo_range, by_id, by_creation_time, by_update_time, property length, and the
combinators & | and Filter.not_ / ~."""

import datetime as dt
import math
import time

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property, Tokenization
from weaviate.classes.data import DataObject, GeoCoordinate
from weaviate.classes.query import Filter, MetadataQuery

from support import seeded_uuids, unique_name

N = 40
UTC = dt.timezone.utc
BASE = dt.datetime(2024, 1, 1, tzinfo=UTC)
COLORS = ["red", "green", "blue", "white", "black"]


def _rows():
    rng = np.random.default_rng(21)
    ids = seeded_uuids(rng, N)
    rows = []
    for i in range(N):
        rows.append(
            {
                "code": f"item-{i:02d}",
                "words": f"{COLORS[i % 5]} {'bright' if i % 3 == 0 else 'plain'} fox",
                "tags": [COLORS[j] for j in range(5) if (i >> j) & 1],
                "n": i,
                "x": round(float(rng.uniform(-10, 10)), 3),
                "ok": i % 3 == 0,
                "when": BASE + dt.timedelta(days=i),
                "nums": [i % 4, i % 7],
                "other": ids[(i + 1) % N],
                "place": {"latitude": 52.0 + i * 0.01, "longitude": 4.0},
                "maybe": i if i % 4 else None,
            }
        )
    return ids, rows


IDS, ROWS = _rows()


@pytest.fixture(scope="module")
def col(client):
    name = unique_name("Filt")
    c = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        inverted_index_config=Configure.inverted_index(
            index_null_state=True, index_property_length=True, index_timestamps=True
        ),
        properties=[
            Property(name="code", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
            Property(name="words", data_type=DataType.TEXT),
            Property(name="tags", data_type=DataType.TEXT_ARRAY),
            Property(name="n", data_type=DataType.INT),
            Property(name="x", data_type=DataType.NUMBER),
            Property(name="ok", data_type=DataType.BOOL),
            Property(name="when", data_type=DataType.DATE),
            Property(name="nums", data_type=DataType.INT_ARRAY),
            Property(name="other", data_type=DataType.UUID),
            Property(name="place", data_type=DataType.GEO_COORDINATES),
            Property(name="maybe", data_type=DataType.INT),
        ],
    )
    objs = []
    for oid, row in zip(IDS, ROWS):
        props = {k: v for k, v in row.items() if v is not None and k != "place"}
        props["place"] = GeoCoordinate(**row["place"])
        objs.append(DataObject(properties=props, uuid=oid))
    res = c.data.insert_many(objs)
    assert not res.has_errors, res.errors
    yield c
    client.collections.delete(name)


def matching(col, flt):
    res = col.query.fetch_objects(filters=flt, limit=1000)
    return sorted(str(o.uuid) for o in res.objects)


def expect(pred):
    return sorted(oid for oid, row in zip(IDS, ROWS) if pred(row))


def haversine_m(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371000 * math.asin(math.sqrt(h))


P = Filter.by_property
CASES = [
    ("int equal", P("n").equal(7), lambda r: r["n"] == 7),
    ("int not_equal", P("n").not_equal(7), lambda r: r["n"] != 7),
    ("int less_than", P("n").less_than(5), lambda r: r["n"] < 5),
    ("int less_or_equal", P("n").less_or_equal(5), lambda r: r["n"] <= 5),
    ("int greater_than", P("n").greater_than(30), lambda r: r["n"] > 30),
    ("int greater_or_equal", P("n").greater_or_equal(30), lambda r: r["n"] >= 30),
    ("number less_than", P("x").less_than(0.5), lambda r: r["x"] < 0.5),
    ("number greater_or_equal", P("x").greater_or_equal(-2.5), lambda r: r["x"] >= -2.5),
    ("bool equal", P("ok").equal(True), lambda r: r["ok"]),
    ("bool not_equal", P("ok").not_equal(True), lambda r: not r["ok"]),
    (
        "date less_than",
        P("when").less_than(BASE + dt.timedelta(days=10)),
        lambda r: r["when"] < BASE + dt.timedelta(days=10),
    ),
    (
        "date greater_or_equal",
        P("when").greater_or_equal(BASE + dt.timedelta(days=25)),
        lambda r: r["when"] >= BASE + dt.timedelta(days=25),
    ),
    (
        "date equal",
        P("when").equal(BASE + dt.timedelta(days=3)),
        lambda r: r["when"] == BASE + dt.timedelta(days=3),
    ),
    ("field text equal", P("code").equal("item-07"), lambda r: r["code"] == "item-07"),
    ("field text greater_than", P("code").greater_than("item-35"), lambda r: r["code"] > "item-35"),
    ("word text equal", P("words").equal("bright"), lambda r: "bright" in r["words"].split()),
    (
        "word text equal two tokens",
        P("words").equal("red bright"),
        lambda r: {"red", "bright"} <= set(r["words"].split()),
    ),
    ("like prefix", P("code").like("item-1*"), lambda r: r["code"].startswith("item-1")),
    ("like single char", P("code").like("item-?5"), lambda r: r["code"][-1] == "5"),
    ("like on words", P("words").like("bri*"), lambda r: "bright" in r["words"]),
    ("is_none true", P("maybe").is_none(True), lambda r: r["maybe"] is None),
    ("is_none false", P("maybe").is_none(False), lambda r: r["maybe"] is not None),
    (
        "contains_any text[]",
        P("tags").contains_any(["red", "white"]),
        lambda r: bool({"red", "white"} & set(r["tags"])),
    ),
    (
        "contains_all text[]",
        P("tags").contains_all(["red", "white"]),
        lambda r: {"red", "white"} <= set(r["tags"]),
    ),
    (
        "contains_none text[]",
        P("tags").contains_none(["red", "white"]),
        lambda r: not {"red", "white"} & set(r["tags"]),
    ),
    ("contains_any int[]", P("nums").contains_any([3, 6]), lambda r: bool({3, 6} & set(r["nums"]))),
    ("contains_all int[]", P("nums").contains_all([1, 3]), lambda r: {1, 3} <= set(r["nums"])),
    ("contains_any int", P("n").contains_any([1, 2, 39]), lambda r: r["n"] in (1, 2, 39)),
    ("uuid equal", P("other").equal(IDS[5]), lambda r: r["other"] == IDS[5]),
    ("property length", P("tags", length=True).equal(2), lambda r: len(r["tags"]) == 2),
    ("and", P("n").greater_than(10) & P("ok").equal(True), lambda r: r["n"] > 10 and r["ok"]),
    ("or", P("n").less_than(3) | P("n").greater_than(36), lambda r: r["n"] < 3 or r["n"] > 36),
    (
        "nested and/or",
        (P("n").less_than(20) & (P("ok").equal(True) | P("tags").contains_any(["blue"])))
        | P("code").equal("item-39"),
        lambda r: (r["n"] < 20 and (r["ok"] or "blue" in r["tags"])) or r["code"] == "item-39",
    ),
    (
        "all_of",
        Filter.all_of([P("n").greater_than(5), P("n").less_than(9), P("ok").equal(True)]),
        lambda r: 5 < r["n"] < 9 and r["ok"],
    ),
    ("any_of", Filter.any_of([P("n").equal(1), P("n").equal(2)]), lambda r: r["n"] in (1, 2)),
    ("not_", Filter.not_(P("n").less_than(35)), lambda r: not r["n"] < 35),
    (
        "not of and",
        ~(P("ok").equal(True) & P("n").less_than(20)),
        lambda r: not (r["ok"] and r["n"] < 20),
    ),
]


@pytest.mark.parametrize("flt, pred", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_operator(col, flt, pred):
    want = expect(pred)
    assert want, "every case must select something"
    assert matching(col, flt) == want


def test_within_geo_range(col):
    center = (52.1, 4.0)
    dists = [haversine_m(center, (r["place"]["latitude"], r["place"]["longitude"])) for r in ROWS]
    radius = 5000.0  # points are 1.1 km apart: none sits near the boundary
    assert all(abs(d - radius) > 200 for d in dists)
    flt = P("place").within_geo_range(GeoCoordinate(latitude=52.1, longitude=4.0), radius)
    assert matching(col, flt) == sorted(i for i, d in zip(IDS, dists) if d <= radius)


def test_by_id(col):
    assert matching(col, Filter.by_id().equal(IDS[3])) == [IDS[3]]
    assert matching(col, Filter.by_id().contains_any(IDS[:4])) == sorted(IDS[:4])
    assert matching(col, Filter.by_id().not_equal(IDS[3])) == sorted(IDS[:3] + IDS[4:])
    assert matching(col, Filter.by_id().contains_none(IDS[4:])) == sorted(IDS[:4])


def test_by_creation_and_update_time(client, make_collection):
    c = make_collection(
        "Times",
        vectorizer_config=Configure.Vectorizer.none(),
        inverted_index_config=Configure.inverted_index(index_timestamps=True),
        properties=[Property(name="n", data_type=DataType.INT)],
    )
    first = c.data.insert_many([{"n": i} for i in range(5)]).uuids
    time.sleep(0.05)
    second = c.data.insert_many([{"n": i} for i in range(5, 10)]).uuids
    meta = {
        str(o.uuid): o.metadata
        for o in c.query.fetch_objects(
            limit=20, return_metadata=MetadataQuery(creation_time=True, last_update_time=True)
        ).objects
    }
    cut = max(meta[str(u)].creation_time for u in first.values())
    later = matching(c, Filter.by_creation_time().greater_than(cut))
    assert later == sorted(str(u) for u in second.values())
    earlier = matching(c, Filter.by_creation_time().less_or_equal(cut))
    assert earlier == sorted(str(u) for u in first.values())
    exact = meta[str(first[0])].creation_time
    assert str(first[0]) in matching(c, Filter.by_creation_time().equal(exact))
    time.sleep(0.05)
    c.data.update(first[1], properties={"n": 100})
    newest = max(m.creation_time for m in meta.values())
    assert matching(c, Filter.by_update_time().greater_than(newest)) == [str(first[1])]
