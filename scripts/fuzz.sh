#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ one after the other, each for a bounded time, then
# minimises each corpus in place (commit fuzz/corpus afterwards). Not part of CI: CI replays
# the committed corpora with `cargo test -p shoal-api` (graphql::fuzz::tests) instead.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 180 s, every target)
#
# Needs only the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable rustc take the unstable flags
# that cargo-fuzz passes. A crash leaves its input in fuzz/artifacts/<target>/ and stops the
# script; `cargo fuzz run <target> <file>` replays it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-180}
shift || true

if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

# Link the RocksDB that a workspace build already compiled (its C++ takes ~15 minutes on two
# cores); without one, librocksdb-sys compiles it once into fuzz/target.
lib=$(ls -t "$root"/target/*/build/librocksdb-sys-*/out/librocksdb.a 2>/dev/null | head -n 1 || true)
if [ -n "$lib" ] && [ -z "${ROCKSDB_LIB_DIR:-}" ]; then
    export ROCKSDB_LIB_DIR
    ROCKSDB_LIB_DIR=$(dirname "$lib")
    export ROCKSDB_STATIC=1
fi

cd "$root/fuzz"
if [ $# -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
else
    targets=("$@")
fi

# Sanitizers off: the code under test is safe Rust (panics, stack overflows and runaway memory
# are what can go wrong, and libFuzzer catches those), and uninstrumented runs are faster.
flags=(--sanitizer none --release --debug-assertions)
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== $target: fuzzing for ${seconds}s"
    cargo fuzz run "${flags[@]}" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    echo "== $target: minimising the corpus"
    # edges only and a set cover: a few hundred files per target, not thousands
    cargo fuzz cmin "${flags[@]}" "$target" "corpus/$target" -- \
        -max_len=8192 -use_counters=0 -set_cover_merge=1
done
