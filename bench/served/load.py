"""Query load: wrk (a native load generator, so the client costs next to nothing) and N Python
processes with `requests` (as the issue's "Python clients" figures), both sending the
pre-encoded bodies of a file, one JSON document per line."""

import http.client
import multiprocessing as mp
import os
import re
import subprocess
import time

import requests

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "query.lua")
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def post_sequential(host, port, path, bodies):
    """POSTs the bodies one after the other over one keep-alive connection (http.client: the
    leanest client); returns (start, seconds, [(status, body)]). Answers are checked by the
    caller after the clock stopped."""
    conn = http.client.HTTPConnection(host, port, timeout=600)
    conn.connect()
    headers = {"Content-Type": "application/json"}
    answers = []
    start = time.perf_counter()
    for body in bodies:
        conn.request("POST", path, body, headers)
        r = conn.getresponse()
        answers.append((r.status, r.read()))
    seconds = time.perf_counter() - start
    conn.close()
    return start, seconds, answers


def wrk(url, body_file, threads, connections, seconds):
    """One wrk run; returns {qps, p50_us, p99_us, requests}. Non-2xx answers or socket errors
    raise: a run that measured errors measured nothing."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", LUA, url, "--", body_file]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    text = out.stdout + out.stderr
    if out.returncode != 0:
        raise RuntimeError(f"wrk exited with {out.returncode}:\n{text}")
    if "Non-2xx" in text or "Socket errors" in text:
        raise RuntimeError(f"wrk saw failed requests:\n{text}")
    qps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", text, re.M))
    if not (qps and total and "50" in lat and "99" in lat):
        raise RuntimeError(f"cannot parse wrk's output:\n{text}")
    return {
        "qps": float(qps.group(1)),
        "p50_us": duration(lat["50"]) * 1e6,
        "p99_us": duration(lat["99"]) * 1e6,
        "requests": int(total.group(1)),
        "raw": text,
    }


def duration(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise RuntimeError(f"unknown wrk duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def python_clients(url, body_file, processes, seconds, error_marker):
    """`processes` Python processes, each one requests.Session posting bodies in turn for
    `seconds` after a short warm-up; QPS over the wall time of all, p50/p99 of every request."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(processes + 1), ctx.Queue()
    workers = [
        ctx.Process(target=client, args=(url, body_file, k, seconds, error_marker, barrier, out))
        for k in range(processes)
    ]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    results = [out.get() for _ in workers]
    wall = time.perf_counter() - start
    for w in workers:
        w.join()
    errors = [r for r in results if isinstance(r, str)]
    if errors:
        raise RuntimeError(f"a Python client failed: {errors[0]}")
    lat = sorted(x for r in results for x in r)
    return {
        "qps": len(lat) / wall,
        "p50_us": lat[len(lat) // 2] * 1e6,
        "p99_us": lat[int(len(lat) * 0.99)] * 1e6,
        "requests": len(lat),
    }


def client(url, body_file, index, seconds, error_marker, barrier, out):
    with open(body_file, "rb") as f:
        bodies = f.read().splitlines()
    session = requests.Session()
    headers = {"Content-Type": "application/json"}
    failure = None
    lat = []

    def post(i):
        r = session.post(url, data=bodies[i % len(bodies)], headers=headers)
        if r.status_code != 200 or (error_marker and error_marker in r.content):
            raise RuntimeError(f"{r.status_code}: {r.content[:300]!r}")

    try:
        for i in range(20):
            post(i)
    except Exception as e:  # reported through the queue, so the parent does not hang
        failure = str(e)
    barrier.wait()
    i = index * 101
    deadline = time.perf_counter() + seconds
    try:
        while failure is None and time.perf_counter() < deadline:
            t = time.perf_counter()
            post(i)
            lat.append(time.perf_counter() - t)
            i += 1
    except Exception as e:
        failure = str(e)
    out.put(failure if failure else lat)
