"""Objects written over gRPC survive a graceful restart (SIGTERM, exit code 0) and are served
over gRPC again by the restarted node. A cluster run skips this: its nodes are not the suite's
to restart."""

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import MetadataQuery

from node import connect
from support import as_list, assert_ranked, distances, seeded_uuids, unique_name


def test_grpc_writes_survive_a_restart(node, client):
    if node.external:
        pytest.skip("the nodes of a cluster run are not the suite's to restart")
    rng = np.random.default_rng(8)
    ids = seeded_uuids(rng, 120)
    vecs = rng.standard_normal((120, 5)).astype(np.float32)
    name = unique_name("Durable")
    col = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[Property(name="n", data_type=DataType.INT)],
    )
    res = col.data.insert_many(
        [DataObject(properties={"n": i}, uuid=ids[i], vector=as_list(vecs[i])) for i in range(120)]
    )
    assert not res.has_errors
    assert node.restart() == 0, "SIGTERM must end the node with exit code 0"
    with connect(node) as again:
        col = again.collections.get(name)
        assert len(col) == 120
        objs = {str(o.uuid): o.properties["n"] for o in col.iterator()}
        assert objs == {ids[i]: i for i in range(120)}
        q = rng.standard_normal(5).astype(np.float32)
        got = col.query.near_vector(
            as_list(q), limit=10, return_metadata=MetadataQuery(distance=True)
        )
        assert_ranked(
            [str(o.uuid) for o in got.objects],
            [o.metadata.distance for o in got.objects],
            ids,
            list(distances("cosine", vecs, q)),
            10,
        )
        again.collections.delete(name)
