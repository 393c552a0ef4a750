#!/usr/bin/env bash
# make bench: every benchmark, side by side where there is a peer. Not part of make test.
# Run on an otherwise idle machine (LightGBM's OpenMP threads slow down badly when anything else runs).
#   BENCH="csv train speed gbdt spark"  selects sections (default: all that exist); DATA=Data is the default data set.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-Data}
SECTIONS=${BENCH:-"csv train speed gbdt latency catalogue spark"}
BIN=.build/release/tagstack
# One product per build: `swift build` with two --product options builds only the last one.
swift build -c release --product tagstack >/dev/null
swift build -c release --product tagstack-bench >/dev/null
[ -f "$DATA/train_X.csv" ] || "$BIN" generate --out "$DATA" --train 12000 --test 4000 --seed 1

for s in $SECTIONS; do
  case $s in
    csv)
      echo "## CSV reading: 20,000 × 290 (issue 2: well under a second)"
      .build/release/tagstack-bench csv --rows 20000 --cols 290 ;;
    train)
      echo "## make train on the default data (issue 4: ≤ 3 minutes, cross-validation included)"
      out=$(mktemp -d)
      /usr/bin/time -f '{"bench": "train_default", "seconds": %e, "cpu_percent": "%P", "max_rss_kb": %M}' \
        "$BIN" train --data "$DATA" --model "$out/m.json" --quiet
      rm -rf "$out" ;;
    speed)
      echo "## Speed where users run it (issue 24: default train ≤ 0.33 × LightGBM's single pass, gbdt ≤ 0.5 × the fastest, pooled latency ≤ 200 µs)"
      Benchmarks/bench_speed.sh ;;
    gbdt)
      echo "## GBDT engine vs LightGBM in each of its modes (issue 14: train ≤ 0.5 × the fastest)"
      Benchmarks/bench_gbdt.sh ;;
    latency)
      if [ -x Scripts/latency/run.sh ]; then echo "## Single-track latency (issue 5)"; Scripts/latency/run.sh "$DATA"; fi ;;
    catalogue)
      if [ -x Benchmarks/bench_catalogue.sh ]; then echo "## Large catalogues (issue 6)"; Benchmarks/bench_catalogue.sh; fi ;;
    spark)
      echo "## Scoring on Spark, local[2], both engines, against predict on the same rows (issue 23: ≥ 0.5 × predict's tracks/s; ROWS=200000 by default; last line: spark_vs_predict)"
      Benchmarks/bench_spark.sh ;;
    *) echo "unknown section $s" >&2; exit 2 ;;
  esac
done
