#!/usr/bin/env python3
"""LightGBM peer of `tagstack-bench gbdt` (see Benchmarks/README.md).

  lightgbm_peer.py train --in DIR [--threads N] [--mode auto|col|row|quantized] [--init prior|tag-logit]
                         [--prob FILE] [--out FILE]
      Loads DIR/{train_X,train_y,test_X}.npy (written by `tagstack-bench gbdt-export`), builds ONE binned
      lightgbm.Dataset (free_raw_data=False, constructed once) and trains one model per tag on it with
      set_label (and set_init_score with --init tag-logit: each tag boosts from the logit of its own
      first-stage score column, DIR/tag_columns.npy), then predicts test_X with every model. Prints one
      JSON line: wall times and peak memory. Checks that the Dataset really is reused: its C handle must
      not change across tags. Modes: LightGBM's own choice of histogram layout (auto: its default),
      force_col_wise, force_row_wise, or quantized training (use_quantized_grad, LightGBM >= 4.0, with its
      other defaults).
  lightgbm_peer.py report --dir DIR --runs "NAME ..."
      The side-by-side table of a Benchmarks/bench_gbdt.sh run: for each run, TagStack against every
      LightGBM mode (a mode that failed is reported with its error), the ratio to the fastest mode and to
      the default, and the quality against LightGBM's default.
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
    init = init_test = None
    if args.init == "tag-logit":
        cols = np.load(f"{args.dir}/tag_columns.npy").ravel().astype(np.int64)
        init = [tag_logit(x[:, cols[t]]) for t in range(tags)]
        init_test = [tag_logit(xt[:, cols[t]]) for t in range(tags)]
    loaded = peak_rss_mib()
    params = dict(PARAMS, num_threads=args.threads, num_iterations=args.rounds)
    if args.mode == "col":
        params["force_col_wise"] = True
    elif args.mode == "row":
        params["force_row_wise"] = True
    elif args.mode == "quantized":
        params["use_quantized_grad"] = True

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
        if init is not None:
            ds.set_init_score(init[t])
        try:
            boosters.append(lgb.train(params, ds))
        except lgb.basic.LightGBMError as e:   # e.g. quantized training's "Check failed: ... right_count > 0"
            emit(args, {"engine": "lightgbm", "version": lgb.__version__, "mode": args.mode, "threads": args.threads,
                        "failed": f"tag {t}: {str(e).strip()}"})
            sys.exit(3)
        h = ds._handle.value if hasattr(ds._handle, "value") else ds._handle
        reused = reused and (h == handle)
    t2 = time.perf_counter()
    train_cpu = cpu_seconds() - c0
    train_peak = peak_rss_mib()

    prob = np.empty((xt.shape[0], tags))
    t3 = time.perf_counter()
    for t in range(tags):
        if init_test is None:
            prob[:, t] = boosters[t].predict(xt, num_threads=args.threads)
        else:
            raw = boosters[t].predict(xt, num_threads=args.threads, raw_score=True) + init_test[t]
            prob[:, t] = 1.0 / (1.0 + np.exp(-raw))
    t4 = time.perf_counter()
    if args.prob:
        np.save(args.prob, prob)
    if not reused:
        print("lightgbm_peer: the Dataset was rebuilt between tags", file=sys.stderr)
        sys.exit(1)
    emit(args, {
        "engine": "lightgbm", "version": lgb.__version__, "mode": args.mode, "init": args.init, "threads": args.threads,
        "rows": int(x.shape[0]), "features": int(x.shape[1]), "tags": tags,
        "trees": int(sum(b.num_trees() for b in boosters)), "dataset_reused": reused,
        "bin_s": round(t1 - t0, 3), "train_s": round(t2 - t1, 3), "total_train_s": round(t2 - t0, 3), "train_cpu_s": round(train_cpu, 3),
        "score_s": round(t4 - t3, 3), "loaded_rss_mib": round(loaded, 1),
        "train_peak_rss_mib": round(train_peak, 1), "peak_rss_mib": round(peak_rss_mib(), 1),
    })


def tag_logit(p):
    """The logit of a first-stage score, clipped to [1e-7, 1 - 1e-7] (as tagstack-bench computes it)."""
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(q / (1 - q))


def emit(args, record):
    line = json.dumps(record)
    print(line)
    if getattr(args, "out", None):
        with open(args.out, "w") as f:
            f.write(line + "\n")


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
    """The side-by-side table of a bench_gbdt.sh run: per run (data set × threads), TagStack against every
    LightGBM mode; ratios to the fastest mode that finished and to LightGBM's default (auto)."""
    modes = args.modes.split()
    status = 0
    for run in args.runs.split():
        ts = json.load(open(f"{args.dir}/{run}/tagstack.json"))
        print(f"\n### {run}: {ts['tags']} tags, {ts['rows']} training rows, {ts['features']} features, "
              f"{ts['threads']} thread(s), init {ts.get('init', 'prior')}")
        print(f"| engine | train s (binning included) | TagStack / it | peak MiB | test log loss | AUC |")
        print(f"|---|---|---|---|---|---|")
        q = {}
        try:
            q = json.load(open(f"{args.dir}/{run}/quality.json"))
        except OSError:
            pass
        print(f"| TagStack (gradient bins {ts.get('gradient_bins', 0)}) | {ts['total_train_s']:.2f} | | "
              f"{ts['train_peak_rss_mib']:.1f} | {fmt_quality(q.get('tagstack'))} |")
        finished = {}
        for m in modes:
            path = f"{args.dir}/{run}/lightgbm_{m}.json"
            try:
                lg = json.load(open(path))
            except (OSError, ValueError):
                lg = {"failed": "no result"}
            if "failed" in lg:
                print(f"| LightGBM {m} | FAILED: {lg['failed']} | | | | |")
                continue
            finished[m] = lg
            print(f"| LightGBM {m} | {lg['total_train_s']:.2f} | {ts['total_train_s'] / lg['total_train_s']:.3f} | "
                  f"{lg['train_peak_rss_mib']:.1f} | {fmt_quality(q.get(m))} |")
        if not finished:
            print("no LightGBM mode finished")
            status = 1
            continue
        fastest = min(finished, key=lambda m: finished[m]["total_train_s"])
        ratio = ts["total_train_s"] / finished[fastest]["total_train_s"]
        line = f"TagStack / fastest LightGBM ({fastest}): {ratio:.3f}"
        if "auto" in q and q.get("tagstack"):
            rel = q["tagstack"]["mean_log_loss"] / q["auto"]["mean_log_loss"] - 1
            line += f"; test log loss against LightGBM's default: {rel * 100:+.2f} %"
        print(line)
    sys.exit(status)


def fmt_quality(q):
    return f"{q['mean_log_loss']:.5f} | {q['mean_auc']:.5f}" if q else " | "


def compare_many(args):
    """quality.json of a run: each probability file against test_y.npy."""
    import os
    y = np.load(f"{args.dir}/test_y.npy")
    out = {}
    for item in args.files.split():
        name, path = item.split("=", 1)
        if not os.path.exists(path):
            continue
        p = np.load(path)
        tags = p.shape[1]
        out[name] = {"mean_log_loss": float(np.mean([log_loss(y[:, t], p[:, t]) for t in range(tags)])),
                     "mean_auc": float(np.mean([a for a in (auc(y[:, t], p[:, t]) for t in range(tags)) if a is not None]))}
    with open(args.out, "w") as f:
        json.dump(out, f)
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--in", dest="dir", required=True)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--rounds", type=int, default=100)
    t.add_argument("--mode", choices=["auto", "col", "row", "quantized"], default="auto",
                   help="auto (LightGBM's default: its own choice of layout), col- or row-wise, or quantized gradients")
    t.add_argument("--init", choices=["prior", "tag-logit"], default="prior")
    t.add_argument("--out", help="also write the JSON line to this file")
    t.add_argument("--tags", type=int, help="only the first N tags (development)")
    t.add_argument("--prob")
    c = sub.add_parser("compare")
    c.add_argument("--in", dest="dir", required=True)
    c.add_argument("--a", required=True)
    c.add_argument("--b", required=True)
    c.add_argument("--names", default="tagstack,lightgbm")
    r = sub.add_parser("report")
    r.add_argument("--dir", required=True)
    r.add_argument("--runs", required=True)
    r.add_argument("--modes", default="auto col row quantized")
    m = sub.add_parser("quality")
    m.add_argument("--dir", required=True, help="holds test_y.npy")
    m.add_argument("--files", required=True, help='"NAME=PROB.npy ..."')
    m.add_argument("--out", required=True)
    args = ap.parse_args()
    {"train": train, "compare": compare, "report": report, "quality": compare_many}[args.cmd](args)


if __name__ == "__main__":
    main()
