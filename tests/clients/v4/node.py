"""Starting and stopping `shoal` nodes for the Python suites (tests/clients/v4 and
tests/integrations): one node per test module, or an external one.

- SHOAL_BIN: the binary. Each module starts it as `shoal --host 127.0.0.1 --port P` with free
  ports in CLUSTER_DATA_BIND_PORT and GRPC_PORT, a fresh PERSISTENCE_DATA_PATH and nothing else
  inherited from the caller's Weaviate/Shoal settings. At the end of the module it gets SIGTERM
  and must exit with code 0. The tail of its log is attached to every failing test.
- SHOAL_URL + SHOAL_GRPC_PORT: use a node somebody else started (n1 of a cluster); nothing is
  started or stopped, and tests that restart the node or need special settings skip themselves.

The client connects with its full start-up checks (`/v1/meta`, the gRPC health check), as
`connect_to_local` does.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlparse

import httpx
import pytest
import weaviate
from weaviate.config import AdditionalConfig, Timeout

READY_TIMEOUT_S = 120
SHUTDOWN_TIMEOUT_S = 60
LOG_TAIL_LINES = 60

# Settings inherited from the caller's shell must not change what the suite expects.
_SCRUBBED_ENV_PREFIXES = (
    "PERSISTENCE_",
    "CLUSTER_",
    "RAFT_",
    "QUERY_",
    "AUTOSCHEMA_",
    "ASYNC_",
    "DEFAULT_VECTOR",
    "DEFAULT_QUANTIZATION",
    "AUTHENTICATION_",
    "AUTHORIZATION_",
    "PROMETHEUS_",
    "GRPC_",
    "REPLICATION_",
    "DISABLE_",
    "ENABLE_MODULES",
    "LIMIT_RESOURCES",
    "MAINTENANCE_NODES",
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def external_mode():
    return bool(os.environ.get("SHOAL_URL"))


class ShoalNode:
    """A `shoal` process on loopback with its own data directory and log file."""

    external = False

    def __init__(self, binary, extra_env=None):
        self.binary = binary
        self.workdir = tempfile.mkdtemp(prefix="shoal-v4-")
        self.log_path = os.path.join(self.workdir, "shoal.log")
        self.host = "127.0.0.1"
        self.port = free_port()
        self.grpc_port = free_port()
        self.data_port = free_port()
        self.url = f"http://{self.host}:{self.port}"
        self.extra_env = dict(extra_env or {})
        self.proc = None

    def _env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_ENV_PREFIXES)}
        env.update(
            PERSISTENCE_DATA_PATH=os.path.join(self.workdir, "data"),
            CLUSTER_HOSTNAME="node1",
            CLUSTER_DATA_BIND_PORT=str(self.data_port),
            GRPC_PORT=str(self.grpc_port),
            LOG_FORMAT="text",
        )
        env.update(self.extra_env)
        return env

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--host", self.host, "--port", str(self.port)],
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self._ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"shoal exited with {self.proc.returncode}\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"shoal not ready in {READY_TIMEOUT_S}s\n{self.log_tail()}")
            time.sleep(0.2)

    def _ready(self):
        try:
            return httpx.get(self.url + "/v1/.well-known/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self):
        """SIGTERM; returns the exit code, or None when the process had to be killed."""
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
            return None

    def restart(self):
        code = self.stop()
        self.start()
        return code

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=LOG_TAIL_LINES):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return f"--- last {lines} lines of {self.log_path} ---\n" + "\n".join(
            text.splitlines()[-lines:]
        )


class ExternalNode:
    """A node started by someone else (SHOAL_URL, SHOAL_GRPC_PORT)."""

    external = True

    def __init__(self, url, grpc_port):
        parsed = urlparse(url)
        self.url = url.rstrip("/")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.grpc_port = int(grpc_port)

    def restart(self):
        pytest.skip("the node at SHOAL_URL belongs to a cluster this suite does not manage")

    def alive(self):
        return True

    def log_tail(self, lines=LOG_TAIL_LINES):
        return "(external node: its log is kept by whoever started it)"


def _binary():
    binary = os.environ.get("SHOAL_BIN")
    if not binary:
        raise pytest.UsageError("set SHOAL_BIN (or SHOAL_URL and SHOAL_GRPC_PORT)")
    binary = os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        raise pytest.UsageError(f"SHOAL_BIN={binary} is not an executable file")
    return binary


def start_node(extra_env=None):
    """The module's node: started here, or the external one. Stopped by the caller's fixture."""
    if external_mode():
        if not os.environ.get("SHOAL_GRPC_PORT"):
            raise pytest.UsageError("SHOAL_URL needs SHOAL_GRPC_PORT too")
        if extra_env:
            pytest.skip(f"needs a node started with {extra_env}; the external node is not ours")
        return ExternalNode(os.environ["SHOAL_URL"], os.environ["SHOAL_GRPC_PORT"])
    node = ShoalNode(_binary(), extra_env)
    node.start()
    return node


def stop_node(request, node):
    if node.external:
        return
    code = node.stop()
    tail = node.log_tail()
    if request.session.testsfailed == 0:
        shutil.rmtree(node.workdir, ignore_errors=True)
    assert code == 0, f"shoal exited with {code} after SIGTERM (expected 0)\n{tail}"


def connect(node, **kw):
    return weaviate.connect_to_custom(
        http_host=node.host,
        http_port=node.port,
        http_secure=False,
        grpc_host=node.host,
        grpc_port=node.grpc_port,
        grpc_secure=False,
        skip_init_checks=False,
        additional_config=AdditionalConfig(timeout=Timeout(init=10, query=120, insert=180)),
        **kw,
    )
