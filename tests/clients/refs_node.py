"""Fixtures and helpers of the weaviate-client 3.26.7 reference modules
(test_references_v3*.py): one node with default settings per module (`v3_node.Node`), which
must exit with code 0 on SIGTERM at the end.

SHOAL_BIN names the binary (scripts/v3-own-node-tests.sh sets it).
"""

import os
import shutil

import pytest
import weaviate

from v3_node import Node


@pytest.fixture(scope="module")
def node():
    binary = os.environ.get("SHOAL_BIN")
    if not binary:
        pytest.fail("set SHOAL_BIN to the shoal binary (scripts/v3-own-node-tests.sh does)")
    n = Node(binary, prefix="shoal-refs-")
    try:
        yield n
    finally:
        code = n.stop()
        tail = n.log_tail()
        shutil.rmtree(n.workdir, ignore_errors=True)
        assert code == 0, f"shoal exited with {code}\n{tail}"


@pytest.fixture(scope="module")
def client(node):
    return weaviate.Client(node.url, startup_period=5)


def error_message(response):
    """The one message of Weaviate's error body `{"error": [{"message": ...}]}`."""
    body = response.json()
    assert list(body) == ["error"], body
    assert len(body["error"]) == 1, body
    return body["error"][0]["message"]


def beacon(cls, oid):
    return {"beacon": f"weaviate://localhost/{cls}/{oid}"}


def stored_ref(cls, oid):
    """A reference as `GET /v1/objects` returns it."""
    return {
        "beacon": f"weaviate://localhost/{cls}/{oid}",
        "href": f"/v1/objects/{cls}/{oid}",
    }
