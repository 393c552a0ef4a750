#!/usr/bin/env python3
"""Sanity and calibration check of the synthetic data (not used by tests).

Reads a Mewo-layout directory (labels.csv, train/test _X, _y, _groups CSVs) and prints:
label statistics, weighted F1 on test of a constant 0.5 threshold, of per-tag F1-maximising
thresholds fitted on train, and of a simple per-tag logistic "stacker" (own score, class z-score,
category score, sibling scores, all category scores) with thresholds fitted on train.

    python3 Scripts/check_synthetic.py Data [--no-stacker]

Needs numpy and scikit-learn.
"""
import csv, sys, os
os.environ.setdefault("OMP_NUM_THREADS", "1"); os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
from sklearn.metrics import f1_score
from sklearn.linear_model import LogisticRegression


def load_dir(d):
    rows = list(csv.reader(open(os.path.join(d, "labels.csv"))))
    out = {"tags": rows[0][1:], "cats": rows[1][1:], "classes": rows[2][1:]}
    for s in ("train", "test"):
        with open(os.path.join(d, s + "_X.csv")) as f:
            out["cols"] = next(csv.reader(f))[1:]
        out[s + "_X"] = np.loadtxt(os.path.join(d, s + "_X.csv"), delimiter=",", skiprows=1,
                                   usecols=range(1, len(out["cols"]) + 1))
        out[s + "_y"] = np.loadtxt(os.path.join(d, s + "_y.csv"), delimiter=",", skiprows=1,
                                   usecols=range(1, len(out["tags"]) + 1)).astype(np.uint8)
        g = os.path.join(d, s + "_groups.csv")
        out[s + "_artist"] = np.array([r[1] for r in list(csv.reader(open(g)))[1:]]) if os.path.exists(g) else None
    return out


def best_thresholds(P, Y):
    """Per tag, the threshold maximising F1 on (P, Y): midpoint between consecutive sorted scores."""
    th = np.full(P.shape[1], 0.5)
    for t in range(P.shape[1]):
        p, y = P[:, t], Y[:, t]
        if y.sum() == 0:
            th[t] = 1.0; continue
        o = np.argsort(-p); ps, ys = p[o], y[o]
        tp = np.cumsum(ys); k = np.arange(1, len(ys) + 1)
        f1 = 2 * tp / (k + ys.sum())
        # only cut between distinct scores
        valid = np.r_[ps[:-1] > ps[1:], True]
        i = np.argmax(np.where(valid, f1, -1))
        th[t] = (ps[i] + ps[i + 1]) / 2 if i + 1 < len(ps) else ps[i] - 1e-12
    return th


def wf1(Y, D):
    return 100 * f1_score(Y, D, average="weighted", zero_division=0)


def logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def stacker_features(X, tags, cats, classes, cols):
    nt = len(tags)
    L = logit(X[:, :nt])
    catcols = {c: cols.index(c) for c in dict.fromkeys(cats) if c in cols}
    C = logit(X[:, [catcols[c] for c in catcols]]) if catcols else np.zeros((len(X), 0))
    catnames = list(catcols)
    feats = []
    cls = np.array(classes); cat = np.array(cats)
    Z = np.zeros_like(L)
    for k in dict.fromkeys(classes):
        idx = np.where(cls == k)[0]
        mu = L[:, idx].mean(1, keepdims=True); sd = L[:, idx].std(1, keepdims=True) + 1e-6
        Z[:, idx] = (L[:, idx] - mu) / sd
    for t in range(nt):
        sib = [s for s in np.where(cat == cat[t])[0] if s != t]
        own = L[:, t:t + 1]
        sibmax = Z[:, sib].max(1, keepdims=True) if sib else np.zeros_like(own)
        sibmean = Z[:, sib].mean(1, keepdims=True) if sib else np.zeros_like(own)
        ownc = C[:, [catnames.index(cat[t])]] if cat[t] in catnames else np.zeros_like(own)
        feats.append(np.hstack([own, Z[:, t:t + 1], sibmax, sibmean, ownc, C]))
    return feats


def main():
    d = load_dir(sys.argv[1])
    tags, cats, classes, cols = d["tags"], d["cats"], d["classes"], d["cols"]
    nt = len(tags)
    Ytr, Yte = d["train_y"], d["test_y"]
    Ptr, Pte = d["train_X"][:, :nt], d["test_X"][:, :nt]
    prev = Ytr.mean(0)
    print(f"train {Ytr.shape}, test {Yte.shape}, columns {len(cols)}")
    print("prevalence %%: min %.2f  p10 %.2f  median %.2f  p90 %.2f  max %.2f" %
          tuple(100 * np.quantile(prev, [0, .1, .5, .9, 1])))
    for k in dict.fromkeys(classes):
        idx = [i for i, c in enumerate(classes) if c == k]
        print(f"  {k}: tags/track {Ytr[:, idx].sum(1).mean():.2f}, max prevalence {100*prev[idx].max():.1f}%")
    if d["train_artist"] is not None:
        a = d["train_artist"]; _, sizes = np.unique(a, return_counts=True)
        print(f"artists train {len(sizes)} (size median {np.median(sizes):.0f}, max {sizes.max()}), "
              f"shared with test: {len(set(a) & set(d['test_artist']))}")
    print(f"scores in (0,1): {bool(((d['train_X'] > 0) & (d['train_X'] < 1)).all())}")
    print(f"weighted F1 test, constant 0.5: {wf1(Yte, Pte > 0.5):.2f}")
    th = best_thresholds(Ptr, Ytr)
    print(f"weighted F1 test, per-tag thresholds (fit on train): {wf1(Yte, Pte > th):.2f}"
          f"   [train {wf1(Ytr, Ptr > th):.2f}]")
    extra = [c for c in cols if ":" in c]
    if extra:
        nets = sorted({c.split(":")[0] for c in extra})
        Atr = [Ptr] + [d["train_X"][:, [cols.index(f"{n}:{t}") for t in tags]] for n in nets]
        Ate = [Pte] + [d["test_X"][:, [cols.index(f"{n}:{t}") for t in tags]] for n in nets]
        for name, f in (("mean prob", lambda A: np.mean(A, 0)), ("mean logit", lambda A: np.mean([logit(a) for a in A], 0))):
            a, b = f(Atr), f(Ate)
            print(f"weighted F1 test, {name} of {len(Atr)} networks + thresholds: {wf1(Yte, b > best_thresholds(a, Ytr)):.2f}")
    if "--no-stacker" in sys.argv:
        return
    Ftr = stacker_features(d["train_X"], tags, cats, classes, cols)
    Fte = stacker_features(d["test_X"], tags, cats, classes, cols)
    Str = np.zeros_like(Ptr); Ste = np.zeros_like(Pte)
    for t in range(nt):
        if Ytr[:, t].min() == Ytr[:, t].max():
            continue
        mu, sd = Ftr[t].mean(0), Ftr[t].std(0) + 1e-9
        m = LogisticRegression(C=1.0, max_iter=200).fit((Ftr[t] - mu) / sd, Ytr[:, t])
        Str[:, t] = m.predict_proba((Ftr[t] - mu) / sd)[:, 1]; Ste[:, t] = m.predict_proba((Fte[t] - mu) / sd)[:, 1]
    th2 = best_thresholds(Str, Ytr)
    print(f"weighted F1 test, per-tag logistic stacker + thresholds: {wf1(Yte, Ste > th2):.2f}")


if __name__ == "__main__":
    main()
