# Sourced by the client-suite scripts: a 3-node cluster of real `shoal` processes on loopback,
# each with its own REST, internal and gRPC port, data under DIR/n<i>, logs in DIR/n<i>.log.
#
#   source scripts/lib/cluster.sh
#   start_cluster BIN DIR     # sets CLUSTER_REST (3 ports), CLUSTER_GRPC (3), CLUSTER_PIDS
#   stop_cluster DIR STATUS   # SIGTERM to every node; log tails when STATUS is not 0

CLUSTER_PIDS=()

start_cluster() {
    local bin="$1" dir="$2" ports i n join
    read -r -a ports <<< "$(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)"
    CLUSTER_REST=("${ports[@]:0:3}")
    CLUSTER_GRPC=("${ports[@]:6:3}")
    join="127.0.0.1:${ports[3]},127.0.0.1:${ports[4]},127.0.0.1:${ports[5]}"
    for i in 0 1 2; do
        n=$((i + 1))
        # Only PATH and HOME from the caller: its Weaviate/Shoal settings must not leak in.
        env -i PATH="$PATH" HOME="$HOME" \
            CLUSTER_HOSTNAME="n$n" \
            CLUSTER_DATA_BIND_PORT="${ports[$((i + 3))]}" \
            CLUSTER_ADVERTISE_ADDR="127.0.0.1:${ports[$((i + 3))]}" \
            CLUSTER_JOIN="$join" RAFT_BOOTSTRAP_EXPECT=3 \
            GRPC_PORT="${ports[$((i + 6))]}" \
            PERSISTENCE_DATA_PATH="$dir/n$n" LOG_FORMAT=text \
            "$bin" --host 127.0.0.1 --port "${ports[$i]}" > "$dir/n$n.log" 2>&1 &
        CLUSTER_PIDS+=($!)
    done
    python3 - "${CLUSTER_REST[@]}" <<'PY'
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
}

stop_cluster() {
    local dir="$1" status="$2" log pid
    if [ "$status" -ne 0 ]; then
        for log in "$dir"/n*.log; do
            echo "---- last lines of $log" >&2
            tail -n 30 "$log" >&2 || true
        done
    fi
    for pid in "${CLUSTER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${CLUSTER_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
