#!/usr/bin/env python3
"""LightGBM peer of `tagstack-bench gbdt` (see Benchmarks/README.md).

  lightgbm_peer.py train --in DIR [--threads N] [--prob FILE]
      Loads DIR/{train_X,train_y,test_X}.npy (written by `tagstack-bench gbdt-export`), builds ONE binned
      lightgbm.Dataset (free_raw_data=False, constructed once) and trains one model per tag on it with
      set_label, then predicts test_X with every model. Prints one JSON line: wall times and peak memory.
      Checks that the Dataset really is reused: its C handle must not change across tags.
  lightgbm_peer.py report --dir DIR [--threads "2 1"]
      The side-by-side table (times, ratios, memory, quality) of a Benchmarks/bench_gbdt.sh run.
  lightgbm_peer.py compare --in DIR --a FILE --b FILE [--names A,B]
      Mean test log loss and ROC AUC over tags of two probability matrices (rows x tags) against
      DIR/test_y.npy, with one implementation for both.
"""
import argparse
import json
import resource
import sys
import time

import numpy as np

# The benchmark's fixed parameters (same as tagstack-bench's benchParameters).
PARAMS = {
    "objective": "binary", "num_leaves": 15, "learning_rate": 0.1, "min_data_in_leaf": 20,
    "min_sum_hessian_in_leaf": 1e-3, "feature_fraction": 0.5, "lambda_l2": 1.0, "max_bin": 255,
    "bagging_fraction": 1.0, "bagging_freq": 0, "seed": 1, "deterministic": True, "verbose": -1,
}


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def train(args):
    import lightgbm as lgb

    x = np.load(f"{args.dir}/train_X.npy")
    y = np.load(f"{args.dir}/train_y.npy")
    xt = np.load(f"{args.dir}/test_X.npy")
    tags = y.shape[1] if args.tags is None else min(args.tags, y.shape[1])
    labels = [np.ascontiguousarray(y[:, t], dtype=np.float64) for t in range(tags)]
    loaded = peak_rss_mib()
    params = dict(PARAMS, num_threads=args.threads, num_iterations=args.rounds)
    if args.mode == "col":
        params["force_col_wise"] = True
    elif args.mode == "row":
        params["force_row_wise"] = True

    c0 = cpu_seconds()
    t0 = time.perf_counter()
    ds = lgb.Dataset(x, label=labels[0], free_raw_data=False,
                     params={"max_bin": 255, "verbose": -1, "num_threads": args.threads})
    ds.construct()
    handle = ds._handle.value if hasattr(ds._handle, "value") else ds._handle
    t1 = time.perf_counter()
    boosters = []
    reused = True
    for t in range(tags):
        ds.set_label(labels[t])
        boosters.append(lgb.train(params, ds))
        h = ds._handle.value if hasattr(ds._handle, "value") else ds._handle
        reused = reused and (h == handle)
    t2 = time.perf_counter()
    train_cpu = cpu_seconds() - c0
    train_peak = peak_rss_mib()

    prob = np.empty((xt.shape[0], tags))
    t3 = time.perf_counter()
    for t in range(tags):
        prob[:, t] = boosters[t].predict(xt, num_threads=args.threads)
    t4 = time.perf_counter()
    if args.prob:
        np.save(args.prob, prob)
    if not reused:
        print("lightgbm_peer: the Dataset was rebuilt between tags", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({
        "engine": "lightgbm", "version": lgb.__version__, "mode": args.mode, "threads": args.threads,
        "rows": int(x.shape[0]), "features": int(x.shape[1]), "tags": tags,
        "trees": int(sum(b.num_trees() for b in boosters)), "dataset_reused": reused,
        "bin_s": round(t1 - t0, 3), "train_s": round(t2 - t1, 3), "total_train_s": round(t2 - t0, 3), "train_cpu_s": round(train_cpu, 3),
        "score_s": round(t4 - t3, 3), "loaded_rss_mib": round(loaded, 1),
        "train_peak_rss_mib": round(train_peak, 1), "peak_rss_mib": round(peak_rss_mib(), 1),
    }))


def auc(y, p):
    """ROC AUC with ties counted half (Mann-Whitney); None without both classes."""
    pos = int(y.sum())
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(p, kind="mergesort")
    ps = p[order]
    ranks = np.empty(len(p))
    i = 0
    while i < len(p):  # average ranks over ties
        j = i
        while j + 1 < len(p) and ps[j + 1] == ps[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return (ranks[y == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg)


def log_loss(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def compare(args):
    a, b = np.load(args.a), np.load(args.b)
    y = np.load(f"{args.dir}/test_y.npy").astype(np.float64)[:, :a.shape[1]]
    names = args.names.split(",")
    tags = [t for t in range(y.shape[1]) if 0 < y[:, t].sum() < y.shape[0]]  # tags where AUC is defined
    out = {}
    for name, m in zip(names, (a, b)):
        out[name] = {
            "mean_log_loss": float(np.mean([log_loss(y[:, t], m[:, t]) for t in range(y.shape[1])])),
            "mean_auc": float(np.mean([auc(y[:, t], m[:, t]) for t in tags])),
        }
    out["tags"] = int(y.shape[1])
    out["tags_with_auc"] = len(tags)
    out["max_abs_prob_diff"] = float(np.abs(a - b).max())
    print(json.dumps(out))


def report(args):
    """The side-by-side table of a bench_gbdt.sh run."""
    rows = []
    for t in args.threads.split():
        ts = json.load(open(f"{args.dir}/tagstack_{t}.json"))
        lg = json.load(open(f"{args.dir}/lightgbm_{t}.json"))
        q = json.load(open(f"{args.dir}/quality_{t}.json"))
        rows.append((t, ts, lg, q))
    print(f"\n{rows[0][1]['tags']} tags, {rows[0][1]['rows']} training rows, {rows[0][1]['features']} features; "
          f"LightGBM {rows[0][2]['version']} ({rows[0][2]['mode']}-wise)")
    print(f"{'threads':>7} {'':>10} {'TagStack':>10} {'LightGBM':>10} {'ratio':>7}")
    for t, ts, lg, q in rows:
        def line(name, a, b, fmt="{:10.2f}"):
            print(f"{t:>7} {name:>10} {fmt.format(a)} {fmt.format(b)} {a / b:7.3f}")
        line("train s", ts["total_train_s"], lg["total_train_s"])
        line("score s", ts["score_s"], lg["score_s"], "{:10.3f}")
        line("peak MiB", ts["train_peak_rss_mib"], lg["train_peak_rss_mib"], "{:10.1f}")
        a, b = q["tagstack"], q["lightgbm"]
        print(f"{t:>7} {'log loss':>10} {a['mean_log_loss']:10.5f} {b['mean_log_loss']:10.5f} "
              f"{a['mean_log_loss'] / b['mean_log_loss']:7.4f}")
        print(f"{t:>7} {'AUC':>10} {a['mean_auc']:10.5f} {b['mean_auc']:10.5f} {a['mean_auc'] - b['mean_auc']:+7.4f}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--in", dest="dir", required=True)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--rounds", type=int, default=100)
    t.add_argument("--mode", choices=["auto", "col", "row"], default="auto",
                   help="LightGBM's histogram layout: auto (its own test each train call), col- or row-wise")
    t.add_argument("--tags", type=int, help="only the first N tags (development)")
    t.add_argument("--prob")
    c = sub.add_parser("compare")
    c.add_argument("--in", dest="dir", required=True)
    c.add_argument("--a", required=True)
    c.add_argument("--b", required=True)
    c.add_argument("--names", default="tagstack,lightgbm")
    r = sub.add_parser("report")
    r.add_argument("--dir", required=True)
    r.add_argument("--threads", default="2 1")
    args = ap.parse_args()
    {"train": train, "compare": compare, "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()
