#!/usr/bin/env bash
# Regenerates the golden models, their input and the expected outputs in this folder.
#
#   swift build -c release --product tagstack && Tests/TagStackModelTests/Golden/make_golden.sh
#
# Run it only when the model format changes on purpose (with a format_version bump) or when training
# changes what it learns: GoldenTests then pin the new files. Deterministic: the same build gives the same bytes.
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

for m in gbdt-hierarchical gbdt-all-track logistic-class thresholds; do
    "$bin" predict --model "$here/$m.json" --input "$here/input_X.csv" --allow-missing --quiet \
        --scores "$here/$m.scores.csv" --decisions "$here/$m.decisions.csv"
done
echo "golden files written to $here"
