"""One `shoal` node per test module for the weaviate-client 3.26.7 reference modules
(test_references_v3*.py), started the way test_auth.py starts its node but with default
settings: free loopback ports, a fresh data directory, nothing inherited from the caller's
environment but PATH, SIGTERM at the end expecting exit code 0.

SHOAL_BIN names the binary (scripts/references-client-test.sh sets it).
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests
import weaviate

READY_TIMEOUT_S = 120
LOG_TAIL_LINES = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, binary):
        self.workdir = tempfile.mkdtemp(prefix="shoal-refs-")
        self.log_path = os.path.join(self.workdir, "shoal.log")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env.update(
            PERSISTENCE_DATA_PATH=os.path.join(self.workdir, "data"),
            CLUSTER_HOSTNAME="node1",
            CLUSTER_DATA_BIND_PORT=str(free_port()),
            GRPC_PORT=str(free_port()),
            LOG_FORMAT="text",
        )
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [binary, "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"shoal exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/v1/.well-known/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"shoal not ready within {READY_TIMEOUT_S}s\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def node():
    binary = os.environ.get("SHOAL_BIN")
    if not binary:
        pytest.fail("set SHOAL_BIN to the shoal binary (scripts/references-client-test.sh does)")
    n = Node(binary)
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
