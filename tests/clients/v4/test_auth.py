"""API keys and the admin list on both ports the v4 client uses: REST and gRPC. A node with keys
must not answer gRPC searches, imports or deletes without a key (gRPC is no way around REST's
authentication), read-only users may search but not write, admins may do both."""

import grpc
import pytest
import weaviate
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.init import Auth
from weaviate.classes.query import Filter
from weaviate.exceptions import WeaviateBaseError
from weaviate.proto.v1.v6300.v1 import search_get_pb2, weaviate_pb2_grpc

from node import connect

ADMIN_KEY = "v4-admin-key-7f31"
READ_ONLY_KEY = "v4-reader-key-2c90"
WRONG_KEY = "v4-wrong-key-5e44"

NODE_ENV = {
    "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
    "AUTHENTICATION_APIKEY_ENABLED": "true",
    "AUTHENTICATION_APIKEY_ALLOWED_KEYS": f"{ADMIN_KEY},{READ_ONLY_KEY}",
    "AUTHENTICATION_APIKEY_USERS": "admin@example.com,reader@example.com",
    "AUTHORIZATION_ADMINLIST_ENABLED": "true",
    "AUTHORIZATION_ADMINLIST_USERS": "admin@example.com",
    "AUTHORIZATION_ADMINLIST_READONLY_USERS": "reader@example.com",
}

COLLECTION = "AuthDoc"


@pytest.fixture(scope="module")
def client(node):
    """The admin's client (the shared fixture would connect without a key)."""
    c = connect(node, auth_credentials=Auth.api_key(ADMIN_KEY))
    yield c
    c.close()


@pytest.fixture(scope="module")
def docs(client):
    docs = client.collections.create(
        COLLECTION,
        vector_config=Configure.Vectors.self_provided(),
        properties=[Property(name="text", data_type=DataType.TEXT)],
    )
    result = docs.data.insert_many(
        [DataObject(properties={"text": f"doc {i}"}, vector=[float(i), 1.0]) for i in range(5)]
    )
    assert not result.errors
    yield docs
    client.collections.delete(COLLECTION)


def raw_search(node, metadata):
    """A gRPC Search sent by hand, with exactly the given metadata."""
    with grpc.insecure_channel(f"{node.host}:{node.grpc_port}") as channel:
        stub = weaviate_pb2_grpc.WeaviateStub(channel)
        request = search_get_pb2.SearchRequest(collection=COLLECTION, limit=2, uses_127_api=True)
        return stub.Search(request, metadata=metadata, timeout=10)


def test_admin_imports_searches_and_deletes_over_grpc(docs):
    assert len(docs.query.near_vector([4.0, 1.0], limit=2).objects) == 2
    assert docs.aggregate.over_all(total_count=True).total_count == 5
    dry = docs.data.delete_many(where=Filter.by_property("text").equal("doc"), dry_run=True)
    assert dry.matches == 5


def test_grpc_without_a_key_is_unauthenticated(node, docs):
    with pytest.raises(grpc.RpcError) as err:
        raw_search(node, metadata=())
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "anonymous access not enabled" in err.value.details()


def test_grpc_with_a_wrong_key_is_unauthenticated(node, docs):
    with pytest.raises(grpc.RpcError) as err:
        raw_search(node, metadata=(("authorization", f"Bearer {WRONG_KEY}"),))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "invalid api key" in err.value.details()


def test_grpc_with_the_admin_key_answers(node, docs):
    reply = raw_search(node, metadata=(("authorization", f"Bearer {ADMIN_KEY}"),))
    assert len(reply.results) == 2


def test_the_read_only_user_searches_but_cannot_write(node, docs):
    reader = connect(node, auth_credentials=Auth.api_key(READ_ONLY_KEY))
    try:
        mine = reader.collections.get(COLLECTION)
        assert len(mine.query.fetch_objects(limit=10).objects) == 5
        with pytest.raises(WeaviateBaseError) as err:
            mine.data.insert_many([DataObject(properties={"text": "x"}, vector=[0.0, 1.0])])
        assert "forbidden" in str(err.value) and "reader@example.com" in str(err.value)
        with pytest.raises(WeaviateBaseError) as err:
            mine.data.delete_many(where=Filter.by_property("text").equal("doc"))
        assert "forbidden" in str(err.value)
    finally:
        reader.close()
    assert len(docs.query.fetch_objects(limit=10).objects) == 5, "nothing was written or deleted"


def test_connecting_without_a_key_fails_at_start_up(node):
    with pytest.raises(WeaviateBaseError):
        weaviate.connect_to_custom(
            http_host=node.host,
            http_port=node.port,
            http_secure=False,
            grpc_host=node.host,
            grpc_port=node.grpc_port,
            grpc_secure=False,
        )
