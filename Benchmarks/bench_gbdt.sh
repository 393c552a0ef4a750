#!/usr/bin/env bash
# GBDT benchmark: TagStack against LightGBM (Python package), side by side in one run.
#
#   Benchmarks/bench_gbdt.sh [DATA_DIR] [THREAD_COUNTS]
#
# DATA_DIR (default Data) holds labels.csv, train_X.csv, train_y.csv, test_X.csv, test_y.csv; when it has
# no train_X.csv the default synthetic data set is generated into it (`tagstack generate`, 12,000 train /
# 4,000 test rows, seed 1). THREAD_COUNTS defaults to "2 1". Every tag is trained with 15 leaves, learning
# rate 0.1, 100 rounds, min 20 rows a leaf, feature fraction 0.5, lambda_l2 1, 255 bins, no early stopping,
# by both engines on the same float64 matrices (exported to .npy by tagstack-bench). LightGBM is installed
# into Benchmarks/.venv (git-ignored) on first use. Run it on an otherwise idle machine: LightGBM's OpenMP
# threads slow down badly when anything else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-Data}
THREADS=${2:-"2 1"}
TAGS=${TAGS:+--tags $TAGS}          # TAGS=N: only the first N tags (development)
OUT=Benchmarks/out/gbdt
VENV=Benchmarks/.venv
PY=$VENV/bin/python

swift build -c release --product tagstack-bench >/dev/null
if [ ! -f "$DATA/train_X.csv" ]; then
    swift build -c release --product tagstack >/dev/null
    .build/release/tagstack generate --out "$DATA" --train 12000 --test 4000 --seed 1 2>/dev/null \
        || .build/release/tagstack-bench generate-data --out "$DATA" --train 12000 --test 4000 --seed 1
fi
if [ ! -x "$PY" ] || ! "$PY" -c "import lightgbm, numpy" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "lightgbm==4.7.0" numpy
fi
mkdir -p "$OUT"
.build/release/tagstack-bench gbdt-export --data "$DATA" --out "$OUT"

for t in $THREADS; do
    .build/release/tagstack-bench gbdt --in "$OUT" --threads "$t" $TAGS --prob "$OUT/tagstack_prob_$t.npy" | tee "$OUT/tagstack_$t.json"
    "$PY" Benchmarks/lightgbm_peer.py train --in "$OUT" --threads "$t" $TAGS --mode "${LGB_MODE:-col}" \
        --prob "$OUT/lightgbm_prob_$t.npy" | tee "$OUT/lightgbm_$t.json"
    "$PY" Benchmarks/lightgbm_peer.py compare --in "$OUT" --a "$OUT/tagstack_prob_$t.npy" \
        --b "$OUT/lightgbm_prob_$t.npy" | tee "$OUT/quality_$t.json"
done
"$PY" Benchmarks/lightgbm_peer.py report --dir "$OUT" --threads "$THREADS"
