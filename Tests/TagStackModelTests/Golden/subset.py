#!/usr/bin/env python3
"""Cuts generated Mewo-shaped data down to a few tags for the golden models (standard library only).

usage: subset.py SRC_DIR DST_DIR

Keeps the tags of a few small categories (two genre, two instrument and one mood category, plus one mood
tag alone in its category), their category columns and extra-network columns; writes labels.csv,
train_X.csv, train_y.csv, train_groups.csv and input_X.csv (the test rows plus hand-made edge rows:
ties, a constant class, scores of exactly 0 and 1, a missing network score).
"""
import csv, sys

src, dst = sys.argv[1], sys.argv[2]
CATS = ["genres-c04", "genres-c05", "instruments-c02", "instruments-c04", "moods-c07"]

rows = list(csv.reader(open(f"{src}/labels.csv", newline="")))
tags, cats, classes = rows[0][1:], rows[1][1:], rows[2][1:]
keep = [k for k, c in enumerate(cats) if c in CATS]
lone = next(k for k, c in enumerate(cats) if c.startswith("moods-") and c not in CATS)
keep.append(lone)
ktags = [tags[k] for k in keep]
kcats = [cats[k] for k in keep]
with open(f"{dst}/labels.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow([""] + ktags)
    w.writerow(["category"] + kcats)
    w.writerow(["class"] + [classes[k] for k in keep])

def cut(name, out, wanted):
    with open(f"{src}/{name}", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        idx = [0] + [j for j, c in enumerate(header) if wanted(c)]
        body = [[row[j] for j in idx] for row in r]
    with open(f"{dst}/{out}", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([header[j] for j in idx])
        w.writerows(body)
    return [header[j] for j in idx], body

tagset, catset = set(ktags), set(kcats)
xcol = lambda c: c in tagset or c in catset or (":" in c and c.split(":", 1)[1] in tagset)
cut("train_X.csv", "train_X.csv", xcol)
cut("train_y.csv", "train_y.csv", lambda c: c in tagset)
with open(f"{src}/train_groups.csv") as f, open(f"{dst}/train_groups.csv", "w") as g:
    g.write(f.read())
header, body = cut("test_X.csv", "input_X.csv", xcol)

# Edge rows, built from the first test row.
cols = header[1:]
base = body[0][1:]
def row(name, change):
    v = list(base)
    for j, c in enumerate(cols):
        r = change(c, v[j])
        if r is not None:
            v[j] = r
    return [name] + v
genres = [t for t in ktags if t.startswith("genres-")]
edge = [
    # every genre scores the same: ties share the best rank, class z-score is 0 (sd = 0)
    row("edge-constant-class", lambda c, x: "0.25" if c in genres else None),
    # two genres tie for the top, exact 0 and 1 scores (logit clipped to 1e-7 and 1 - 1e-7)
    row("edge-ties-0-1", lambda c, x: "0.9" if c in genres[:2] else ("0" if c in genres[2:3] else ("1" if c in genres[3:4] else None))),
    # missing extra-network scores (NaN: routed by the trees' default side; skipped by mean_quantile)
    row("edge-missing-network", lambda c, x: "" if ":" in c else None),
    # scores outside the training range of every quantile map
    row("edge-extremes", lambda c, x: ("0" if sum(map(ord, c)) % 2 else "1") if c in tagset else None),
]
with open(f"{dst}/input_X.csv", "a", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(edge)
