#!/usr/bin/env bash
# Runs the LangChain and LlamaIndex quick-starts (tests/integrations) against a shoal binary, in
# their own pinned virtual environment (made on first use): langchain-weaviate and
# llama-index-vector-stores-weaviate on weaviate-client 4.24.1, with a deterministic embedder
# and no LLM. Arguments after the binary go to pytest. Exit code: pytest's.
#
#   scripts/integrations-test.sh target/ci/shoal
#   scripts/integrations-test.sh target/ci/shoal test_langchain.py -x
set -euo pipefail
if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH_TO_SHOAL_BINARY [pytest args...]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PINS=(
    "weaviate-client==4.24.1"
    "langchain-weaviate==0.0.8" "langchain-core==1.8.3"
    "llama-index-vector-stores-weaviate==1.7.1" "llama-index-core==0.14.25"
    "pytest==8.3.5" "numpy==2.2.6"
)
VENV="${SHOAL_INTEGRATIONS_VENV:-$HOME/.cache/shoal-integrations/venv}"
source "$ROOT/scripts/lib/venv.sh"
pinned_venv "$VENV" "${PINS[@]}"

cd "$ROOT/tests/integrations"
SHOAL_BIN="$BIN" PYTHONDONTWRITEBYTECODE=1 exec "$VENV/bin/python" -m pytest "$@"
