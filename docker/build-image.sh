#!/usr/bin/env bash
# Builds Shoal's runtime image without any image registry: FROM scratch with a locally built
# `shoal` binary, the shared libraries it links (plus the dynamic loader), a non-root user
# (uid/gid 10001), /tmp, and /var/lib/shoal owned by that user. The image's ENV, EXPOSE, VOLUME,
# USER, STOPSIGNAL, HEALTHCHECK, ENTRYPOINT and CMD are copied from the "runtime settings" block
# of docker/Dockerfile, so both images present the same interface.
#
#   docker/build-image.sh [BINARY] [TAG]
#       BINARY  default target/release/shoal (build it first: cargo build --release --bin shoal)
#       TAG     default shoal:latest
#
# Uses the legacy builder (no BuildKit needed). The binary must have been built on a glibc
# system like the one the image runs on: the libraries are taken from this machine.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
BINARY="${1:-$HERE/../target/release/shoal}"
TAG="${2:-shoal:latest}"
BEGIN='# ---- runtime settings: begin ----'
END='# ---- runtime settings: end ----'

fail() {
    echo "build-image: $*" >&2
    exit 1
}

[ -x "$BINARY" ] || fail "$BINARY is not an executable (build it first, or pass its path)"
command -v docker >/dev/null || fail "docker is not installed"
command -v ldd >/dev/null || fail "ldd is not installed (package libc-bin)"

settings="$(sed -n "/^$BEGIN\$/,/^$END\$/p" "$HERE/Dockerfile")"
[ -n "$settings" ] || fail "no runtime settings block in $HERE/Dockerfile"

CONTEXT="$(mktemp -d)"
trap 'rm -rf "$CONTEXT"' EXIT
ROOT="$CONTEXT/rootfs"
mkdir -p "$ROOT/usr/local/bin" "$ROOT/etc" "$ROOT/tmp" "$CONTEXT/data"
chmod 1777 "$ROOT/tmp"
install -m 0755 "$BINARY" "$ROOT/usr/local/bin/shoal"

# Every absolute path ldd prints: the libraries and the loader. A library ldd cannot find
# would make the image fail at start, so it fails the build instead.
links="$(ldd "$BINARY" 2>&1)" || fail "ldd $BINARY: $links"
if grep -q 'not found' <<<"$links"; then
    fail "$BINARY links libraries this machine lacks: $(grep 'not found' <<<"$links")"
fi
for lib in $(grep -o '/[^ ]*' <<<"$links" | sort -u); do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done

cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
shoal:x:10001:10001:shoal:/var/lib/shoal:/sbin/nologin
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
shoal:x:10001:
EOF
# glibc's resolver: files first (Docker writes /etc/hosts), then DNS (Docker's embedded server).
cat >"$ROOT/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF

cat >"$CONTEXT/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
COPY --chown=10001:10001 data/ /var/lib/shoal/
$settings
EOF

echo "build-image: $TAG from $BINARY ($(du -sh "$ROOT" | cut -f1) with its libraries)" >&2
DOCKER_BUILDKIT=0 docker build --quiet --tag "$TAG" "$CONTEXT" >/dev/null
docker image inspect --format "build-image: built $TAG ({{.Id}}, {{.Size}} bytes)" "$TAG" >&2
