#!/usr/bin/env python3
"""The report of Benchmarks/bench_speed.sh (issue 24's acceptance ratios), from the files it wrote in --dir:

  lightgbm_MODE.json / .npy   LightGBM's single pass per mode (lightgbm_peer.py train), probabilities tests × tags
  RUN.seconds                 wall seconds of `tagstack train` (RUN: default, gbdt)
  RUN.scores.csv              `tagstack predict --scores` on the test file
  RUN.evaluate.txt            `tagstack evaluate` of those decisions and scores
  latency.txt                 the latency reruns of the pooled model

Mean test log loss over tags is computed here for TagStack's scores and every LightGBM mode with one
implementation (lightgbm_peer.log_loss), rows matched to DATA/test_y.csv by ID.
"""
import argparse
import csv
import json
import re
import statistics
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from lightgbm_peer import log_loss  # noqa: E402


def read_matrix(path):
    """(ids, tag names, rows × tags float matrix) of a CSV in the y layout."""
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        ids, rows = [], []
        for line in r:
            ids.append(line[0])
            rows.append([float(v) for v in line[1:]])
    return ids, head[1:], np.array(rows)


def mean_log_loss(y, p):
    return float(np.mean([log_loss(y[:, t], p[:, t]) for t in range(y.shape[1])]))


def evaluate_figures(path):
    text = open(path).read()
    f1 = re.search(r"weighted F1\s+([0-9.]+)", text)
    ll = re.search(r"log loss \(mean\)\s+([0-9.]+)", text)
    return float(f1.group(1)), float(ll.group(1))


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--dir", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--modes", default="auto col row")
    args = a.parse_args()
    d = args.dir
    ids, tags, y = read_matrix(f"{args.data}/test_y.csv")
    index = {i: r for r, i in enumerate(ids)}

    lgb = {}
    for m in args.modes.split():
        try:
            rec = json.load(open(f"{d}/lightgbm_{m}.json"))
        except (OSError, ValueError):
            rec = {"failed": "no result"}
        if "failed" in rec:
            print(f"LightGBM {m}: FAILED ({rec['failed']})")
            continue
        p = np.load(f"{d}/lightgbm_{m}.npy")
        lgb[m] = (rec["total_train_s"], mean_log_loss(y, p))
        print(f"LightGBM {m}: single pass {rec['total_train_s']:.2f} s (binning included), {rec['tags']} tags × "
              f"{rec['trees'] // max(rec['tags'], 1)} trees, {rec['threads']} thread(s); mean test log loss {lgb[m][1]:.5f}")
    if not lgb:
        print("no LightGBM mode finished: no ratio")
        return 1

    def tagstack(run):
        secs = float(open(f"{d}/{run}.seconds").read().split()[-1])
        sid, stags, s = read_matrix(f"{d}/{run}.scores.csv")
        assert stags == tags, "scores and test_y name different tags"
        p = np.empty_like(y)
        for r, i in enumerate(sid):
            p[index[i]] = s[r]
        f1, ll = evaluate_figures(f"{d}/{run}.evaluate.txt")
        return secs, f1, ll, mean_log_loss(y, p)

    status = 0
    default_lgb = lgb.get("auto") or next(iter(lgb.values()))
    secs, f1, ll, _ = tagstack("default")
    ratio = secs / default_lgb[0]
    ok = ratio <= 0.33 and f1 >= 0.5274 and ll <= 0.0858
    status |= not ok
    print(f"\n1. default `tagstack train`: {secs:.2f} s / LightGBM {'auto' if 'auto' in lgb else 'first mode'} single pass "
          f"{default_lgb[0]:.2f} s = {ratio:.3f} (target ≤ 0.33); test weighted F1 {f1:.4f} (≥ 0.5274), "
          f"log loss {ll:.4f} (≤ 0.0858): {'met' if ok else 'NOT met'}")

    fastest = min(lgb, key=lambda m: lgb[m][0])
    secs, f1, ll, mll = tagstack("gbdt")
    ratio = secs / lgb[fastest][0]
    rel = (mll - lgb[fastest][1]) / lgb[fastest][1]
    ok = ratio <= 0.5 and rel <= 0.005
    status |= not ok
    print(f"2. `tagstack train --learner gbdt` (single pass, no --gradient-bins): {secs:.2f} s / fastest LightGBM ({fastest}) "
          f"{lgb[fastest][0]:.2f} s = {ratio:.3f} (target ≤ 0.5); mean test log loss {mll:.5f} against {lgb[fastest][1]:.5f} "
          f"({rel * 100:+.2f} %, target ≤ +0.5 %); test weighted F1 {f1:.4f}: {'met' if ok else 'NOT met'}")

    medians = [float(m) for m in re.findall(r"single track: median ([0-9.]+)", open(f"{d}/latency.txt").read())]
    if medians:
        mid = statistics.median(medians)
        ok = mid <= 200
        status |= not ok
        print(f"3. pooled single-track latency: median of {len(medians)} reruns {mid:.1f} µs (min {min(medians):.1f}, "
              f"max {max(medians):.1f}; each: {', '.join(f'{m:.1f}' for m in medians)}) against 200 µs: "
              f"{'met' if ok else 'NOT met'}")
    print(f"\nissue 24's targets: {'all met' if status == 0 else 'NOT all met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
