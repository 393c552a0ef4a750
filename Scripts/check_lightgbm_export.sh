#!/usr/bin/env bash
# Exports a TagStack model to LightGBM's text format and checks LightGBM's raw scores (+ init score) against
# TagStack's to 1e-9, printing the largest difference. Not part of `make test` (needs PyPI once).
#
#   Scripts/check_lightgbm_export.sh MODEL.json X.csv [OUT_DIR]
#
# Installs LightGBM's Python package into Scripts/.venv (git-ignored) on first use; uses the release build
# (.build/release/tagstack, built if missing; override with TAGSTACK=path).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
[[ $# -ge 2 ]] || { echo "usage: $0 MODEL.json X.csv [OUT_DIR]" >&2; exit 2; }
model="$1"; x="$2"
out="${3:-$(mktemp -d)}"
bin="${TAGSTACK:-$root/.build/release/tagstack}"
if [[ ! -x "$bin" ]]; then (cd "$root" && swift build -c release --product tagstack); fi
venv="$here/.venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import lightgbm, numpy" 2> /dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet lightgbm numpy
fi
"$bin" export --format lightgbm --model "$model" --out "$out" --features-for "$x" --allow-missing
"$venv/bin/python" "$here/check_lightgbm_export.py" "$out"
