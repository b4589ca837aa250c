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
source "$ROOT/scripts/lib/cluster.sh"
trap 'status=$?; stop_cluster "$DIR" "$status"; rm -rf "$DIR"; exit "$status"' EXIT
start_cluster "$BIN" "$DIR"

echo "==> weaviate-client 4.24.1 suite through n1 of a 3-node cluster"
set +e
SHOAL_URL="http://127.0.0.1:${CLUSTER_REST[0]}" SHOAL_GRPC_PORT="${CLUSTER_GRPC[0]}" run_suite "$@"
status=$?
set -e
exit "$status"
