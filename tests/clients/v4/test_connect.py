"""Connecting: `/v1/meta` (a version >= 1.27, read the way the client reads it, and
`grpcMaxMessageSize` once the binary serves gRPC), readiness, liveness, OIDC discovery absent,
the gRPC health check the client runs at start-up (called directly too, with the client's own
messages), and `cluster.nodes()`."""

import re

import grpc
from weaviate.proto.v1 import health_weaviate_pb2

from node import connect


def version_tuple(text):
    m = re.match(r"^(\d+)\.(\d+)\.(\d+)", text)
    assert m, text
    return tuple(int(x) for x in m.groups())


def test_meta(client):
    meta = client.get_meta()
    assert version_tuple(meta["version"]) >= (1, 27, 0), meta
    assert isinstance(meta["grpcMaxMessageSize"], int) and meta["grpcMaxMessageSize"] > 4 << 20
    assert meta["modules"] == {}


def test_ready_live_connected(client):
    assert client.is_ready()
    assert client.is_live()
    assert client.is_connected()
    assert client.get_open_id_configuration() is None


def test_grpc_health_check_answers_serving(node):
    with grpc.insecure_channel(f"{node.host}:{node.grpc_port}") as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_weaviate_pb2.WeaviateHealthCheckRequest.SerializeToString,
            response_deserializer=health_weaviate_pb2.WeaviateHealthCheckResponse.FromString,
        )
        res = check(health_weaviate_pb2.WeaviateHealthCheckRequest(), timeout=5)
    assert res.status == health_weaviate_pb2.WeaviateHealthCheckResponse.SERVING


def test_second_client_with_full_start_up_checks(node):
    with connect(node) as other:
        assert other.is_ready()
        assert other.collections.list_all() is not None


def test_cluster_nodes(client):
    nodes = client.cluster.nodes(output="verbose")
    assert nodes, "at least this node"
    for n in nodes:
        assert n.status == "HEALTHY", n
        assert version_tuple(n.version) >= (1, 27, 0)
    assert len({n.name for n in nodes}) == len(nodes)
