"""The `dynamic` vector index, which Weaviate only allows with ASYNC_INDEXING=true: this module's
node is started with it (on a cluster run, whose nodes are not started with it, the module skips
itself). The config round-trips, and near_vector stays exact below the threshold (flat) and after
the index has grown past it (hnsw on a few dozen objects finds the true neighbours)."""

import time

import numpy as np
from weaviate.classes.config import Configure, VectorDistances
from weaviate.classes.data import DataObject
from weaviate.classes.query import MetadataQuery

from support import as_list, assert_ranked, distances

NODE_ENV = {"ASYNC_INDEXING": "true"}
DIM = 6


def search_until_complete(col, q, k, expected_count, timeout=60):
    """Async indexing may lag the write: wait until the index holds every object."""
    deadline = time.monotonic() + timeout
    while True:
        res = col.query.near_vector(
            as_list(q), limit=k, return_metadata=MetadataQuery(distance=True)
        )
        full = col.query.near_vector(as_list(q), limit=expected_count + 10)
        if len(full.objects) >= expected_count or time.monotonic() > deadline:
            return res
        time.sleep(0.3)


def test_dynamic_index(make_collection):
    col = make_collection(
        "Dyn",
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.dynamic(
                distance_metric=VectorDistances.L2_SQUARED,
                threshold=50,
                hnsw=Configure.VectorIndex.hnsw(ef_construction=64),
                flat=Configure.VectorIndex.flat(vector_cache_max_objects=1000),
            )
        ),
    )
    vic = col.config.get().vector_config["default"].vector_index_config
    assert type(vic).__name__ == "_VectorIndexConfigDynamic"
    assert vic.distance_metric == VectorDistances.L2_SQUARED
    assert vic.threshold == 50
    assert vic.hnsw.ef_construction == 64
    assert vic.flat.vector_cache_max_objects == 1000

    rng = np.random.default_rng(17)
    vecs = rng.standard_normal((90, DIM)).astype(np.float32)
    ids = []
    for lo, hi in [(0, 30), (30, 90)]:
        res = col.data.insert_many(
            [DataObject(properties={}, vector={"default": as_list(v)}) for v in vecs[lo:hi]]
        )
        assert not res.has_errors, res.errors
        ids += [str(res.uuids[i]) for i in range(hi - lo)]
        q = rng.standard_normal(DIM).astype(np.float32)
        got = search_until_complete(col, q, 5, hi)
        ref = list(distances("l2-squared", vecs[:hi], q))
        assert_ranked(
            [str(o.uuid) for o in got.objects],
            [o.metadata.distance for o in got.objects],
            ids,
            ref,
            5,
            label=f"{hi} objects",
        )
