#!/bin/sh
# Scoring on Spark (issue 23): Scripts/spark/score.py in local[2] against `tagstack predict --threads 2` on the
# same rows, in one run. Part of `make bench` (section spark: `BENCH=spark make bench`), never of `make test`.
#
#   Benchmarks/bench_spark.sh                          200,000 generated tracks × 289 columns, both engines
#   ROWS=20000 ENGINES=numpy Benchmarks/bench_spark.sh a smaller run, one engine
#
# The rows are generated once into $OUT (Benchmarks/out/spark, git-ignored), written as CSV (predict's input)
# and as Parquet (Spark's input, IDs as strings, numbers exactly as in the CSV). Two models: pooled and logistic,
# trained on 2,000 generated tracks (--folds 2). Per model, predict runs first, then score.py once per engine
# (numpy: Scripts/spark/tagstack_numpy.py; binary: the tagstack binary per batch), each output checked against
# predict's (largest score difference, decisions equal). Printed per model and engine: tracks/s of each, the
# ratio end to end (the JVM's start included) and the ratio after the session has started; last, one line
# `spark_vs_predict` with the end-to-end ratios of score.py's default engine (auto: per model, the binary when
# it has trees, NumPy otherwise). The target (issue 23): ≥ 0.5.
# Needs PySpark, pyarrow, pandas and Java (Scripts/spark/install.sh).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/tagstack}
ROWS=${ROWS:-200000}
OUT=${OUT:-Benchmarks/out/spark}
MODELS=${MODELS:-"pooled logistic"}
ENGINES=${ENGINES:-"numpy binary"}
BATCH=${BATCH:-20000}
WRITER=${WRITER:-arrow}   # score.py --writer: arrow (one pass, each task writes its files) or spark (persist, two writes)
[ -x "$BIN" ] || { echo "no $BIN: run 'swift build -c release --product tagstack'"; exit 2; }
python3 -c "import pyspark, pyarrow, pandas" 2>/dev/null || { echo "PySpark, pyarrow or pandas missing: run Scripts/spark/install.sh"; exit 2; }

DATA="$OUT/data-$ROWS"
if [ ! -f "$DATA/test_X.parquet" ]; then
    mkdir -p "$OUT"
    "$BIN" generate --out "$DATA" --train 2000 --test "$ROWS" --seed 1
    python3 - "$DATA/test_X.csv" "$DATA/test_X.parquet" <<'PY'
import sys, pandas as pd
# IDs as strings; numbers parsed with Python's float (correctly rounded, as predict parses them). Row groups of
# 20,000 rows, as a data lake's files are split (one row group would make one Spark task: one core).
df = pd.read_csv(sys.argv[1], dtype=str)
for c in df.columns[1:]:
    df[c] = df[c].map(float)
df.to_parquet(sys.argv[2], index=False, row_group_size=20000)
PY
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (measure on an idle machine)"
: >"$OUT/results.jsonl"
for m in $MODELS; do
    model="$OUT/$m.json"
    [ -f "$model" ] || "$BIN" train --data "$DATA" --model "$model" --learner "$m" --folds 2 --quiet
    t0=$(date +%s.%N)
    "$BIN" predict --model "$model" --input "$DATA/test_X.csv" --scores "$OUT/p.csv" --decisions "$OUT/d.csv" --quiet
    t1=$(date +%s.%N)
    for e in $ENGINES; do
        t2=$(date +%s.%N)
        python3 Scripts/spark/score.py --model "$model" --input "$DATA/test_X.parquet" --scores "$OUT/spark-scores" \
            --decisions "$OUT/spark-decisions" --master "local[2]" --binary "$BIN" --engine "$e" --batch-rows "$BATCH" \
            --writer "$WRITER" --overwrite --timing 2>"$OUT/spark.log" || { tail -20 "$OUT/spark.log"; exit 1; }
        t3=$(date +%s.%N)
        job=$(sed -n 's/.*rows scored in \([0-9.]*\) s.*/\1/p' "$OUT/spark.log")
        python3 - "$m" "$e" "$ROWS" "$t0" "$t1" "$t2" "$t3" "$job" "$OUT" "$WRITER" <<'PY' | tee -a "$OUT/results.jsonl"
import sys, numpy as np, pandas as pd, pyarrow as pa, pyarrow.csv as pc
m, e, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0, t1, t2, t3, job = map(float, sys.argv[4:9])
out, writer = sys.argv[9], sys.argv[10]
# Exactness, cell by cell against predict's CSVs (Arrow's CSV reader: IDs as strings, numbers correctly rounded).
def read(path):
    ids = pc.read_csv(path, convert_options=pc.ConvertOptions(column_types={"ChallengeID": pa.string()}))
    return ids.to_pandas().set_index("ChallengeID")
ref_p = read(f"{out}/p.csv")
ref_d = read(f"{out}/d.csv")
got_p = pd.read_parquet(f"{out}/spark-scores").set_index("ChallengeID").loc[ref_p.index, ref_p.columns]
got_d = pd.read_parquet(f"{out}/spark-decisions").set_index("ChallengeID").loc[ref_d.index, ref_d.columns]
worst = float(np.max(np.abs(got_p.to_numpy() - ref_p.to_numpy())))
differ = int((got_d.to_numpy().astype(int) != ref_d.to_numpy().astype(int)).sum())
p, s = rows / (t1 - t0), rows / (t3 - t2)
print(f'{{"bench": "spark", "model": "{m}", "engine": "{e}", "writer": "{writer}", "rows": {rows}, "predict_s": {t1 - t0:.2f}, '
      f'"predict_tracks_per_s": {p:.0f}, "spark_s": {t3 - t2:.2f}, "spark_tracks_per_s": {s:.0f}, "ratio": {s / p:.3f}, '
      f'"spark_after_start_s": {job:.2f}, "ratio_after_start": {rows / job / p:.3f}, '
      f'"largest_score_difference": {worst}, "decisions_differing": {differ}}}')
PY
    done
done
python3 - "$OUT/results.jsonl" "$OUT" <<'PY'
import json, sys
sys.path.insert(0, "Scripts/spark")
import tagstack_spark as ts
rows = [json.loads(l) for l in open(sys.argv[1])]
# score.py's default engine (auto): per model, the engine Model.engine picks when a binary is given.
mine = [r for r in rows if r["engine"] == ts.Model(f'{sys.argv[2]}/{r["model"]}.json').engine("tagstack")] or rows
print("spark_vs_predict (score.py's default engine, end to end, target >= 0.5): "
      + ", ".join(f'{r["model"]} ({r["engine"]}) {r["ratio"]:.3f}' for r in mine)
      + f' (min {min(r["ratio"] for r in mine):.3f})')
PY
