#!/usr/bin/env bash
# Multi-tenancy at scale on one node (issue 15's benchmark): bench.py starts the server itself
# (it restarts it once), on free loopback ports with a fresh data directory. See bench.py for
# what is measured.
#
#   bench/tenants/run.sh target/ci/shoal [--tenants N] [--filled N] [--quick]
#
# Environment: SHOAL_TENANTS_BENCH_VENV (default ~/.cache/shoal-bench/tenants-venv).
set -euo pipefail
if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH_TO_SHOAL_BINARY [--tenants N] [--filled N] [--quick]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${SHOAL_TENANTS_BENCH_VENV:-$HOME/.cache/shoal-bench/tenants-venv}"
source "$ROOT/scripts/lib/venv.sh"
pinned_venv "$VENV" "numpy==2.2.6" "requests==2.32.3"
exec "$VENV/bin/python" "$ROOT/bench/tenants/bench.py" "$BIN" "$@"
