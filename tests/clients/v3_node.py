"""A `shoal` node for the weaviate-client 3.26.7 modules that start their own (test_auth.py,
test_references_v3*.py): free loopback ports, a fresh data directory, nothing inherited from
the caller's environment but PATH, stopped with SIGTERM by the module.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time

import requests

READY_TIMEOUT_S = 120
LOG_TAIL_LINES = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A running node; `env` adds settings to the defaults below."""

    def __init__(self, binary, prefix="shoal-", env=None):
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        self.log_path = os.path.join(self.workdir, "shoal.log")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        extra = env
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env.update(
            PERSISTENCE_DATA_PATH=os.path.join(self.workdir, "data"),
            CLUSTER_HOSTNAME="node1",
            CLUSTER_DATA_BIND_PORT=str(free_port()),
            GRPC_PORT=str(free_port()),
            LOG_FORMAT="text",
        )
        env.update(extra or {})
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

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return "(no server log)"

    def log_tail(self):
        return "\n".join(self.log().splitlines()[-LOG_TAIL_LINES:])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)
