#!/usr/bin/env bash
# GBDT benchmark: TagStack against LightGBM (Python package) in each of its modes, side by side in one run.
#
#   Benchmarks/bench_gbdt.sh                      5,000 and 12,000 training rows, 2 threads then 1, every tag
#   ROWS="12000" THREADS="1" TAGS=62 Benchmarks/bench_gbdt.sh        a subset (development)
#
# Data: 12,000 rows is the default data set (Data/, `tagstack generate --train 12000 --test 4000 --seed 1`,
# generated when missing); any other row count N is generated once into Benchmarks/out/data-N (`--train N
# --test 4000 --seed 1`). `tagstack-bench gbdt-export` writes the exact feature matrices (the input columns
# plus 9 class statistics), labels and each tag's own score column; both engines read those .npy files.
# Every tag is trained with 15 leaves, learning rate 0.1, 100 rounds, min 20 rows a leaf, feature fraction
# 0.5, lambda_l2 1, 255 bins, no early stopping, boosting from the logit of the tag's own first-stage
# score (INIT=tag-logit, the stacker's use; INIT=prior: from the prior log-odds).
# TagStack trains with GRADIENT_BINS (default 4: quantized gradients; 0: exact) and, quantized,
# THRESHOLD_STEP_ROWS (default 8, the library's: small leaves try every 2nd to 8th threshold; 0: every
# threshold). LightGBM runs in every one
# of MODES (default "auto col row quantized": its default, force_col_wise, force_row_wise,
# use_quantized_grad); a mode that fails (LightGBM's quantized training stops with "Check failed:
# (best_split_info.right_count) > (0)" on some tags, issues #3679 / #4739) is reported as failed and the
# others go on. The report prints, per run, every time, TagStack's ratio to each mode and to the fastest
# that finished, and the mean test log loss / AUC of each against test_y.
# LightGBM is installed on first use into Benchmarks/.venv (git-ignored). Run on an otherwise idle machine:
# LightGBM's OpenMP threads slow down badly when anything else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-"5000 12000"}
THREADS=${THREADS:-"2 1"}
MODES=${MODES:-"auto col row quantized"}
INIT=${INIT:-tag-logit}
GRADIENT_BINS=${GRADIENT_BINS:-4}
THRESHOLD_STEP_ROWS=${THRESHOLD_STEP_ROWS:-8}
TAGS_FLAG=${TAGS:+--tags $TAGS}
OUT=Benchmarks/out/gbdt
VENV=Benchmarks/.venv
PY=$VENV/bin/python
BIN=.build/release/tagstack
BENCH=.build/release/tagstack-bench

swift build -c release --product tagstack >/dev/null
swift build -c release --product tagstack-bench >/dev/null
if [ ! -x "$PY" ] || ! "$PY" -c "import lightgbm, numpy" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "lightgbm==4.7.0" numpy
fi

runs=""
for rows in $ROWS; do
    if [ "$rows" = 12000 ]; then data=Data; else data=Benchmarks/out/data-$rows; fi
    [ -f "$data/train_X.csv" ] || "$BIN" generate --out "$data" --train "$rows" --test 4000 --seed 1 >/dev/null
    in=$OUT/in-$rows
    mkdir -p "$in"
    "$BENCH" gbdt-export --data "$data" --out "$in" >/dev/null
    for t in $THREADS; do
        run=$rows-rows-$t-threads
        dir=$OUT/$run
        rm -rf "$dir"; mkdir -p "$dir"
        echo "== $run" >&2
        "$BENCH" gbdt --in "$in" --threads "$t" $TAGS_FLAG --init "$INIT" --gradient-bins "$GRADIENT_BINS" --threshold-step-rows "$THRESHOLD_STEP_ROWS" \
            --prob "$dir/tagstack.npy" --out "$dir/tagstack.json" >&2
        files="tagstack=$dir/tagstack.npy"
        for m in $MODES; do
            # A failure is recorded (the peer writes {"failed": ...}) and the benchmark goes on.
            "$PY" Benchmarks/lightgbm_peer.py train --in "$in" --threads "$t" $TAGS_FLAG --mode "$m" --init "$INIT" \
                --prob "$dir/lightgbm_$m.npy" --out "$dir/lightgbm_$m.json" >&2 2>"$dir/lightgbm_$m.log" \
                || { [ -s "$dir/lightgbm_$m.json" ] || echo "{\"failed\": \"exit $? (see $dir/lightgbm_$m.log)\"}" > "$dir/lightgbm_$m.json"; }
            grep -q '"failed"' "$dir/lightgbm_$m.json" || files="$files $m=$dir/lightgbm_$m.npy"
        done
        "$PY" Benchmarks/lightgbm_peer.py quality --dir "$in" --files "$files" --out "$dir/quality.json" >/dev/null
        runs="$runs $run"
    done
done
"$PY" Benchmarks/lightgbm_peer.py report --dir "$OUT" --runs "$runs" --modes "$MODES"
