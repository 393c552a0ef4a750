#!/usr/bin/env bash
# Renders the two HTML reports (`train --html`, `evaluate --html`) in headless Chromium, takes a screenshot of
# each and checks it is not blank (enough non-white pixels, enough distinct colours).
#
#   Scripts/render_check.sh [DATA_DIR [SCREENSHOT_DIR [NAME]]]
#
# DATA_DIR: a Mewo folder with train and test files (read only; default: small generated data in a temporary
# folder). SCREENSHOT_DIR: where to keep report-train.png and report-evaluate.png, or with NAME
# report-NAME-train.png and report-NAME-evaluate.png (default: not kept). Pages are rendered 1280 px wide.
# FULL=1: the default `tagstack train` (every learner, 5 folds) instead of a quick thresholds,logistic run, and
# taller screenshots (the README's: `FULL=1 TRAIN_FLAGS="--permutation-repeats 5" Scripts/render_check.sh
# ../shared/data/jamendo-blend docs jamendo-blend`). TRAIN_FLAGS: more `train` options (word-split), e.g.
# `--learner pooled`; HEIGHT: the screenshots' height in px (default 2000, FULL=1 4800).
# Chromium: `chromium`, `chromium-browser` or `google-chrome` on PATH, else (as root, or with
# INSTALL_CHROMIUM=1) installed with `apt-get install -y chromium`; an unreachable apt fails with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-}"; keep="${2:-}"; name="${3:+$3-}"
full="${FULL:-0}"
bin="${TAGSTACK:-.build/release/tagstack}"
[ -x "$bin" ] || swift build -c release --product tagstack
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

find_chromium() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
chrome="$(find_chromium)"
if [ -z "$chrome" ]; then
    if [ "$(id -u)" = 0 ] || [ "${INSTALL_CHROMIUM:-0}" = 1 ]; then
        echo "render_check: no Chromium on PATH: installing it (apt-get install -y chromium)"
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
        if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; }; then
            echo "render_check: FAILED: Chromium is not installed and apt-get could not install it (no network or no apt?)." >&2
            echo "render_check: install Chromium (apt-get install chromium) or put chromium on PATH, then rerun." >&2
            exit 1
        fi
        chrome="$(find_chromium)"
    fi
    if [ -z "$chrome" ]; then
        echo "render_check: FAILED: no chromium, chromium-browser or google-chrome on PATH (run as root or with INSTALL_CHROMIUM=1 to install it)" >&2
        exit 1
    fi
fi

if [ -z "$data" ]; then
    "$bin" generate --out "$tmp/data" --train 600 --test 200 --seed 3 > /dev/null
    data="$tmp/data"
fi
if [ "$full" = 1 ]; then
    "$bin" train --data "$data" --model "$tmp/m.json" --quiet --html "$tmp/train.html" ${TRAIN_FLAGS:-} > /dev/null
else
    "$bin" train --data "$data" --model "$tmp/m.json" --learner thresholds,logistic --folds 3 --quiet --html "$tmp/train.html" ${TRAIN_FLAGS:-} > /dev/null
fi
"$bin" predict --model "$tmp/m.json" --input "$data/test_X.csv" --decisions "$tmp/d.csv" --scores "$tmp/p.csv" --quiet
"$bin" evaluate --truth "$data/test_y.csv" --decisions "$tmp/d.csv" --scores "$tmp/p.csv" --html "$tmp/evaluate.html" > /dev/null

status=0
for page in train evaluate; do
    # --no-sandbox: CI containers run as root. A fresh profile folder each run keeps it reproducible.
    timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
        --window-size=1280,${HEIGHT:-$([ "$full" = 1 ] && echo 4800 || echo 2000)} --screenshot="$tmp/$page.png" "file://$tmp/$page.html" > "$tmp/chrome.log" 2>&1 || true
    if [ ! -s "$tmp/$page.png" ]; then
        echo "render_check: FAILED: Chromium wrote no screenshot of $page.html:" >&2; tail -5 "$tmp/chrome.log" >&2; status=1; continue
    fi
    if python3 Scripts/png_not_blank.py "$tmp/$page.png"; then
        echo "render_check: $page.html renders ($(wc -c < "$tmp/$page.html") bytes of HTML)"
    else
        status=1
    fi
    if [ -n "$keep" ]; then mkdir -p "$keep"; cp "$tmp/$page.png" "$keep/report-$name$page.png"; fi
done
exit $status
