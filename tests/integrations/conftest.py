"""One `shoal` node per test module for the framework quick-starts, started by the v4 suite's
harness (tests/clients/v4/node.py): SHOAL_BIN names the binary; SHOAL_URL + SHOAL_GRPC_PORT
use an external node instead."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients", "v4"))

from node import connect, start_node, stop_node  # noqa: E402


@pytest.fixture(scope="module")
def node(request):
    n = start_node()
    yield n
    stop_node(request, n)


@pytest.fixture(scope="module")
def client(node):
    c = connect(node)
    yield c
    c.close()
