#!/usr/bin/env bash
# Regenerates the golden models, their input and the expected outputs in this folder.
#
#   swift build -c release --product tagstack && Tests/TagStackModelTests/Golden/make_golden.sh
#
# Run it only when the model format changes on purpose (with a format_version bump) or when training
# changes what it learns: GoldenTests then pin the new files. Deterministic: the same build gives the same bytes.
# v1/ and v2/ hold models written by format_versions 1 and 2 with their outputs: never regenerated (GoldenTests
# check that this build still reads them and scores them the same).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="${TAGSTACK:-$root/.build/release/tagstack}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

"$bin" generate --out "$tmp/full" --train 400 --test 24 --seed 5 --networks 1 > /dev/null
mkdir -p "$tmp/small"
python3 "$here/subset.py" "$tmp/full" "$tmp/small"
cp "$tmp/small/labels.csv" "$here/labels.csv"
cp "$tmp/small/input_X.csv" "$here/input_X.csv"

common=(--data "$tmp/small" --folds 0 --rounds 6 --leaves 4 --min-data-in-leaf 8 --margin -1 --threads 1 --seed 3 --quiet)
"$bin" train "${common[@]}" --learner gbdt --decision hierarchical --model "$here/gbdt-hierarchical.json"
"$bin" train "${common[@]}" --learner gbdt --features all --decision track --model "$here/gbdt-all-track.json"
"$bin" train "${common[@]}" --learner logistic --decision class --model "$here/logistic-class.json"
"$bin" train "${common[@]}" --learner thresholds --model "$here/thresholds.json"
"$bin" train "${common[@]}" --learner pooled --decision class --pooled-leaves 6 --model "$here/pooled-class.json"
# Format version 3: a learned blend as the base score (base_logit trees), under a pooled model, a logit-mean
# under logistic tags; every model is calibrated.
"$bin" train "${common[@]}" --learner gbdt --base blend --decision track --model "$here/gbdt-blend-track.json"
"$bin" train "${common[@]}" --learner pooled --base blend --decision class --pooled-leaves 6 --model "$here/pooled-blend-class.json"
"$bin" train "${common[@]}" --learner logistic --base logit-mean --decision thresholds --calibration shared --model "$here/logistic-logitmean-thresholds.json"

# Full-size (248 tags: classes of 90, 112 and 46 tags), tiny models.
"$bin" generate --out "$tmp/wide" --train 300 --test 30 --seed 6 > /dev/null 2>&1
head -31 "$tmp/wide/test_X.csv" > "$here/wide_input_X.csv"
wide=(--data "$tmp/wide" --folds 0 --rounds 3 --leaves 3 --min-data-in-leaf 10 --margin -1 --threads 1 --seed 3 --quiet)
"$bin" train "${wide[@]}" --learner gbdt --decision hierarchical --model "$here/wide-gbdt-hierarchical.json"
"$bin" train "${wide[@]}" --learner logistic --decision track --model "$here/wide-logistic-track.json"
"$bin" train "${wide[@]}" --learner pooled --decision hierarchical --pooled-leaves 8 --model "$here/wide-pooled-hierarchical.json"

# Format version 4: one label a track (generated FMA-shaped data), whatever the level chooses out of fold
# and in-sample (--folds 0); the input is the test rows plus edge rows (a missing network value, exact 0 and 1).
"$bin" generate --one-label --out "$tmp/one" --train 800 --test 24 --seed 5 > /dev/null 2>&1
python3 - "$tmp/one/test_X.csv" "$here/one_label_input_X.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
w = len(rows[0]) - 1
rows.append(["edge-missing"] + ["0.3"] * (w - 1) + [""])
rows.append(["edge-extremes"] + [("0" if j % 2 else "1") for j in range(w)])
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(rows)
PY
one=(--data "$tmp/one" --threads 1 --seed 3 --quiet)
"$bin" train "${one[@]}" --folds 3 --model "$here/one-label.json"
"$bin" train "${one[@]}" --folds 0 --model "$here/one-label-insample.json"
for m in one-label one-label-insample; do
    "$bin" predict --model "$here/$m.json" --input "$here/one_label_input_X.csv" --allow-missing --quiet \
        --scores "$here/$m.scores.csv" --decisions "$here/$m.decisions.csv"
done

for m in gbdt-hierarchical gbdt-all-track logistic-class thresholds pooled-class gbdt-blend-track pooled-blend-class logistic-logitmean-thresholds wide-gbdt-hierarchical wide-logistic-track wide-pooled-hierarchical; do
    input="$here/input_X.csv"; [[ $m == wide-* ]] && input="$here/wide_input_X.csv"
    "$bin" predict --model "$here/$m.json" --input "$input" --allow-missing --quiet \
        --scores "$here/$m.scores.csv" --decisions "$here/$m.decisions.csv"
done
echo "golden files written to $here"
