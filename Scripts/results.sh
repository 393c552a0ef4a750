#!/usr/bin/env bash
# Measures the README's results table: for each data set and learner, train on train, score test, evaluate.
# Usage: Scripts/results.sh DATA_DIR [LEARNER ...]     (default learners: constant thresholds logistic gbdt auto)
# Prints one Markdown row per learner: learner, test weighted F1, mean log loss, macro PR-AUC, ROC-AUC, base score,
# stacked and calibrated tags, decision rule, training seconds. Needs a release build (make build).
set -euo pipefail
data=${1:?usage: Scripts/results.sh DATA_DIR [LEARNER ...]}
shift
learners=${*:-constant thresholds logistic gbdt auto}
bin=${BIN:-.build/release/tagstack}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| learner | test weighted F1 | mean log loss | macro PR-AUC | macro ROC-AUC | base score | stacked tags | calibrated tags | decision rule | train s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for l in $learners; do
  start=$(date +%s.%N)
  "$bin" train --data "$data" --model "$out/m.json" --learner "$l" --quiet ${TRAIN_FLAGS:-} > /dev/null   # the summary goes to stdout
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  "$bin" predict --model "$out/m.json" --input "$data/test_X.csv" --decisions "$out/d.csv" --scores "$out/p.csv" --quiet
  "$bin" evaluate --truth "$data/test_y.csv" --decisions "$out/d.csv" --scores "$out/p.csv" --json > "$out/e.json"
  python3 - "$out/e.json" "$out/m.json" "$l" "$secs" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
stacked = sum(1 for t in m["tags"] if t["path"] != "raw")
calibrated = sum(1 for t in m["tags"] if t.get("calibration"))
base = (m.get("base") or {}).get("kind", "primary")
chosen = m["learner"] if sys.argv[3] == "auto" else ""
name = sys.argv[3] + (f" (→ {chosen})" if chosen else "")
print(f"| {name} | {e['weighted_f1']:.4f} | {e['log_loss']:.4f} | {e['pr_auc']:.4f} | {e['roc_auc']:.4f} | {base} | {stacked} | {calibrated} | {m['decision']} | {float(sys.argv[4]):.0f} |")
PY
done
