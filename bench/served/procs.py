"""Server processes and what /proc says about them: start on free loopback ports, wait until
ready, stop with SIGTERM, resident memory of a process tree, and how much CPU the rest of the
machine used during a step (the idea of bench/hnsw/step.py, with the servers' own CPU, which
is not reaped during a step, subtracted as well)."""

import os
import resource
import signal
import socket
import subprocess
import time
import urllib.request

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_ports(count):
    socks = [socket.socket() for _ in range(count)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Server:
    """One server process; its pid stays in `pid_file` while it runs, so that run.sh's trap can
    stop it if this process dies without its finally blocks."""

    def __init__(self, name, argv, env, log_path, pid_file):
        self.name = name
        self.log_path = log_path
        self.pid_file = pid_file
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        with open(pid_file, "a") as f:
            f.write(f"{self.proc.pid}\n")

    def wait_ready(self, url, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        # a stopped server's pid may be reused: the trap must not signal it
        with open(self.pid_file) as f:
            pids = [p for p in f.read().split() if p != str(self.proc.pid)]
        with open(self.pid_file, "w") as f:
            f.write("".join(p + "\n" for p in pids))

    def tree(self):
        return process_tree(self.proc.pid)


def process_tree(pid):
    """The pid and its descendants (a forking server is measured as a whole)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def memory_kib(pids, field):
    """Sum of a /proc/PID/status field (VmRSS, VmHWM) over processes, in KiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / CLOCK_TICKS


def machine_busy_seconds():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    ticks = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS


def own_cpu_seconds():
    """This process and its reaped children (wrk, the Python query workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


class Interference:
    """`with Interference(server, "step") as i: ...` then i.other: the share of the machine's CPU used
    by processes other than this one, its children and the server's tree, during the block."""

    def __init__(self, server, step):
        self.server = server
        self.step = step
        self.other = None

    def _ours(self):
        return own_cpu_seconds() + (cpu_seconds(self.server.tree()) if self.server else 0.0)

    def __enter__(self):
        self.start = time.monotonic()
        self.busy, self.ours = machine_busy_seconds(), self._ours()
        return self

    def __exit__(self, *exc):
        wall = time.monotonic() - self.start
        other = machine_busy_seconds() - self.busy - (self._ours() - self.ours)
        self.other = max(0.0, other) / (wall * (os.cpu_count() or 1)) if wall > 0 else 0.0
        return False
