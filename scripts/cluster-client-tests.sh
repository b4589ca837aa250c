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
source "$ROOT/scripts/lib/cluster.sh"
trap 'status=$?; stop_cluster "$DIR" "$status"; rm -rf "$DIR"; exit "$status"' EXIT
start_cluster "$BIN" "$DIR"

echo "==> official client suite against n1 of a 3-node cluster"
SHOAL_URL="http://127.0.0.1:${CLUSTER_REST[0]}" "$SHARED/client-tests/run.sh" "$BIN" "$@"
