#!/usr/bin/env bash
# Runs the weaviate-client 4.24.1 suite (tests/clients/v4: REST + gRPC) against a shoal binary,
# in its own pinned virtual environment (made on first use). Arguments after the binary go to
# pytest; test files are relative to tests/clients/v4.
#
#   scripts/v4-client-tests.sh target/ci/shoal                  # one node per test module
#   scripts/v4-client-tests.sh target/ci/shoal test_query.py -x
#   scripts/v4-client-tests.sh --cluster target/ci/shoal        # through n1 of a 3-node cluster
#
# --cluster starts three nodes on loopback (each with its own REST, gRPC and internal port) and
# points the suite at the first (SHOAL_URL, SHOAL_GRPC_PORT): collections then have 3 shards on
# 3 nodes. Tests that restart a node or need other node settings skip themselves in that mode.
# Exit code: pytest's.
set -euo pipefail
CLUSTER=0
if [ "${1:-}" = "--cluster" ]; then
    CLUSTER=1
    shift
fi
if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 [--cluster] PATH_TO_SHOAL_BINARY [pytest args...]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PINS=("weaviate-client==4.24.1" "pytest==8.3.5" "numpy==2.2.6")
VENV="${SHOAL_V4_VENV:-$HOME/.cache/shoal-v4-tests/venv}"
source "$ROOT/scripts/lib/venv.sh"
pinned_venv "$VENV" "${PINS[@]}"

run_suite() {
    cd "$ROOT/tests/clients/v4"
    SHOAL_BIN="$BIN" PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest "$@"
}

if [ "$CLUSTER" -eq 0 ]; then
    run_suite "$@"
    exit $?
fi

DIR="$(mktemp -d)"
PIDS=()
cleanup() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        for log in "$DIR"/n*.log; do
            echo "---- last lines of $log" >&2
            tail -n 30 "$log" >&2 || true
        done
    fi
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT

# 9 free loopback ports: REST, internal and gRPC for each node
read -r -a PORTS <<< "$("$VENV/bin/python" - <<'PY'
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)"
JOIN="127.0.0.1:${PORTS[3]},127.0.0.1:${PORTS[4]},127.0.0.1:${PORTS[5]}"
for i in 0 1 2; do
    n=$((i + 1))
    env -i PATH="$PATH" HOME="$HOME" \
        CLUSTER_HOSTNAME="n$n" \
        CLUSTER_DATA_BIND_PORT="${PORTS[$((i + 3))]}" \
        CLUSTER_ADVERTISE_ADDR="127.0.0.1:${PORTS[$((i + 3))]}" \
        CLUSTER_JOIN="$JOIN" RAFT_BOOTSTRAP_EXPECT=3 \
        GRPC_PORT="${PORTS[$((i + 6))]}" \
        PERSISTENCE_DATA_PATH="$DIR/n$n" LOG_FORMAT=text \
        "$BIN" --host 127.0.0.1 --port "${PORTS[$i]}" > "$DIR/n$n.log" 2>&1 &
    PIDS+=($!)
done

"$VENV/bin/python" - "${PORTS[@]:0:3}" <<'PY'
import sys, time, urllib.request
deadline = time.time() + 120
for port in sys.argv[1:]:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/.well-known/ready", timeout=2) as r:
                if r.status == 200:
                    break
        except Exception:
            pass
        if time.time() > deadline:
            sys.exit(f"node on port {port} not ready")
        time.sleep(0.2)
PY

echo "==> weaviate-client 4.24.1 suite through n1 of a 3-node cluster"
set +e
SHOAL_URL="http://127.0.0.1:${PORTS[0]}" SHOAL_GRPC_PORT="${PORTS[6]}" run_suite "$@"
status=$?
set -e
exit "$status"
