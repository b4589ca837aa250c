# Sourced by the test scripts: a Python virtual environment with pinned packages, made on first
# use and made again whenever the pins change (a stamp file in the venv records them).
#
#   source scripts/lib/venv.sh
#   pinned_venv "$HOME/.cache/shoal-x/venv" "pkg==1.2.3" "other==4.5"

pinned_venv() {
    local venv="$1"
    shift
    local stamp="$venv/.shoal-pins"
    if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$*" ]; then
        return 0
    fi
    echo "creating $venv with $*" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
    echo "$*" > "$stamp"
}
