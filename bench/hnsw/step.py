"""Runs one benchmark step and reports how busy the machine was with OTHER work meanwhile.

    python step.py --engine hnswlib --dataset gaussian_100k_128 --m 16 -- COMMAND ARGS...

The command's stdout passes through; afterwards one JSON line is printed:
{"engine", "dataset", "m", "kind": "interference", "seconds", "other_cpu_fraction"}, where
other_cpu_fraction is the CPU time used by every process except this command and its children
(from /proc/stat, minus the command's own user + system time), divided by the wall time times
the number of cores. Above a few percent the step's timings are not trustworthy. Exits with the
command's exit code.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--ef-construction", type=int, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise SystemExit("step.py: no command given")

    busy_before = machine_busy_seconds()
    children_before = children_cpu_seconds()
    start = time.monotonic()
    code = subprocess.call(command)
    seconds = time.monotonic() - start
    children = children_cpu_seconds() - children_before
    busy_after = machine_busy_seconds()

    if busy_before is not None and busy_after is not None and seconds > 0:
        cores = os.cpu_count() or 1
        other = max(0.0, busy_after - busy_before - children) / (seconds * cores)
        print(json.dumps({"engine": args.engine, "dataset": args.dataset, "m": args.m,
                          "ef_construction": args.ef_construction, "kind": "interference",
                          "seconds": seconds, "other_cpu_fraction": other}), flush=True)
    return code


def machine_busy_seconds():
    """CPU seconds spent by all cores outside idle and iowait since boot (Linux); None elsewhere."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already within user/nice]
    ticks = [int(v) for v in fields[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
