"""Client-side batching (gRPC BatchObjects underneath): `batch.dynamic()`, `batch.fixed_size()`,
`batch.rate_limit()` on a collection and on the client; `failed_objects` stays empty when every
object is good and names each bad object (with its uuid) when some are not."""

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property

from support import as_list, seeded_uuids

DIM = 8


@pytest.fixture
def docs(make_collection):
    return make_collection(
        "Batch",
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.flat(),
        properties=[
            Property(name="n", data_type=DataType.INT),
            Property(name="label", data_type=DataType.TEXT),
        ],
    )


def rows(seed, count):
    rng = np.random.default_rng(seed)
    ids = seeded_uuids(rng, count)
    vecs = rng.standard_normal((count, DIM)).astype(np.float32)
    return [(ids[i], {"n": i, "label": f"row {i}"}, as_list(vecs[i])) for i in range(count)]


def assert_stored(col, data):
    """Exactly these objects, with their properties and vectors."""
    got = {
        str(o.uuid): o
        for o in col.query.fetch_objects(limit=len(data) + 10, include_vector=True).objects
    }
    assert set(got) == {oid for oid, _, _ in data}
    for oid, props, vec in data:
        assert got[oid].properties == props
        assert got[oid].vector["default"] == pytest.approx(vec, abs=1e-6)


def test_dynamic(docs):
    data = rows(1, 300)
    with docs.batch.dynamic() as batch:
        for oid, props, vec in data:
            batch.add_object(properties=props, uuid=oid, vector=vec)
    assert docs.batch.failed_objects == []
    assert len(docs) == 300
    assert_stored(docs, data)


def test_fixed_size(docs):
    data = rows(2, 250)
    with docs.batch.fixed_size(batch_size=40, concurrent_requests=2) as batch:
        for oid, props, vec in data:
            batch.add_object(properties=props, uuid=oid, vector=vec)
        assert batch.number_errors == 0
    assert docs.batch.failed_objects == []
    assert_stored(docs, data)


def test_rate_limit(docs):
    data = rows(3, 30)
    with docs.batch.rate_limit(requests_per_minute=1200) as batch:
        for oid, props, vec in data:
            batch.add_object(properties=props, uuid=oid, vector=vec)
    assert docs.batch.failed_objects == []
    assert_stored(docs, data)


def test_client_level_batch_into_two_collections(client, docs, make_collection):
    other = make_collection(
        "Other",
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[Property(name="n", data_type=DataType.INT)],
    )
    first, second = rows(4, 60), rows(5, 40)
    with client.batch.fixed_size(batch_size=25) as batch:
        for oid, props, vec in first:
            batch.add_object(collection=docs.name, properties=props, uuid=oid, vector=vec)
        for oid, props, vec in second:
            batch.add_object(
                collection=other.name, properties={"n": props["n"]}, uuid=oid, vector=vec
            )
    assert client.batch.failed_objects == []
    assert_stored(docs, first)
    assert_stored(other, [(oid, {"n": p["n"]}, v) for oid, p, v in second])


def test_upsert_through_batch_replaces(docs):
    data = rows(6, 10)
    with docs.batch.fixed_size(batch_size=10) as batch:
        for oid, props, vec in data:
            batch.add_object(properties=props, uuid=oid, vector=vec)
    changed = [(oid, {"n": p["n"] + 100, "label": "again"}, v) for oid, p, v in data]
    with docs.batch.fixed_size(batch_size=10) as batch:
        for oid, props, vec in changed:
            batch.add_object(properties=props, uuid=oid, vector=vec)
    assert docs.batch.failed_objects == []
    assert len(docs) == 10
    assert_stored(docs, changed)


@pytest.mark.parametrize("mode", ["dynamic", "fixed_size"])
def test_failed_objects_name_the_bad_ones(docs, mode):
    data = rows(7, 50)
    bad = {5: {"n": "five"}, 17: {"n": 1.5}, 33: {"label": 12}}
    with getattr(docs.batch, mode)() as batch:
        for i, (oid, props, vec) in enumerate(data):
            batch.add_object(properties=bad.get(i, props), uuid=oid, vector=vec)
    failed = docs.batch.failed_objects
    assert sorted(str(f.original_uuid) for f in failed) == sorted(data[i][0] for i in bad)
    by_id = {str(f.original_uuid): f for f in failed}
    assert "n" in by_id[data[5][0]].message
    assert "label" in by_id[data[33][0]].message
    assert by_id[data[17][0]].object_.properties == {"n": 1.5}
    good = [row for i, row in enumerate(data) if i not in bad]
    assert_stored(docs, good)


def test_batch_with_named_vectors(make_collection):
    col = make_collection(
        "NamedBatch",
        vector_config=[
            Configure.Vectors.self_provided(name="a"),
            Configure.Vectors.self_provided(name="b"),
        ],
        properties=[Property(name="n", data_type=DataType.INT)],
    )
    with col.batch.fixed_size(batch_size=7) as batch:
        for i in range(20):
            batch.add_object(properties={"n": i}, vector={"a": [i, 1.0], "b": [1.0, 2.0, i]})
    assert col.batch.failed_objects == []
    objs = col.query.fetch_objects(limit=50, include_vector=True).objects
    assert sorted(o.properties["n"] for o in objs) == list(range(20))
    for o in objs:
        n = o.properties["n"]
        assert o.vector["a"] == pytest.approx([n, 1.0])
        assert o.vector["b"] == pytest.approx([1.0, 2.0, n])
