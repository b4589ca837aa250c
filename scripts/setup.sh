#!/usr/bin/env bash
# Installs what building and testing Shoal needs on a fresh Debian/Ubuntu machine:
# clang + libclang (rocksdb's bindgen) and a C++ compiler. Python's venv for the client suite
# is created by the suite's own run.sh. Idempotent: does nothing when all is present.
set -euo pipefail

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
ldconfig -p 2>/dev/null | grep -q 'libclang' || need+=(libclang-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo is missing: install Rust (rustup) first" >&2; exit 1; }

if [ "${#need[@]}" -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
