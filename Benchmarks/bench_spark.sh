#!/bin/sh
# Scoring on Spark (issue 23): Scripts/spark/score.py in local[2] against `tagstack predict` on the same rows,
# one run each. Part of `make bench` (section spark), never of `make test`.
#
#   Benchmarks/bench_spark.sh                  200,000 generated tracks × 289 columns
#   ROWS=20000 Benchmarks/bench_spark.sh       a smaller run
#
# The rows are generated once into $OUT (Benchmarks/out/spark, git-ignored), written as CSV (predict's input)
# and as Parquet (Spark's input, IDs as strings, numbers exactly as in the CSV). Two models: pooled and logistic,
# trained on 2,000 generated tracks (--folds 2). predict uses every core (2 on the reference machine: predict
# has no --threads option; THREADS is how many it uses by default here); Spark runs local[2]. Printed per model:
# tracks/s of each, the ratio end to end (the JVM's start included) and the ratio after the session has started.
# The target (issue 23): Spark ≥ 0.5 × predict. Needs PySpark, pyarrow, pandas and Java (Scripts/spark/install.sh).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/tagstack}
ROWS=${ROWS:-200000}
OUT=${OUT:-Benchmarks/out/spark}
MODELS=${MODELS:-"pooled logistic"}
[ -x "$BIN" ] || { echo "no $BIN: run 'swift build -c release --product tagstack'"; exit 2; }
python3 -c "import pyspark, pyarrow, pandas" 2>/dev/null || { echo "PySpark, pyarrow or pandas missing: run Scripts/spark/install.sh"; exit 2; }

DATA="$OUT/data-$ROWS"
if [ ! -f "$DATA/test_X.parquet" ]; then
    mkdir -p "$OUT"
    "$BIN" generate --out "$DATA" --train 2000 --test "$ROWS" --seed 1
    python3 - "$DATA/test_X.csv" "$DATA/test_X.parquet" <<'PY'
import sys, pandas as pd
# IDs as strings; numbers parsed with Python's float (correctly rounded, as predict parses them).
df = pd.read_csv(sys.argv[1], dtype=str)
for c in df.columns[1:]:
    df[c] = df[c].map(float)
df.to_parquet(sys.argv[2], index=False)
PY
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (measure on an idle machine)"
for m in $MODELS; do
    model="$OUT/$m.json"
    [ -f "$model" ] || "$BIN" train --data "$DATA" --model "$model" --learner "$m" --folds 2 --threads 2 --quiet
    t0=$(date +%s.%N)
    "$BIN" predict --model "$model" --input "$DATA/test_X.csv" --scores "$OUT/p.csv" --decisions "$OUT/d.csv" --quiet
    t1=$(date +%s.%N)
    python3 Scripts/spark/score.py --model "$model" --input "$DATA/test_X.parquet" --scores "$OUT/spark-scores" \
        --decisions "$OUT/spark-decisions" --master "local[2]" --binary "$BIN" --overwrite --timing 2>"$OUT/spark.log" \
        || { tail -20 "$OUT/spark.log"; exit 1; }
    t2=$(date +%s.%N)
    job=$(sed -n 's/.*rows scored in \([0-9.]*\) s.*/\1/p' "$OUT/spark.log")
    python3 - "$m" "$ROWS" "$t0" "$t1" "$t2" "$job" <<'PY'
import sys
m, rows, t0, t1, t2, job = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
p, s = rows / (t1 - t0), rows / (t2 - t1)
print(f'{{"bench": "spark", "model": "{m}", "rows": {rows}, "predict_s": {t1 - t0:.2f}, "predict_tracks_per_s": {p:.0f}, '
      f'"spark_s": {t2 - t1:.2f}, "spark_tracks_per_s": {s:.0f}, "ratio": {s / p:.3f}, '
      f'"spark_after_start_s": {job:.2f}, "ratio_after_start": {rows / job / p:.3f}}}')
PY
done
