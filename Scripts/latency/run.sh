#!/bin/sh
# Single-track latency and batch throughput (`make bench`, section latency; issue 14: a pooled model within
# 200 µs a track). Trains a pooled model and the default (auto) model on DATA (default Data/) into a temporary
# folder, then times each with the latency package (Scripts/latency) on DATA/test_X.csv. LEARNERS="pooled
# auto gbdt" adds the per-tag gbdt model (about 4 minutes of training). Figures taken while other jobs run
# are noisy: run it on an idle machine.
set -eu
DATA=${1:-Data}
LEARNERS=${LEARNERS:-"pooled auto"}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/.build/release/tagstack"
[ -x "$BIN" ] || swift build -c release --product tagstack --package-path "$ROOT" >/dev/null
swift build -c release --package-path "$ROOT/Scripts/latency" >/dev/null
LAT="$ROOT/Scripts/latency/.build/release/latency"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM
for l in $LEARNERS; do
  flags="--learner $l"; [ "$l" = auto ] && flags=""
  "$BIN" train --data "$DATA" --model "$out/$l.json" $flags --quiet > /dev/null
  echo "### $l (tagstack train $flags; latency MODEL $DATA/test_X.csv)"
  "$LAT" "$out/$l.json" "$DATA/test_X.csv" | tee "$out/$l.txt"
  if [ "$l" = pooled ]; then
    awk '/single track/ { v = $4 + 0; print "pooled target (issue 14): median " v " µs against 200 µs: " (v <= 200 ? "met" : "not met") }' "$out/$l.txt"
  fi
done
