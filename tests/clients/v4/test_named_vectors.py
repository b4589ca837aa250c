"""Named vectors over gRPC: near_vector on one named target, and on several targets joined with
`TargetVectors.sum / average / minimum / manual_weights`, each compared with the combined
distance computed in numpy (flat indexes, limit = every object, so the answer is exact)."""

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property, VectorDistances
from weaviate.classes.data import DataObject
from weaviate.classes.query import MetadataQuery, TargetVectors

from support import as_list, assert_ranked, distances, seeded_uuids, unique_name

N = 30


def _dataset():
    rng = np.random.default_rng(99)
    return (
        seeded_uuids(rng, N),
        rng.standard_normal((N, 4)).astype(np.float32),
        rng.standard_normal((N, 6)).astype(np.float32),
    )


IDS, VA, VB = _dataset()


@pytest.fixture(scope="module")
def twin(client):
    name = unique_name("Twin")
    col = client.collections.create(
        name,
        vector_config=[
            Configure.Vectors.self_provided(
                name="a", vector_index_config=Configure.VectorIndex.flat()
            ),
            Configure.Vectors.self_provided(
                name="b",
                vector_index_config=Configure.VectorIndex.flat(
                    distance_metric=VectorDistances.L2_SQUARED
                ),
            ),
        ],
        properties=[Property(name="i", data_type=DataType.INT)],
    )
    res = col.data.insert_many(
        [
            DataObject(
                properties={"i": i}, uuid=IDS[i], vector={"a": as_list(VA[i]), "b": as_list(VB[i])}
            )
            for i in range(N)
        ]
    )
    assert not res.has_errors, res.errors
    yield col
    client.collections.delete(name)


QA = np.array([0.3, -1.0, 0.5, 0.2], dtype=np.float32)
QB = np.array([1.0, 0.0, -0.5, 0.25, 0.75, -1.0], dtype=np.float32)
DA = distances("cosine", VA, QA)
DB = distances("l2-squared", VB, QB)


def run(col, target, limit=N, vector=None):
    res = col.query.near_vector(
        vector if vector is not None else {"a": as_list(QA), "b": as_list(QB)},
        target_vector=target,
        limit=limit,
        return_metadata=MetadataQuery(distance=True),
    )
    return [str(o.uuid) for o in res.objects], [o.metadata.distance for o in res.objects]


def test_single_named_target(twin):
    got, dist = run(twin, "a", limit=8, vector=as_list(QA))
    assert_ranked(got, dist, IDS, list(DA), 8, label="target a")
    got, dist = run(twin, "b", limit=8, vector=as_list(QB))
    assert_ranked(got, dist, IDS, list(DB), 8, label="target b")


def test_a_named_target_is_required_when_there_are_several(twin):
    from weaviate.exceptions import WeaviateQueryError

    with pytest.raises(WeaviateQueryError):
        twin.query.near_vector(as_list(QA), limit=3)


@pytest.mark.parametrize(
    "join, combine",
    [
        (TargetVectors.sum(["a", "b"]), lambda a, b: a + b),
        (TargetVectors.average(["a", "b"]), lambda a, b: (a + b) / 2),
        (TargetVectors.minimum(["a", "b"]), np.minimum),
        (TargetVectors.manual_weights({"a": 0.7, "b": 0.3}), lambda a, b: 0.7 * a + 0.3 * b),
    ],
    ids=["sum", "average", "minimum", "manual_weights"],
)
def test_several_targets_combined(twin, join, combine):
    got, dist = run(twin, join)
    assert_ranked(got, dist, IDS, list(combine(DA, DB)), N, label=str(join))


def test_same_query_vector_for_several_targets_of_one_size(client, make_collection):
    col = make_collection(
        "Pair",
        vector_config=[
            Configure.Vectors.self_provided(
                name="x", vector_index_config=Configure.VectorIndex.flat()
            ),
            Configure.Vectors.self_provided(
                name="y", vector_index_config=Configure.VectorIndex.flat()
            ),
        ],
    )
    rng = np.random.default_rng(5)
    vx, vy = rng.standard_normal((10, 3)), rng.standard_normal((10, 3))
    res = col.data.insert_many(
        [
            DataObject(properties={}, vector={"x": as_list(vx[i]), "y": as_list(vy[i])})
            for i in range(10)
        ]
    )
    ids = [str(res.uuids[i]) for i in range(10)]
    q = [0.5, -0.2, 1.0]
    out = col.query.near_vector(
        q,
        target_vector=TargetVectors.sum(["x", "y"]),
        limit=10,
        return_metadata=MetadataQuery(distance=True),
    )
    ref = distances("cosine", vx, q) + distances("cosine", vy, q)
    assert_ranked(
        [str(o.uuid) for o in out.objects],
        [o.metadata.distance for o in out.objects],
        ids,
        list(ref),
        10,
    )
