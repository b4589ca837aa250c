"""`collection.iterator()`: the client pages with gRPC Search `after` cursors (100 objects a page
by default); over more objects than one page every id must come back exactly once, in uuid
order, with its properties and (when asked) its vector."""

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import MetadataQuery

from support import as_list, seeded_uuids, unique_name

N = 457


@pytest.fixture(scope="module")
def many(client):
    rng = np.random.default_rng(3)
    ids = seeded_uuids(rng, N)
    vecs = rng.standard_normal((N, 4)).astype(np.float32)
    col = client.collections.create(
        unique_name("Iter"),
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[Property(name="n", data_type=DataType.INT)],
    )
    res = col.data.insert_many(
        [DataObject(properties={"n": i}, uuid=ids[i], vector=as_list(vecs[i])) for i in range(N)]
    )
    assert not res.has_errors, res.errors
    yield col, ids, vecs
    client.collections.delete(col.name)


def test_every_object_once_in_uuid_order(many):
    col, ids, _ = many
    seen = [(str(o.uuid), o.properties["n"]) for o in col.iterator()]
    assert [oid for oid, _ in seen] == sorted(ids)
    assert all(ids[n] == oid for oid, n in seen)


def test_small_pages_with_vectors_and_metadata(many):
    col, ids, vecs = many
    count = 0
    for o in col.iterator(
        include_vector=True, return_metadata=MetadataQuery(creation_time=True), cache_size=37
    ):
        n = ids.index(str(o.uuid))
        assert o.vector["default"] == pytest.approx(as_list(vecs[n]), abs=1e-6)
        assert o.metadata.creation_time is not None
        count += 1
    assert count == N


def test_resume_after_an_id(many):
    col, ids, _ = many
    ordered = sorted(ids)
    rest = [str(o.uuid) for o in col.iterator(after=ordered[199], return_properties=[])]
    assert rest == ordered[200:]
