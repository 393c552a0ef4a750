#!/usr/bin/env python3
"""Per-tag thresholds on the mean rank-normalised score of every network, against the first network alone.

    python3 Scripts/rank_average_baseline.py DATA_DIR        (needs numpy)

Networks are the tag-named columns (the first network) and every `NET:tag` column. Each column is mapped to
its empirical CDF on the training rows; a tag's score is the mean over networks. Per tag, the F1-maximising
threshold on train (cut at the midpoint between distinct scores) decides test; prints test weighted F1
(scikit-learn's definition) for the first network and for the average.
"""
import csv, sys
import numpy as np

def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)[1:]
        rows = [x for x in r]
    return header, np.array([[float(v) for v in x[1:]] for x in rows])

def threshold(s, y):
    if y.sum() == 0:
        return np.inf
    o = np.argsort(-s, kind="stable"); ss = s[o]; yy = y[o]
    tp = np.cumsum(yy); k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + y.sum())
    f1 = np.where(np.r_[ss[1:] != ss[:-1], True], f1, -1)   # cuts only between distinct scores
    i = int(np.argmax(f1))
    return (ss[i] + ss[i + 1]) / 2 if i + 1 < len(ss) else ss[i]

def weighted_f1(d, y):
    s = y.sum(0); tp = (d * y).sum(0); p = d.sum(0)
    f = np.where(s + p > 0, 2 * tp / np.maximum(s + p, 1), 0)
    return (f * s).sum() / s.sum()

def main(data):
    tags = next(csv.reader(open(f"{data}/labels.csv")))[1:]
    h, X = load(f"{data}/train_X.csv"); _, Y = load(f"{data}/train_y.csv")
    ht, Xt = load(f"{data}/test_X.csv"); _, Yt = load(f"{data}/test_y.csv")
    col, colt = {c: i for i, c in enumerate(h)}, {c: i for i, c in enumerate(ht)}
    nets = [""] + sorted({c.split(":", 1)[0] + ":" for c in h if ":" in c and c.split(":", 1)[1] in tags})
    for name, chosen in [("first network", [""]), (f"mean of {len(nets)} networks", nets)]:
        S = np.zeros((len(X), len(tags))); St = np.zeros((len(Xt), len(tags)))
        for j, t in enumerate(tags):
            used = [n for n in chosen if n + t in col]
            for n in used:
                ref = np.sort(X[:, col[n + t]])
                S[:, j] += np.searchsorted(ref, X[:, col[n + t]], side="right") / len(ref)
                St[:, j] += np.searchsorted(ref, Xt[:, colt[n + t]], side="right") / len(ref)
            S[:, j] /= len(used); St[:, j] /= len(used)
        th = np.array([threshold(S[:, j], Y[:, j]) for j in range(len(tags))])
        print(f"{name}: test weighted F1 {weighted_f1((St >= th).astype(int), Yt):.4f}")

if __name__ == "__main__":
    main(sys.argv[1])
