#!/usr/bin/env bash
# The README's "Global before local" figures: for each data set, the thresholds benchmark and the default
# `tagstack train` (train on train, test on test), with test weighted F1, mean log loss, macro PR-AUC, the base
# score and calibration chosen. Usage: Scripts/global_levels_results.sh DIR [DIR ...]   (release build first)
set -euo pipefail
for d in "$@"; do
  echo "### $d"
  Scripts/results.sh "$d" thresholds auto
done
