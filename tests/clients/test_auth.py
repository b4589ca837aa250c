"""The official Python client (weaviate-client 3.26.7) against a node with API keys and the
admin list, as Weaviate users configure them:

    AUTHENTICATION_APIKEY_ENABLED=true
    AUTHENTICATION_APIKEY_ALLOWED_KEYS=<admin key>,<read-only key>
    AUTHENTICATION_APIKEY_USERS=admin@example.com,reader@example.com
    AUTHORIZATION_ADMINLIST_ENABLED=true
    AUTHORIZATION_ADMINLIST_USERS=admin@example.com
    AUTHORIZATION_ADMINLIST_READONLY_USERS=reader@example.com

SHOAL_BIN names the binary; each module run starts one node on free loopback ports with a
fresh data directory and stops it with SIGTERM at the end (expecting exit code 0). The node's
log must never contain a key.
"""

import os
import shutil

import pytest
import weaviate
from weaviate.exceptions import UnexpectedStatusCodeException

from v3_node import Node

ADMIN_KEY = "client-admin-key-4c1e"
READ_ONLY_KEY = "client-reader-key-9a7b"
WRONG_KEY = "client-wrong-key-2d58"
ADMIN = "admin@example.com"
READER = "reader@example.com"
CLASS = "AuthArticle"
OBJECTS = 20
# The settings under test; debug logging, so that a key logged anywhere would show.
AUTH_ENV = {
    "LOG_LEVEL": "debug",
    "AUTHENTICATION_APIKEY_ENABLED": "true",
    "AUTHENTICATION_APIKEY_ALLOWED_KEYS": f"{ADMIN_KEY},{READ_ONLY_KEY}",
    "AUTHENTICATION_APIKEY_USERS": f"{ADMIN},{READER}",
    "AUTHORIZATION_ADMINLIST_ENABLED": "true",
    "AUTHORIZATION_ADMINLIST_USERS": ADMIN,
    "AUTHORIZATION_ADMINLIST_READONLY_USERS": READER,
}


@pytest.fixture(scope="module")
def node():
    binary = os.environ.get("SHOAL_BIN")
    if not binary:
        pytest.fail("set SHOAL_BIN to the shoal binary (scripts/v3-own-node-tests.sh does)")
    n = Node(binary, prefix="shoal-auth-", env=AUTH_ENV)
    try:
        yield n
    finally:
        code = n.stop()
        log = n.log()
        shutil.rmtree(n.workdir, ignore_errors=True)
        assert code == 0, f"shoal exited with {code}"
        for key in (ADMIN_KEY, READ_ONLY_KEY, WRONG_KEY):
            assert key not in log, "an API key appears in the node's log"


def client(node, key):
    return weaviate.Client(
        node.url, auth_client_secret=weaviate.AuthApiKey(api_key=key), startup_period=5
    )


def vector(i):
    return [1.0, float(i), 0.5]


@pytest.fixture(scope="module")
def articles(node):
    """The admin creates a class and imports objects with the batch API."""
    admin = client(node, ADMIN_KEY)
    admin.schema.create_class(
        {
            "class": CLASS,
            "vectorizer": "none",
            "properties": [{"name": "title", "dataType": ["text"]}],
        }
    )
    failures = []

    def check(results):
        for r in results or []:
            if r.get("result", {}).get("errors"):
                failures.append(r["result"]["errors"])

    with admin.batch(batch_size=8, callback=check) as batch:
        for i in range(OBJECTS):
            batch.add_data_object({"title": f"article {i}"}, CLASS, vector=vector(i))
    assert failures == []
    return admin


def test_admin_creates_imports_and_queries(articles):
    count = articles.query.aggregate(CLASS).with_meta_count().do()
    assert count["data"]["Aggregate"][CLASS][0]["meta"]["count"] == OBJECTS
    result = (
        articles.query.get(CLASS, ["title"])
        .with_near_vector({"vector": vector(3)})
        .with_limit(3)
        .do()
    )
    assert "errors" not in result, result
    assert len(result["data"]["Get"][CLASS]) == 3


def test_read_only_key_queries(node, articles):
    reader = client(node, READ_ONLY_KEY)
    assert reader.schema.exists(CLASS)
    result = reader.query.get(CLASS, ["title"]).with_limit(5).do()
    assert "errors" not in result, result
    assert len(result["data"]["Get"][CLASS]) == 5
    objects = reader.data_object.get(class_name=CLASS, limit=2)
    assert len(objects["objects"]) == 2


def test_read_only_key_cannot_write(node, articles):
    reader = client(node, READ_ONLY_KEY)
    with pytest.raises(UnexpectedStatusCodeException) as refused:
        reader.data_object.create({"title": "nope"}, CLASS, vector=vector(0))
    assert refused.value.status_code == 403
    assert f"forbidden: user '{READER}' has insufficient permissions to create objects" in str(
        refused.value
    )
    with pytest.raises(UnexpectedStatusCodeException) as refused:
        reader.schema.create_class({"class": "Nope", "vectorizer": "none"})
    assert refused.value.status_code == 403
    assert "to create schema/objects" in str(refused.value)
    with pytest.raises(UnexpectedStatusCodeException) as refused:
        with reader.batch(batch_size=4) as batch:
            batch.add_data_object({"title": "nope"}, CLASS, vector=vector(0))
    assert refused.value.status_code == 403
    assert "to create batch/objects" in str(refused.value)
    with pytest.raises(UnexpectedStatusCodeException) as refused:
        reader.schema.delete_class(CLASS)
    assert refused.value.status_code == 403
    assert articles.schema.exists(CLASS)


def test_a_wrong_key_is_refused_when_the_client_starts(node):
    # The client reads /v1/meta while it is constructed: that is where the 401 surfaces.
    with pytest.raises(UnexpectedStatusCodeException) as refused:
        client(node, WRONG_KEY)
    assert refused.value.status_code == 401
    assert "invalid api key, please provide a valid api key" in str(refused.value)


def test_no_key_is_refused_when_the_client_starts(node):
    with pytest.raises(UnexpectedStatusCodeException) as refused:
        weaviate.Client(node.url, startup_period=5)
    assert refused.value.status_code == 401
    assert "anonymous access not enabled" in str(refused.value)
