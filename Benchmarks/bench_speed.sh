#!/usr/bin/env bash
# Issue 24's acceptance, side by side in one run (`make bench`, section speed; never part of make test):
#
# 1. the default `tagstack train` on DATA (default: the generated Data/, 12,000 × 289, 248 tags) against
#    LightGBM's single pass on the same data: one 100-round model per tag, no cross-validation (the
#    `lightgbm_peer.py train` of bench_gbdt.sh: one binned Dataset reused across tags, each tag boosting from
#    its own network's logit), LightGBM's default mode. Target: ratio ≤ 0.33 at test weighted F1 ≥ 0.5274 and
#    mean log loss ≤ 0.0858 (`tagstack evaluate`).
# 2. `tagstack train --learner gbdt --features all --folds 0 --rounds 100 --leaves 15 --learning-rate 0.1
#    --min-data-in-leaf 20 --feature-fraction 0.5 --lambda-l2 1 --margin -1 --confidence 0 --calibration none`
#    (no --gradient-bins: the stacker's default) against the fastest LightGBM mode (auto, col, row). Target:
#    ratio ≤ 0.5 at a mean test log loss over the tags within 0.5 % of that mode's, or better (one
#    implementation of the log loss for both: Benchmarks/speed_report.py).
# 3. Pooled single-track latency: Scripts/latency on a pooled model, LATENCY_RUNS reruns of the timing;
#    target: median ≤ 200 µs. Prints every rerun's median, their median and spread.
#
#   THREADS=2 (default) LATENCY_RUNS=5 (default) Benchmarks/bench_speed.sh
#   DATA=DIR BIN=… BENCH_BIN=… PY=python3 Benchmarks/bench_speed.sh        another data set, builds, Python (development)
# Run on an idle machine: LightGBM's OpenMP threads slow down badly when anything else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-Data}
THREADS=${THREADS:-2}
LATENCY_RUNS=${LATENCY_RUNS:-5}
MODES=${MODES:-"auto col row"}
OUT=${OUT:-Benchmarks/out/speed}
VENV=Benchmarks/.venv
PY=${PY:-$VENV/bin/python}
# BIN and BENCH_BIN name other builds (development: skips the build).
if [ -z "${BIN:-}" ]; then
    swift build -c release --product tagstack >/dev/null
    swift build -c release --product tagstack-bench >/dev/null
fi
BIN=${BIN:-.build/release/tagstack}
BENCH_BIN=${BENCH_BIN:-.build/release/tagstack-bench}
if ! command -v "$PY" >/dev/null || ! "$PY" -c "import lightgbm, numpy" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "lightgbm==4.7.0" numpy
fi
[ -f "$DATA/train_X.csv" ] || "$BIN" generate --out "$DATA" --train 12000 --test 4000 --seed 1 >/dev/null
rm -rf "$OUT"; mkdir -p "$OUT/in"
"$BENCH_BIN" gbdt-export --data "$DATA" --out "$OUT/in" >/dev/null

seconds() { /usr/bin/time -f %e -o "$1" "${@:2}"; }

# LightGBM's single pass, each mode (a failed mode is recorded and the others go on).
for m in $MODES; do
    "$PY" Benchmarks/lightgbm_peer.py train --in "$OUT/in" --threads "$THREADS" --mode "$m" --init tag-logit --rounds 100 \
        --prob "$OUT/lightgbm_$m.npy" --out "$OUT/lightgbm_$m.json" > /dev/null 2>"$OUT/lightgbm_$m.log" \
        || echo "{\"failed\": \"exit $? (see $OUT/lightgbm_$m.log)\"}" > "$OUT/lightgbm_$m.json"
done

# TagStack: the default train, then the single-pass gbdt; each predicted on the test file and evaluated.
GBDT_FLAGS="--learner gbdt --features all --folds 0 --rounds 100 --leaves 15 --learning-rate 0.1 --min-data-in-leaf 20
 --feature-fraction 0.5 --lambda-l2 1 --margin -1 --confidence 0 --calibration none"
for run in default gbdt; do
    flags=""; [ "$run" = gbdt ] && flags=$GBDT_FLAGS
    # shellcheck disable=SC2086
    seconds "$OUT/$run.seconds" "$BIN" train --data "$DATA" --model "$OUT/$run.json" --threads "$THREADS" --quiet $flags > "$OUT/$run.train.txt"
    "$BIN" predict --model "$OUT/$run.json" --input "$DATA/test_X.csv" --decisions "$OUT/$run.decisions.csv" \
        --scores "$OUT/$run.scores.csv" --quiet > /dev/null
    "$BIN" evaluate --truth "$DATA/test_y.csv" --decisions "$OUT/$run.decisions.csv" --scores "$OUT/$run.scores.csv" > "$OUT/$run.evaluate.txt"
done

# Pooled latency: one pooled model, the timing rerun LATENCY_RUNS times.
swift build -c release --package-path Scripts/latency >/dev/null
"$BIN" train --data "$DATA" --model "$OUT/pooled.json" --learner pooled --threads "$THREADS" --quiet > /dev/null
: > "$OUT/latency.txt"
for _ in $(seq "$LATENCY_RUNS"); do
    Scripts/latency/.build/release/latency "$OUT/pooled.json" "$DATA/test_X.csv" >> "$OUT/latency.txt"
done

"$PY" Benchmarks/speed_report.py --dir "$OUT" --data "$DATA" --modes "$MODES"
