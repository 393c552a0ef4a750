#!/usr/bin/env python3
"""One label a track: TagStack's test log loss and accuracy against the peers a user would try instead.

Usage:
    python3 Scripts/one_label_peers.py DATA_DIR [--scores P.csv] [--decisions D.csv]

DATA_DIR holds labels.csv, train_X.csv, train_y.csv, test_X.csv, test_y.csv (every y row exactly one 1) and
optionally train_groups.csv. Peers are fitted on train only (scikit-learn, scipy):
    class prior                      the training label frequencies (+1 each)
    primary renormalised             the columns named like the labels, each row divided by its sum
    primary temperature              softmax(logit(primary) / T), T minimising the training log loss
    primary vector scaling           softmax(logit(primary) / T + b_label), fitted on train
    mean of networks, temperature    softmax(mean over networks of logit(score) / T)
    multinomial LR                   LogisticRegression on every network's logits (standardised), C by 3-fold
                                     CV (grouped by the first groups column when present)
TagStack's P.csv (from `tagstack predict --scores`) is checked (rows sum to one within 1e-12, each in [0, 1])
and scored the same way (sklearn's log_loss, argmax accuracy); with --decisions, D.csv must have exactly one
1 a row, and its accuracy is printed too.
"""
import argparse
import csv
import sys

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import StandardScaler


def read_table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0][1:], [r[0] for r in rows[1:]], np.array([[float(v) if v != "" else np.nan for v in r[1:]] for r in rows[1:]])


def logit(p):
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(q / (1 - q))


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_scaling(z, y, bias):
    """Minimises the log loss of softmax(a·z + b) over a (and b with bias)."""
    k = z.shape[1]

    def loss(theta):
        p = softmax(theta[0] * z + (theta[1:] if bias else 0))
        return -np.log(np.clip(p[np.arange(len(y)), y], 1e-300, 1)).mean()

    r = minimize(loss, np.r_[1.0, np.zeros(k if bias else 0)], method="L-BFGS-B")
    return lambda zz: softmax(r.x[0] * zz + (r.x[1:] if bias else 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--scores")
    ap.add_argument("--decisions")
    a = ap.parse_args()
    with open(a.data + "/labels.csv", newline="") as f:
        tags = next(csv.reader(f))[1:]
    cols, ids_tr, xtr = read_table(a.data + "/train_X.csv")
    _, ids_te, xte = read_table(a.data + "/test_X.csv")
    ycols, yids_tr, ytr = read_table(a.data + "/train_y.csv")
    _, yids_te, yte = read_table(a.data + "/test_y.csv")
    def classes(yids, y, ids):
        pos = {i: n for n, i in enumerate(yids)}
        order = [ycols.index(t) for t in tags]
        m = y[[pos[i] for i in ids]][:, order]
        assert (m.sum(axis=1) == 1).all(), "every y row must have exactly one label"
        return m.argmax(axis=1)
    ctr, cte = classes(yids_tr, ytr, ids_tr), classes(yids_te, yte, ids_te)
    labels = list(range(len(tags)))
    nets = sorted({c.split(":")[0] for c in cols if ":" in c and c.split(":", 1)[1] in tags}, key=lambda n: cols.index(n + ":" + tags[0]))
    def source(x, net):
        return np.column_stack([x[:, cols.index(t if net is None else net + ":" + t)] for t in tags])
    prim_tr, prim_te = source(xtr, None), source(xte, None)
    rows = []
    prior = (np.bincount(ctr, minlength=len(tags)) + 1) / (len(ctr) + len(tags))
    rows.append(("class prior (training frequencies + 1)", np.tile(prior, (len(cte), 1))))
    rows.append(("primary network renormalised", prim_te / prim_te.sum(axis=1, keepdims=True)))
    rows.append(("primary, temperature scaling", fit_scaling(logit(prim_tr), ctr, False)(logit(prim_te))))
    rows.append(("primary, vector scaling", fit_scaling(logit(prim_tr), ctr, True)(logit(prim_te))))
    if nets:
        mean_tr = np.mean([logit(source(xtr, n)) for n in [None] + nets], axis=0)
        mean_te = np.mean([logit(source(xte, n)) for n in [None] + nets], axis=0)
        rows.append((f"mean of the {1 + len(nets)} networks' logits, temperature scaling", fit_scaling(mean_tr, ctr, False)(mean_te)))
    all_tr = np.column_stack([logit(source(xtr, n)) for n in [None] + nets])
    all_te = np.column_stack([logit(source(xte, n)) for n in [None] + nets])
    sc = StandardScaler().fit(all_tr)
    groups = None
    try:
        gcols, gids, _ = read_table(a.data + "/train_groups.csv")
    except (FileNotFoundError, ValueError):
        gids = None
    if gids is not None:
        with open(a.data + "/train_groups.csv", newline="") as f:
            g = {r[0]: r[1] for r in list(csv.reader(f))[1:]}
        groups = [g[i] for i in ids_tr]
    folds = list((GroupKFold(3).split(all_tr, ctr, groups) if groups else KFold(3, shuffle=True, random_state=0).split(all_tr)))
    best = None
    for C in [1e-4, 1e-3, 1e-2, 1e-1]:
        ll = 0.0
        for tr, va in folds:
            m = LogisticRegression(C=C, max_iter=2000).fit(sc.transform(all_tr[tr]), ctr[tr])
            p = np.zeros((len(va), len(tags)))
            p[:, m.classes_] = m.predict_proba(sc.transform(all_tr[va]))
            p = np.clip(p, 1e-15, 1); p /= p.sum(axis=1, keepdims=True)
            ll += log_loss(ctr[va], p, labels=labels) * len(va)
        if best is None or ll < best[0]:
            best = (ll, C)
    m = LogisticRegression(C=best[1], max_iter=2000).fit(sc.transform(all_tr), ctr)
    p = np.zeros((len(cte), len(tags)))
    p[:, m.classes_] = m.predict_proba(sc.transform(all_te))
    rows.append((f"multinomial LR on all networks' logits (C={best[1]:g} by 3-fold CV)", p))
    if a.scores:
        scols, sids, s = read_table(a.scores)
        assert scols == tags and sids == ids_te, "P.csv must have the labels' columns and test_X's rows"
        assert (s >= 0).all() and (s <= 1).all(), "probabilities outside [0, 1]"
        worst = np.abs(s.sum(axis=1) - 1).max()
        assert worst <= 1e-12, f"a row sums to 1 ± {worst:g}"
        rows.append(("TagStack", s))
    print("| model | test log loss | argmax accuracy |")
    print("|---|---|---|")
    for name, p in rows:
        print(f"| {name} | {log_loss(cte, p, labels=labels):.3f} | {accuracy_score(cte, p.argmax(axis=1)):.3f} |")
    if a.decisions:
        dcols, dids, d = read_table(a.decisions)
        assert dcols == tags and dids == ids_te and (d.sum(axis=1) == 1).all(), "D.csv must have exactly one 1 a row"
        print(f"TagStack decisions: exactly one a track; accuracy {accuracy_score(cte, d.argmax(axis=1)):.3f}")


if __name__ == "__main__":
    sys.exit(main())
