"""`collection.query` over gRPC Search: fetch_objects (limit, offset, after, sort, filters,
return_properties, return_metadata, include_vector), fetch_object_by_id, near_vector (distance,
certainty, offset, filters, group_by, auto_limit), near_object. Expected results come from numpy
over the same vectors (flat index, so the server's answer must be exact)."""

import uuid

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property, Tokenization
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, GroupBy, MetadataQuery, Sort

from support import as_list, assert_ranked, autocut, distances, expected_order, seeded_uuids, tol
from support import unique_name

N, DIM = 60, 8
CATEGORIES = ["alpha", "beta", "gamma"]


def _dataset():
    rng = np.random.default_rng(7)
    centers = rng.standard_normal((3, DIM)) * 2
    ids = seeded_uuids(rng, N)
    vecs = np.stack([centers[i % 3] + 0.6 * rng.standard_normal(DIM) for i in range(N)])
    vecs = vecs.astype(np.float32)
    codes = [f"item-{c:03d}" for c in rng.permutation(N)]
    props = [
        {
            "code": codes[i],
            "category": CATEGORIES[i % 3],
            "rank": i,
            "price": round(float(rng.uniform(1, 100)), 2),
            "flag": bool(i % 4 == 0),
        }
        for i in range(N)
    ]
    return ids, vecs, props, centers


IDS, VECS, PROPS, CENTERS = _dataset()
BY_ID = dict(zip(IDS, PROPS))


@pytest.fixture(scope="module")
def shelf(client):
    name = unique_name("Shelf")
    col = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.flat(),
        properties=[
            Property(name="code", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
            Property(name="category", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
            Property(name="rank", data_type=DataType.INT),
            Property(name="price", data_type=DataType.NUMBER),
            Property(name="flag", data_type=DataType.BOOL),
        ],
    )
    res = col.data.insert_many(
        [DataObject(properties=PROPS[i], uuid=IDS[i], vector=as_list(VECS[i])) for i in range(N)]
    )
    assert not res.has_errors, res.errors
    yield col
    client.collections.delete(name)


def ids_of(res):
    return [str(o.uuid) for o in res.objects]


def query_vector(seed):
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def test_fetch_objects_default_limit_is_ten(shelf):
    res = shelf.query.fetch_objects()
    assert len(res.objects) == 10
    assert set(ids_of(res)) <= set(IDS)


def test_fetch_objects_sorted_with_limit_and_offset(shelf):
    res = shelf.query.fetch_objects(limit=5, offset=5, sort=Sort.by_property("rank"))
    assert [o.properties["rank"] for o in res.objects] == [5, 6, 7, 8, 9]
    assert ids_of(res) == IDS[5:10]


def test_sort_descending_and_by_two_properties(shelf):
    res = shelf.query.fetch_objects(limit=N, sort=Sort.by_property("rank", ascending=False))
    assert [o.properties["rank"] for o in res.objects] == list(range(N - 1, -1, -1))
    two = shelf.query.fetch_objects(
        limit=12, sort=Sort.by_property("category").by_property("price", ascending=False)
    )
    want = sorted(PROPS, key=lambda p: (p["category"], -p["price"]))[:12]
    assert [o.properties["rank"] for o in two.objects] == [p["rank"] for p in want]


def test_sort_by_text(shelf):
    res = shelf.query.fetch_objects(limit=8, sort=Sort.by_property("code"))
    assert [o.properties["code"] for o in res.objects] == sorted(p["code"] for p in PROPS)[:8]


def test_after_cursor_pages_in_uuid_order(shelf):
    seen, after = [], None
    while True:
        page = shelf.query.fetch_objects(limit=7, after=after)
        if not page.objects:
            break
        seen += ids_of(page)
        after = page.objects[-1].uuid
    assert seen == sorted(IDS)


def test_fetch_with_filter(shelf):
    res = shelf.query.fetch_objects(
        limit=N,
        filters=Filter.by_property("category").equal("beta")
        & Filter.by_property("flag").equal(True),
    )
    want = {i for i, p in zip(IDS, PROPS) if p["category"] == "beta" and p["flag"]}
    assert set(ids_of(res)) == want and len(res.objects) == len(want)


def test_return_properties_and_metadata(shelf):
    res = shelf.query.fetch_objects(
        limit=3,
        sort=Sort.by_property("rank"),
        return_properties=["code", "rank"],
        return_metadata=MetadataQuery(creation_time=True, last_update_time=True),
    )
    for o, oid in zip(res.objects, IDS[:3]):
        assert set(o.properties) == {"code", "rank"}
        assert o.properties == {"code": BY_ID[oid]["code"], "rank": BY_ID[oid]["rank"]}
        assert o.metadata.creation_time is not None
        assert o.metadata.last_update_time >= o.metadata.creation_time
        assert o.vector == {}


def test_include_vector(shelf):
    res = shelf.query.fetch_objects(limit=4, sort=Sort.by_property("rank"), include_vector=True)
    for i, o in enumerate(res.objects):
        assert o.vector["default"] == pytest.approx(as_list(VECS[i]), abs=1e-6)


def test_fetch_object_by_id(shelf):
    obj = shelf.query.fetch_object_by_id(IDS[11], include_vector=True)
    assert str(obj.uuid) == IDS[11]
    assert obj.properties == PROPS[11]
    assert obj.vector["default"] == pytest.approx(as_list(VECS[11]), abs=1e-6)
    assert shelf.query.fetch_object_by_id(uuid.uuid4()) is None


def test_near_vector_top_ten_with_distance_and_certainty(shelf):
    q = query_vector(1)
    res = shelf.query.near_vector(
        as_list(q), limit=10, return_metadata=MetadataQuery(distance=True, certainty=True)
    )
    ref = list(distances("cosine", VECS, q))
    got = [o.metadata.distance for o in res.objects]
    assert_ranked(ids_of(res), got, IDS, ref, 10, label="near_vector")
    for o in res.objects:
        assert o.metadata.certainty == pytest.approx(1 - o.metadata.distance / 2, abs=1e-5)


def test_near_vector_distance_threshold(shelf):
    """Over gRPC a missing limit means the default limit (10), threshold or not."""
    q = query_vector(2)
    ref = distances("cosine", VECS, q)
    threshold = float(np.sort(ref)[14] + np.sort(ref)[15]) / 2  # 15 objects inside
    inside = [i for i, d in zip(IDS, ref) if d <= threshold]
    res = shelf.query.near_vector(as_list(q), distance=threshold, limit=N)
    assert sorted(ids_of(res)) == sorted(inside)
    default = shelf.query.near_vector(as_list(q), distance=threshold)
    assert ids_of(default) == expected_order(IDS, list(ref), 10)


def test_near_vector_certainty_threshold(shelf):
    q = query_vector(3)
    cert = 1 - distances("cosine", VECS, q) / 2
    cut = float(np.sort(cert)[::-1][11] + np.sort(cert)[::-1][12]) / 2  # 12 objects inside
    res = shelf.query.near_vector(as_list(q), certainty=cut, limit=N)
    assert sorted(ids_of(res)) == sorted(i for i, c in zip(IDS, cert) if c >= cut)


def test_near_vector_limit_and_offset(shelf):
    q = query_vector(4)
    ref = distances("cosine", VECS, q)
    res = shelf.query.near_vector(as_list(q), limit=4, offset=3)
    assert ids_of(res) == expected_order(IDS, list(ref), 7)[3:]


def test_near_vector_with_filter(shelf):
    q = query_vector(5)
    ref = distances("cosine", VECS, q)
    res = shelf.query.near_vector(
        as_list(q),
        limit=5,
        filters=Filter.by_property("rank").greater_or_equal(30),
        return_metadata=MetadataQuery(distance=True),
    )
    keep = [i for i in range(N) if i >= 30]
    assert_ranked(
        ids_of(res),
        [o.metadata.distance for o in res.objects],
        [IDS[i] for i in keep],
        [float(ref[i]) for i in keep],
        5,
        label="filtered near_vector",
    )


def test_near_object_finds_itself_first(shelf):
    res = shelf.query.near_object(IDS[20], limit=6, return_metadata=MetadataQuery(distance=True))
    ref = list(distances("cosine", VECS, VECS[20]))
    assert ids_of(res)[0] == IDS[20]
    assert res.objects[0].metadata.distance == pytest.approx(0, abs=1e-5)
    assert_ranked(ids_of(res), [o.metadata.distance for o in res.objects], IDS, ref, 6)


def test_group_by_category(shelf):
    """Groups come in the order of their nearest member; each keeps its nearest objects."""
    q = (0.8 * CENTERS[1] + 0.2 * CENTERS[2]).astype(np.float32)
    ref = distances("cosine", VECS, q)
    res = shelf.query.near_vector(
        as_list(q),
        limit=N,
        group_by=GroupBy(prop="category", number_of_groups=2, objects_per_group=3),
        return_metadata=MetadataQuery(distance=True),
    )
    order = expected_order(list(range(N)), list(ref))
    groups = []
    for i in order:
        if PROPS[i]["category"] not in groups:
            groups.append(PROPS[i]["category"])
    assert list(res.groups) == groups[:2]
    for name in groups[:2]:
        want = [IDS[i] for i in order if PROPS[i]["category"] == name][:3]
        got = res.groups[name].objects
        assert [str(o.uuid) for o in got] == want
        for o in got:
            assert o.belongs_to_group == name
            assert o.metadata.distance == pytest.approx(ref[IDS.index(str(o.uuid))], abs=tol(1))


def test_auto_limit_cuts_at_the_first_jump(client, make_collection):
    rng = np.random.default_rng(11)
    q = rng.standard_normal(DIM).astype(np.float32)
    near = [q + 0.01 * rng.standard_normal(DIM) for _ in range(3)]
    far = []
    while len(far) < 17:  # everything else clearly away from the query
        v = rng.standard_normal(DIM)
        if distances("cosine", [v], q)[0] > 0.7:
            far.append(v)
    vecs = np.stack(near + far).astype(np.float32)
    col = make_collection(
        "Cut",
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.flat(),
        properties=[Property(name="i", data_type=DataType.INT)],
    )
    res = col.data.insert_many(
        [DataObject(properties={"i": i}, vector=as_list(v)) for i, v in enumerate(vecs)]
    )
    assert not res.has_errors
    ref = sorted(distances("cosine", vecs, q))
    keep = autocut(ref, 1)
    assert keep == 3  # the data is built so that the first jump follows the three near objects
    got = col.query.near_vector(as_list(q), limit=20, auto_limit=1)
    assert sorted(o.properties["i"] for o in got.objects) == [0, 1, 2]
    two = col.query.near_vector(as_list(q), limit=20, auto_limit=2)
    assert len(two.objects) == autocut(ref, 2)
