#!/usr/bin/env bash
# Runs the official Python client (weaviate-client 3.26.7) in the modules of tests/clients that
# start a node of their own: test_auth.py (API keys and the admin list: admin writes, read-only
# reads and is refused writes with 403, wrong and missing keys get 401) and
# test_references_v3*.py (cross-references: the references endpoints, batch references, GraphQL
# resolution and filters through references, dangling beacons, error bodies) and
# test_tenants_v3.py (multi-tenancy: the tenants endpoints, the tenant on object CRUD, batch,
# GraphQL Get/Aggregate and batch delete, isolation, COLD/HOT, auto creation and activation).
# Uses the same pinned virtual environment as the shared client suite (created on first use).
#
#   scripts/v3-own-node-tests.sh target/ci/shoal [pytest args...]
set -euo pipefail
if [ "$#" -lt 1 ]; then
    echo "usage: $0 PATH_TO_SHOAL_BINARY [pytest args...]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PINS=("weaviate-client==3.26.7" "pytest==8.3.5" "numpy==2.2.6")
VENV="${SHOAL_CLIENT_VENV:-$HOME/.cache/shoal-client-tests/venv}"
source "$ROOT/scripts/lib/venv.sh"
pinned_venv "$VENV" "${PINS[@]}"

cd "$ROOT/tests/clients"
SHOAL_BIN="$BIN" PYTHONDONTWRITEBYTECODE=1 \
    exec "$VENV/bin/python" -m pytest -p no:cacheprovider -ra -W ignore::DeprecationWarning \
    test_auth.py test_references_v3.py test_references_v3_graphql.py test_tenants_v3.py "$@"
