#!/usr/bin/env bash
# Starts one Shoal node with the embedded defaults (REST on 0.0.0.0:8080, data in ./data).
# Extra arguments go to shoal, e.g. scripts/run-node.sh --port 8081 --config my.toml
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run --release --bin shoal -- "$@"
