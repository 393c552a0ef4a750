#!/usr/bin/env python3
"""Expected metric values from scikit-learn, for Tests/TagStackTests/Evaluation/MetricsTests.swift.

Setup (once; values in the tests were made with scikit-learn 1.9.1, numpy 2.4.6, pandas 3.1.1, Python 3.11):
    python3 -m venv /tmp/skl-venv && /tmp/skl-venv/bin/pip install scikit-learn==1.9.1 pandas

Usage:
    /tmp/skl-venv/bin/python Scripts/sklearn_metrics.py fixtures Tests/TagStackTests/Fixtures/metrics/cases.json
        Writes small hand-made and seeded random cases (inputs + sklearn's expected values).
    /tmp/skl-venv/bin/python Scripts/sklearn_metrics.py real ../shared/data/jamendo-moodtheme
        Prints sklearn's metrics on the real test set for (a) decisions score >= 0.2 and (b) the thresholds
        of the F1 search (the same rule as Sources/TagStack/ThresholdSearch.swift, re-implemented here in
        numpy) fitted on train_X/train_y and applied to test_X. Scores are the columns of X named like the
        tags of labels.csv; rows of X are matched to y by ChallengeID.

    python3 Scripts/sklearn_metrics.py one_label_fixtures Tests/TagStackTests/Fixtures/metrics/one_label.json
        Writes seeded one-label cases and sklearn's multiclass metrics (log_loss, accuracy,
        top_k_accuracy_score k=3, f1_score macro/weighted with labels=every label, confusion_matrix).

Definitions (what TagStack's Metrics computes; each is sklearn with its defaults):
    weighted_f1 / macro_* / micro_*:  precision_recall_fscore_support on the multilabel indicator matrices
                                      (zero_division="warn", i.e. 0 on a zero denominator)
    roc_auc:  mean over tags with >= 1 positive and >= 1 negative of roc_auc_score(y[:, j], s[:, j])
    pr_auc:   mean over tags with >= 1 positive of average_precision_score(y[:, j], s[:, j])
    log_loss: mean over all tags of log_loss(y[:, j], s[:, j], labels=[0, 1])
"""
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (average_precision_score, f1_score, log_loss, precision_recall_fscore_support,
                             precision_score, recall_score, roc_auc_score)


def expected(Y, D, S):
    """Summary and per-tag expected values; S may be None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {
            "weighted_f1": f1_score(Y, D, average="weighted"),
            "macro_f1": f1_score(Y, D, average="macro"),
            "micro_f1": f1_score(Y, D, average="micro"),
            "macro_precision": precision_score(Y, D, average="macro"),
            "macro_recall": recall_score(Y, D, average="macro"),
            "micro_precision": precision_score(Y, D, average="micro"),
            "micro_recall": recall_score(Y, D, average="micro"),
        }
        p, r, f, sup = precision_recall_fscore_support(Y, D, average=None)
        per_tag = []
        for j in range(Y.shape[1]):
            y, d = Y[:, j], D[:, j]
            row = {"support": int(sup[j]), "tp": int(((y == 1) & (d == 1)).sum()),
                   "fp": int(((y == 0) & (d == 1)).sum()), "fn": int(((y == 1) & (d == 0)).sum()),
                   "precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
                   "roc_auc": None, "pr_auc": None, "log_loss": None}
            if S is not None:
                s = S[:, j]
                if y.sum() > 0:
                    row["pr_auc"] = float(average_precision_score(y, s))
                    if (y == 0).sum() > 0:
                        row["roc_auc"] = float(roc_auc_score(y, s))
                row["log_loss"] = float(log_loss(y, s, labels=[0, 1]))
            per_tag.append(row)
        if S is not None:
            pr = [t["pr_auc"] for t in per_tag if t["pr_auc"] is not None]
            roc = [t["roc_auc"] for t in per_tag if t["roc_auc"] is not None]
            out["pr_auc"] = float(np.mean(pr)) if pr else None
            out["roc_auc"] = float(np.mean(roc)) if roc else None
            out["pr_auc_tags"] = len(pr)
            out["roc_auc_tags"] = len(roc)
            out["log_loss"] = float(np.mean([t["log_loss"] for t in per_tag]))
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}, per_tag


def case(name, Y, D, S=None):
    Y = np.asarray(Y, dtype=np.int64)
    D = np.asarray(D, dtype=np.int64)
    S = None if S is None else np.asarray(S, dtype=np.float64)
    summary, per_tag = expected(Y, D, S)
    n, t = Y.shape
    return {"name": name, "rows": n, "tags": [f"t{j}" for j in range(t)],
            "truth": Y.ravel().tolist(), "decisions": D.ravel().tolist(),
            "scores": None if S is None else S.ravel().tolist(),
            "expected": summary, "per_tag": per_tag}


def fixtures(path):
    cases = []
    # Hand-made: 4 rows x 3 tags, no scores.
    cases.append(case("hand_small",
                      [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]],
                      [[1, 1, 1], [0, 1, 0], [0, 1, 0], [1, 0, 1]]))
    # Hand-made edges. Tags: 0 no support but predicted; 1 support, never predicted; 2 neither;
    # 3 every row positive; 4 ordinary with ties across classes and scores exactly 0 and 1 (log-loss clip).
    Y = [[0, 1, 0, 1, 1], [0, 0, 0, 1, 0], [0, 1, 0, 1, 1], [0, 0, 0, 1, 0], [0, 1, 0, 1, 0], [0, 0, 0, 1, 1]]
    D = [[1, 0, 0, 1, 1], [0, 0, 0, 1, 1], [1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 1], [0, 0, 0, 1, 0]]
    S = [[0.9, 0.3, 0.0, 1.0, 1.0], [0.2, 0.3, 0.1, 0.7, 0.5], [0.8, 0.1, 0.0, 0.7, 0.5],
         [0.1, 0.3, 0.2, 0.9, 0.0], [0.4, 0.6, 0.0, 0.8, 0.5], [0.0, 0.2, 0.1, 0.6, 0.0]]
    cases.append(case("hand_edges", Y, D, S))
    # No support anywhere: weighted F1 falls back to the plain mean (all zeros); no AUC is defined.
    cases.append(case("no_support", [[0, 0], [0, 0], [0, 0]], [[1, 0], [0, 0], [1, 1]],
                      [[0.7, 0.1], [0.2, 0.0], [0.9, 1.0]]))
    # Seeded random cases with many tied scores and a range of prevalences (one tag with none).
    rng = np.random.default_rng(20240611)
    for name, n, t, decimals in [("random_50x8", 50, 8, 1), ("random_200x12", 200, 12, 2),
                                 ("random_500x6", 500, 6, 4)]:
        prev = rng.uniform(0.02, 0.6, size=t)
        prev[t // 2] = 0.0
        Y = (rng.uniform(size=(n, t)) < prev).astype(np.int64)
        S = np.clip(0.35 * Y + rng.uniform(size=(n, t)) * 0.7, 0, 1).round(decimals)
        D = (S >= 0.5).astype(np.int64)
        flip = rng.uniform(size=(n, t)) < 0.05
        D[flip] = 1 - D[flip]
        cases.append(case(name, Y, D, S))
    doc = {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
           "command": "Scripts/sklearn_metrics.py fixtures " + path, "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path} (sklearn {sklearn.__version__})")


def best_thresholds(S, Y):
    """Per tag: the F1-maximising threshold under the ThresholdSearch.swift rule (None = never)."""
    out = []
    for j in range(Y.shape[1]):
        s, y = S[:, j], Y[:, j]
        p = int(y.sum())
        if p == 0:
            out.append(None)
            continue
        order = np.argsort(-s, kind="mergesort")
        ss, yy = s[order], y[order]
        last = np.r_[np.nonzero(np.diff(ss))[0], len(ss) - 1]   # last index of each distinct-score group
        tp = np.cumsum(yy)[last]
        pred = last + 1
        f1 = 2 * tp / (pred + p)
        k = int(np.argmax(f1))   # first maximum = highest threshold among exact ties
        a = ss[last[k]]
        t = a
        if k + 1 < len(last):
            b = ss[last[k + 1]]
            mid = a / 2 + b / 2
            if b < mid <= a:
                t = mid
        out.append(float(t))
    return out


def real(data):
    import pandas as pd
    labels = pd.read_csv(f"{data}/labels.csv", index_col=0, dtype=str)
    tags = list(labels.columns)

    def load(split):
        X = pd.read_csv(f"{data}/{split}_X.csv", dtype={"ChallengeID": str}).set_index("ChallengeID")
        y = pd.read_csv(f"{data}/{split}_y.csv", dtype={"ChallengeID": str}).set_index("ChallengeID")
        return X.loc[y.index, tags].to_numpy(np.float64), y[tags].to_numpy(np.int64)

    Str, Ytr = load("train")
    Ste, Yte = load("test")
    print(f"# sklearn {sklearn.__version__}, numpy {np.__version__}; test {Ste.shape}, train {Str.shape}")
    for name, D in [("threshold_0.2", (Ste >= 0.2).astype(np.int64)), ("search_on_train", None)]:
        if D is None:
            th = best_thresholds(Str, Ytr)
            D = np.zeros_like(Yte)
            for j, t in enumerate(th):
                if t is not None:
                    D[:, j] = Ste[:, j] >= t
            never = sum(t is None for t in th)
            print(f"# thresholds: {len(th)} tags, {never} never; first 3: {th[:3]}; "
                  f"sum of finite: {sum(t for t in th if t is not None)!r}")
        summary, _ = expected(Yte, D, Ste)
        print(f"# {name}: predicted {int(D.sum())}")
        for k, v in summary.items():
            print(f"    {k}: {v!r}")


def one_label_fixtures(path):
    """One label a track: seeded random cases (truth, decisions one-hot; scores rows summing to one, some with
    ties and exact zeros) and sklearn's multiclass log_loss, accuracy, top-3 accuracy, macro / weighted F1
    (labels = every label) and confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, top_k_accuracy_score
    rng = np.random.default_rng(22)
    cases = []
    for n, t in [(40, 4), (120, 7), (60, 12)]:
        y = rng.integers(0, t, n)
        y[:t - 1] = np.arange(t - 1)          # the last label may be absent from the truth
        s = rng.random((n, t)) ** 3
        s[0] = 1.0 / t                          # a row of ties
        s[1, :] = 0; s[1, y[1]] = 1             # exact 0 and 1
        s[2, :] = 0; s[2, (y[2] + 1) % t] = 1   # a confident miss (clipped at eps)
        s = s / s.sum(axis=1, keepdims=True)
        d = s.argmax(axis=1)
        d[5] = (y[5] + 1) % t
        labels = list(range(t))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cases.append({
                "rows": n, "tags": t, "classes": y.tolist(), "decided": d.tolist(), "scores": s.ravel().tolist(),
                "log_loss": log_loss(y, s, labels=labels), "accuracy": accuracy_score(y, d),
                "top_3_accuracy": top_k_accuracy_score(y, s, k=3, labels=labels),
                "macro_f1": f1_score(y, d, average="macro", labels=labels),
                "weighted_f1": f1_score(y, d, average="weighted", labels=labels),
                "confusion": confusion_matrix(y, d, labels=labels).tolist(),
            })
    with open(path, "w") as f:
        json.dump({"sklearn_version": sklearn.__version__, "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fixtures", "real", "one_label_fixtures"):
        sys.exit(__doc__)
    {"fixtures": fixtures, "real": real, "one_label_fixtures": one_label_fixtures}[sys.argv[1]](sys.argv[2])
