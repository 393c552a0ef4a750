#!/bin/sh
# Large catalogues: peak memory and time of `predict` on a big X file and of `train` on many tracks, with
# the benchmark learner (`--learner thresholds`) and a learned one (`--learner logistic`, what `auto` takes on
# generated data). Part of `make bench`, never of `make test`.
#
#   Benchmarks/bench_catalogue.sh                 100,000 train and 200,000 test tracks × 289 columns
#   TRAIN_ROWS=20000 TEST_ROWS=50000 Benchmarks/bench_catalogue.sh
#   LEARNED=none Benchmarks/bench_catalogue.sh   the thresholds learner only (LEARNED=gbdt|pooled|auto: another)
#
# Needs the release binary (swift build -c release --product tagstack) and /usr/bin/time (GNU time, -v).
# Data is generated once into $OUT (Benchmarks/out/catalogue by default, git-ignored) and reused.
# Checks, failing the script when broken:
# - predict streams: its peak RSS stays below a quarter of the input file's size (one block of rows, not the file);
# - train: prints its peak RSS in copies of X as Doubles (rows × columns × 8 bytes); fails above 1.5 with
#   `--learner thresholds` (X once, the tags' scores and the category scores read in place from it, the labels
#   once as per-tag columns, per-tag work a column at a time: 1.3 measured) and above 3 with the learned one
#   (it also holds its out-of-fold probabilities, tags × rows Doubles = 0.86 × X on Mewo's layout, and a block
#   of tags' features that shrinks as they grow: 2.35 measured).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/tagstack}
TRAIN_ROWS=${TRAIN_ROWS:-100000}
TEST_ROWS=${TEST_ROWS:-200000}
OUT=${OUT:-Benchmarks/out/catalogue}
THREADS=${THREADS:-$(nproc)}
LEARNED=${LEARNED:-logistic}
[ -x "$BIN" ] || { echo "no $BIN: run 'swift build -c release --product tagstack'"; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time"; exit 2; }

DATA="$OUT/data-$TRAIN_ROWS-$TEST_ROWS"
if [ ! -f "$DATA/test_X.csv" ]; then
    mkdir -p "$OUT"
    echo "generating $TRAIN_ROWS train and $TEST_ROWS test tracks into $DATA"
    /usr/bin/time -f "  generate: %e s, peak RSS %M KB" "$BIN" generate --out "$DATA" --train "$TRAIN_ROWS" --test "$TEST_ROWS" --seed 1
fi

# measure NAME CMD...: runs CMD under GNU time; sets SECS and RSS_MB.
measure() {
    name=$1; shift
    log="$OUT/$name.time"
    /usr/bin/time -v -o "$log" "$@" > "$OUT/$name.out" 2>&1 || { cat "$OUT/$name.out"; echo "$name failed"; exit 1; }
    RSS_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
    SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$log")
}
mb() { awk -v b="$(wc -c < "$1")" 'BEGIN { printf "%.0f", b / 1048576 }'; }

COLUMNS=$(head -1 "$DATA/train_X.csv" | awk -F, '{ print NF - 1 }')
X_DOUBLES_MB=$(awk -v r="$TRAIN_ROWS" -v c="$COLUMNS" 'BEGIN { printf "%.0f", r * c * 8 / 1048576 }')
TEST_MB=$(mb "$DATA/test_X.csv")
TRAIN_MB=$(mb "$DATA/train_X.csv")

measure train "$BIN" train --data "$DATA" --model "$OUT/thresholds.json" --learner thresholds --threads "$THREADS" --quiet
TRAIN_RSS=$RSS_MB; TRAIN_SECS=$SECS
if [ "$LEARNED" != none ]; then
    measure "train-$LEARNED" "$BIN" train --data "$DATA" --model "$OUT/$LEARNED.json" --learner "$LEARNED" --threads "$THREADS" --quiet
    LEARNED_RSS=$RSS_MB; LEARNED_SECS=$SECS
fi
measure predict "$BIN" predict --model "$OUT/thresholds.json" --input "$DATA/test_X.csv" \
    --decisions "$OUT/decisions.csv" --scores "$OUT/scores.csv" --quiet
PRED_RSS=$RSS_MB; PRED_SECS=$SECS
ROWS_OUT=$(($(wc -l < "$OUT/decisions.csv") - 1))

echo
echo "| step | tracks × columns | input | peak RSS | wall time |"
echo "|---|---|---|---|---|"
copies() { awk -v a="$1" -v b="$X_DOUBLES_MB" 'BEGIN { printf "%.2f", a / b }'; }
echo "| \`train --learner thresholds\` | $TRAIN_ROWS × $COLUMNS | train_X.csv $TRAIN_MB MB (X as Doubles: $X_DOUBLES_MB MB) | $TRAIN_RSS MB ($(copies "$TRAIN_RSS") × X) | $TRAIN_SECS s |"
if [ "$LEARNED" != none ]; then
    echo "| \`train --learner $LEARNED\` | $TRAIN_ROWS × $COLUMNS | the same | $LEARNED_RSS MB ($(copies "$LEARNED_RSS") × X) | $LEARNED_SECS s |"
fi
echo "| \`predict --scores\` | $TEST_ROWS × $COLUMNS | test_X.csv $TEST_MB MB | $PRED_RSS MB | $PRED_SECS s |"
echo
echo "(threads: $THREADS; $(uname -m); measured with Benchmarks/bench_catalogue.sh)"

status=0
[ "$ROWS_OUT" -eq "$TEST_ROWS" ] || { echo "FAIL: predict wrote $ROWS_OUT rows for $TEST_ROWS"; status=1; }
if [ "$PRED_RSS" -ge $((TEST_MB / 4)) ]; then
    echo "FAIL: predict peak RSS $PRED_RSS MB is not far below the input ($TEST_MB MB): it should stream"; status=1
fi
# above(RSS, TENTHS): RSS (MB) is more than TENTHS / 10 copies of X.
above() { [ "$1" -gt $((X_DOUBLES_MB * $2 / 10)) ]; }
if above "$TRAIN_RSS" 15; then
    echo "FAIL: train --learner thresholds peak RSS $TRAIN_RSS MB is more than 1.5 copies of X ($X_DOUBLES_MB MB)"; status=1
fi
if [ "$LEARNED" != none ] && above "$LEARNED_RSS" 30; then
    echo "FAIL: train --learner $LEARNED peak RSS $LEARNED_RSS MB is more than 3 copies of X ($X_DOUBLES_MB MB)"; status=1
fi
exit $status
