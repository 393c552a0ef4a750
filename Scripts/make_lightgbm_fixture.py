#!/usr/bin/env python3
# Remakes Tests/TagStackTests/Fixtures/lightgbm/binary_small.json: a small deterministic data set and
# LightGBM's predictions on it, which BoostingLightGBMTests compares TagStack's predictions with.
#
# Exact command (from the repository root):
#   python3 -m venv /tmp/lgbvenv && /tmp/lgbvenv/bin/pip install lightgbm numpy \
#     && /tmp/lgbvenv/bin/python Scripts/make_lightgbm_fixture.py
#
# Design: feature values are multiples of 0.01 in [0.01, 1] (at most 100 distinct values, none zero or
# negative), so LightGBM's bins are midpoints between distinct values, exactly like TagStack's with
# min_data_in_bin=1; feature 2 has ~12% NaN (learned missing direction) and only 10 distinct values; the test
# rows include NaNs. Why coarse: at a node with no NaN rows, LightGBM scans a NaN feature both ways and keeps
# whichever of two equal gains rounds higher; with empty bins inside a node that picks the lowest or the
# highest of several equivalent thresholds by floating-point accident. Few distinct values keep bins full.
import json
import os
import sys

import lightgbm as lgb
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TagStackTests", "Fixtures",
                   "lightgbm", "binary_small.json")

PARAMS = {
    "objective": "binary", "num_leaves": 7, "max_depth": -1, "learning_rate": 0.2, "min_data_in_leaf": 1,
    "min_sum_hessian_in_leaf": 1e-3, "lambda_l2": 1.0, "min_gain_to_split": 0.0, "max_bin": 255,
    "min_data_in_bin": 1, "feature_fraction": 1.0, "bagging_fraction": 1.0, "bagging_freq": 0,
    "boost_from_average": True, "feature_pre_filter": False, "deterministic": True, "num_threads": 1,
    "seed": 7, "verbose": -1,
}
ROUNDS = 30


def make(n, rng):
    x = np.round(rng.uniform(0.01, 1.0, size=(n, 6)), 2)
    x = np.clip(x, 0.01, 1.0)
    x[:, 2] = np.ceil(x[:, 2] * 10) / 10  # the NaN feature is coarse (0.1 ... 1.0): see the note at the top
    z = 3.0 * (x[:, 0] - 0.5) + 2.5 * (x[:, 1] > 0.6) - 2.0 * x[:, 3] * x[:, 4] + 0.5
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(np.uint8)
    missing = rng.uniform(size=n) < 0.12
    y[missing] = (rng.uniform(size=missing.sum()) < 0.8).astype(np.uint8)  # NaN rows are mostly positive
    x[missing, 2] = np.nan
    return x, y


def main():
    rng = np.random.default_rng(20240601)
    xtr, ytr = make(600, rng)
    xte, _ = make(200, rng)
    ds = lgb.Dataset(xtr, label=ytr, params={"max_bin": 255, "min_data_in_bin": 1, "verbose": -1,
                                             "feature_pre_filter": False})
    cases = []
    # Case 1, min_data_in_leaf=1: the row-count limit never binds, and TagStack must reproduce LightGBM.
    # Case 2, min_data_in_leaf=10: LightGBM checks the limit on counts estimated from hessians (and can
    # make leaves under 10 rows), TagStack on exact counts, so the models drift apart after some trees.
    for min_data in (1, 10):
        params = dict(PARAMS, min_data_in_leaf=min_data)
        booster = lgb.train(params, ds, num_boost_round=ROUNDS)
        cases.append({"params": params, "lightgbm_prob": [float(v) for v in booster.predict(xte)],
                      "lightgbm_num_trees": booster.num_trees()})

    def rows(a):
        return [[None if np.isnan(v) else float(v) for v in r] for r in a]

    doc = {
        "comment": "made by Scripts/make_lightgbm_fixture.py; lightgbm " + lgb.__version__,
        "rounds": ROUNDS, "cases": cases,
        "train_x": rows(xtr), "train_y": [int(v) for v in ytr], "test_x": rows(xte),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(ytr)} train rows, {len(xte)} test rows, {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
