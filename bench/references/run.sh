#!/usr/bin/env bash
# Filters through a cross-reference against the same filters on the Article's own property, and
# the cost of resolving references, on one Shoal node through GraphQL, in one run: makes its
# venv, starts the server on free loopback ports with a fresh data directory, runs bench.py,
# stops the server (SIGTERM). See bench.py for what is measured.
#
#   bench/references/run.sh target/ci/shoal [--quick] [--queries N]
#
# Environment: SHOAL_REFERENCES_BENCH_VENV (default ~/.cache/shoal-bench/references-venv).
set -euo pipefail
if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH_TO_SHOAL_BINARY [--quick] [--queries N]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${SHOAL_REFERENCES_BENCH_VENV:-$HOME/.cache/shoal-bench/references-venv}"
source "$ROOT/scripts/lib/venv.sh"
pinned_venv "$VENV" "numpy==2.2.6" "requests==2.32.3"

DIR="$(mktemp -d)"
read -r PORT DATA_PORT GRPC_PORT <<< "$("$VENV/bin/python" -c '
import socket
s = [socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')"
env -i PATH="$PATH" HOME="$HOME" PERSISTENCE_DATA_PATH="$DIR/data" CLUSTER_HOSTNAME=bench \
    CLUSTER_DATA_BIND_PORT="$DATA_PORT" GRPC_PORT="$GRPC_PORT" LOG_FORMAT=text LOG_LEVEL=warn \
    "$BIN" --host 127.0.0.1 --port "$PORT" > "$DIR/shoal.log" 2>&1 &
PID=$!
stop() {
    status=$?
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        echo "run.sh: failed; the server's log ends with:" >&2
        tail -n 40 "$DIR/shoal.log" >&2 || true
    fi
    rm -rf "$DIR"
}
trap stop EXIT
for _ in $(seq 600); do
    if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/v1/.well-known/ready', timeout=1)" 2>/dev/null; then
        break
    fi
    kill -0 "$PID" 2>/dev/null || { cat "$DIR/shoal.log" >&2; exit 1; }
    sleep 0.2
done
cd "$ROOT/bench/references"
"$VENV/bin/python" bench.py --url "http://127.0.0.1:$PORT" "$@"
