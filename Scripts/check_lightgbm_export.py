#!/usr/bin/env python3
"""Loads `tagstack export` output with LightGBM and compares its raw scores with TagStack's.

usage: check_lightgbm_export.py EXPORT_DIR [--tolerance 1e-9]

EXPORT_DIR holds the LightGBM model files, features.json and features.csv (tagstack export --features-for).
For every exported tag: LightGBM's raw score (Booster.predict(raw_score=True)) on the tag's feature rows plus
the row's init score must equal TagStack's raw score within the tolerance. Prints the largest difference.
Exit 0 when every tag agrees, 1 otherwise.
"""
import argparse
import csv
import json
import math
import sys

import lightgbm as lgb
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export_dir")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    a = ap.parse_args()
    desc = json.load(open(f"{a.export_dir}/features.json"))
    files = {t["tag"]: t["file"] for t in desc["tags"] if "file" in t}
    if not files:
        print(f"LightGBM {lgb.__version__}: the model has no boosted tag (every tag raw or logistic): nothing to check")
        return 0
    rows = {}
    with open(f"{a.export_dir}/features.csv", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        if header[4:] != desc["feature_names"]:
            sys.exit("features.csv columns differ from features.json feature_names")
        for cells in r:
            rows.setdefault(cells[1], []).append([float(c) for c in cells[2:]])
    worst, worst_tag, checked, lines = 0.0, None, 0, 0
    boosters = {}   # one file may serve many tags (pooled.txt)
    for tag, file in files.items():
        if file not in boosters:
            boosters[file] = lgb.Booster(model_file=f"{a.export_dir}/{file}")
        booster = boosters[file]
        if booster.num_feature() != len(desc["feature_names"]):
            sys.exit(f"{file}: LightGBM reads {booster.num_feature()} features, expected {len(desc['feature_names'])}")
        if booster.feature_name() != desc["feature_names"]:
            sys.exit(f"{file}: feature names differ from features.json")
        data = np.array(rows.get(tag, []), dtype=np.float64)
        if data.size == 0:
            continue
        init, expected, x = data[:, 0], data[:, 1], data[:, 2:]
        got = booster.predict(x, raw_score=True) + init
        diff = np.abs(got - expected)
        d = float(diff.max())
        if d > worst or worst_tag is None:
            worst, worst_tag = d, tag
        checked += 1
        lines += len(expected)
        if not math.isfinite(d):
            sys.exit(f"{tag}: non-finite difference")
    print(f"LightGBM {lgb.__version__}: {checked} exported tag(s), {lines} row × tag scores; "
          f"largest |LightGBM raw + init - TagStack raw| = {worst:.3e} (tag {worst_tag}); tolerance {a.tolerance:g}")
    if checked == 0:
        print("no exported tag had feature rows to check", file=sys.stderr)
        return 1
    return 0 if worst <= a.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
