#!/usr/bin/env bash
# Runs the official-client suite against the first node of a 3-node cluster of real `shoal`
# processes on loopback (every class then has 3 shards on 3 nodes, so objects, searches and
# aggregations cross nodes). Arguments after the binary go to pytest.
#
#   scripts/cluster-client-tests.sh target/ci/shoal test_objects.py ...
set -euo pipefail
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHOAL_SHARED:-$ROOT/../shared}"
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
    [ "${#PIDS[@]}" -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT

free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

read -r -a PORTS <<< "$(free_ports 9)"
JOIN="127.0.0.1:${PORTS[3]},127.0.0.1:${PORTS[4]},127.0.0.1:${PORTS[5]}"
for i in 0 1 2; do
    n=$((i + 1))
    CLUSTER_HOSTNAME="n$n" \
    CLUSTER_DATA_BIND_PORT="${PORTS[$((i + 3))]}" \
    CLUSTER_ADVERTISE_ADDR="127.0.0.1:${PORTS[$((i + 3))]}" \
    CLUSTER_JOIN="$JOIN" RAFT_BOOTSTRAP_EXPECT=3 GRPC_PORT="${PORTS[$((i + 6))]}" \
    PERSISTENCE_DATA_PATH="$DIR/n$n" LOG_FORMAT=text \
        "$BIN" --host 127.0.0.1 --port "${PORTS[$i]}" > "$DIR/n$n.log" 2>&1 &
    PIDS+=($!)
done

python3 - "${PORTS[@]:0:3}" <<'EOF'
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
EOF

echo "==> official client suite against n1 of a 3-node cluster"
SHOAL_URL="http://127.0.0.1:${PORTS[0]}" "$SHARED/client-tests/run.sh" "$BIN" "$@"
