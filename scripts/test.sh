#!/usr/bin/env bash
# Runs every test: the Helm chart check, the Rust unit/integration tests, the container fault
# scenarios (Docker), API fuzzing, the official-client suites (v3, and v4 over REST + gRPC)
# against live nodes, and the LangChain and LlamaIndex quick-starts. Installs
# what it needs first. One cargo profile (`ci`) builds both the tests and the binaries the
# suites start, so RocksDB's C++ compiles once.
#
#   scripts/test.sh            # everything
#   SHOAL_SKIP_CLIENT=1 scripts/test.sh   # Rust tests only
#   SHOAL_FUZZ_SECONDS=60 scripts/test.sh # a shorter fuzzing stage
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SHARED="${SHOAL_SHARED:-$ROOT/../shared}"

scripts/setup.sh

echo "==> Helm chart: lint, render and validate against the Kubernetes schemas"
SHOAL_SHARED="$SHARED" scripts/helm-check.sh

echo "==> cargo build + test (profile ci)"
cargo build --profile ci --workspace --bins
cargo test --profile ci --workspace
echo "==> container fault scenarios: the image built offline, a 3-node cluster on a private network"
scripts/docker-scenarios.sh

if [ -n "${SHOAL_SKIP_CLIENT:-}" ]; then
    exit 0
fi
if [ ! -x "$SHARED/client-tests/run.sh" ]; then
    echo "test.sh: $SHARED/client-tests/run.sh not found (set SHOAL_SHARED)" >&2
    exit 1
fi
echo "==> fuzzing a live node with Weaviate's OpenAPI spec (no 5xx, the node stays up)"
scripts/fuzz-api.sh "$ROOT/target/ci/shoal" "${SHOAL_FUZZ_SECONDS:-180}"
echo "==> official client acceptance suite"
SUITE=(
    test_meta.py test_schema.py test_objects.py test_batch.py test_vector_search.py test_graphql_dialect.py
    test_filters.py test_keyword.py test_aggregate.py
)
"$SHARED/client-tests/run.sh" "$ROOT/target/ci/shoal" "${SUITE[@]}"
echo "==> the v4 client (weaviate-client 4.24.1, REST + gRPC) against a standalone node"
scripts/v4-client-tests.sh "$ROOT/target/ci/shoal"
echo "==> the v4 client through n1 of a 3-node cluster"
scripts/v4-client-tests.sh --cluster "$ROOT/target/ci/shoal"
echo "==> LangChain and LlamaIndex quick-starts (deterministic embedder, no LLM)"
scripts/integrations-test.sh "$ROOT/target/ci/shoal"
echo "==> the official client (v3) on nodes of its own: API keys and the admin list; cross-references; multi-tenancy"
scripts/v3-own-node-tests.sh "$ROOT/target/ci/shoal"
# The same suite through a node of a 3-node cluster (restart tests skip: the nodes are not the
# suite's to restart; single-shard BM25 references skip themselves).
SHOAL_SHARED="$SHARED" scripts/cluster-client-tests.sh "$ROOT/target/ci/shoal" "${SUITE[@]}"
