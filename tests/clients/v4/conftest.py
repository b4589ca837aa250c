"""Fixtures for the weaviate-client 4.24.1 suite (node.py starts the nodes).

- SHOAL_BIN: each test module gets its own node (free ports, fresh data directory, SIGTERM at
  the end expecting exit code 0, log tail attached to failing tests). A module may ask for extra
  node settings with a module-level `NODE_ENV` dict.
- SHOAL_URL + SHOAL_GRPC_PORT: every module uses that external node (a cluster run); modules
  that need their own settings, and tests that restart the node, skip themselves.
"""

import httpx
import pytest

from node import connect, start_node, stop_node
from support import unique_name

_CURRENT = {}  # the node of the module that is running, for failure reports


def node_env(request):
    """Extra settings a module asks for with a module-level NODE_ENV dict."""
    return getattr(request.module, "NODE_ENV", None)


@pytest.fixture(scope="module")
def node(request):
    n = start_node(node_env(request))
    _CURRENT["node"] = n
    yield n
    _CURRENT.pop("node", None)
    stop_node(request, n)


@pytest.fixture(scope="module")
def client(node):
    c = connect(node)
    yield c
    c.close()


@pytest.fixture
def rest(node):
    with httpx.Client(base_url=node.url, timeout=60) as http:
        yield http


@pytest.fixture
def make_collection(client):
    """Create a uniquely named collection (collections.create kwargs); deleted afterwards."""
    names = []

    def make(prefix="V4", **kwargs):
        name = unique_name(prefix)
        names.append(name)
        return client.collections.create(name, **kwargs)

    yield make
    for name in names:
        try:
            client.collections.delete(name)
        except Exception:  # noqa: BLE001 - cleanup must not hide the test's own result
            pass


@pytest.fixture(autouse=True)
def _node_stays_up(request):
    n = _CURRENT.get("node")
    if n is not None and not n.alive():
        pytest.fail(f"the shoal process is no longer running\n{n.log_tail()}")
    yield
    if n is not None and not n.alive():
        pytest.fail(f"the shoal process died during this test\n{n.log_tail()}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    n = _CURRENT.get("node")
    if report.failed and n is not None:
        report.sections.append(("shoal server log", n.log_tail()))
