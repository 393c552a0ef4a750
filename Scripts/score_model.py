#!/usr/bin/env python3
"""A second scorer for TagStack model files, written from docs/MODEL_FORMAT.md (standard library only).

usage: python3 Scripts/score_model.py --model M.json --input X.csv --scores OUT.csv [--decisions OUT.csv]

X.csv: `ChallengeID` then input columns, in any order (extra columns are ignored; an empty cell or `nan` is
a missing value). Writes probabilities (and 0/1 decisions) in the y layout: `ChallengeID` then one column per
tag in the model's tag order. Agrees with the Swift scorer to 1e-12 (Tests/TagStackCLITests/PythonScorerTests).
Exit codes: 0 success, 1 model or data error (the message names the field or column), 2 usage error.
"""
import argparse
import csv
import json
import math
import sys

FORMAT = "tagstack-model"
SUPPORTED_VERSIONS = (1, 4)
EPS = 1e-7
PER_TAG = {"score", "logit", "class_rank", "class_z", "class_max", "class_mean", "gap_to_class_max",
           "category_mean_others", "category_max_others", "category_score", "mean_quantile"}


class ModelError(Exception):
    pass


def need(obj, key, path):
    if not isinstance(obj, dict) or key not in obj:
        raise ModelError(f"model is missing the field '{path + '.' if path else ''}{key}'")
    return obj[key]


def distinct(xs):
    seen, out = set(), []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def groups(keys):
    slot, out = {}, []
    for i, k in enumerate(keys):
        if k in slot:
            out[slot[k]].append(i)
        else:
            slot[k] = len(out)
            out.append([i])
    return out


def clipped_logit(p):
    if math.isnan(p):
        return 0.0  # a missing own score: the logit of 1/2, as TagStackModel's clippedLogit
    q = min(max(p, EPS), 1 - EPS)
    return math.log(q / (1 - q))


def calibration_logit(q):
    """MODEL_FORMAT.md, Calibration: the logit on [1e-7, 1 - 1e-7], continued strictly increasingly outside."""
    if math.isnan(q):
        return 0.0
    lo, hi = EPS, 1 - EPS
    if q < lo:
        return math.log(lo / (1 - lo)) - math.log1p((lo - q) / lo)
    if q > hi:
        return math.log(hi / (1 - hi)) + math.log1p((q - hi) / (1 - hi))
    return math.log(q / (1 - q))


def sigmoid(x):
    if math.isnan(x):
        return 0.5
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def quantile(knots, x):
    """Piecewise-linear empirical CDF (MODEL_FORMAT.md, Quantile maps)."""
    if math.isnan(x):
        return math.nan
    k = len(knots) - 1
    if x < knots[0]:
        return 0.0
    if x >= knots[k]:
        return 1.0
    lo, hi = 0, k
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if knots[mid] <= x:
            lo = mid
        else:
            hi = mid
    span = knots[lo + 1] - knots[lo]
    frac = (x - knots[lo]) / span if span > 0 else 0.0
    return (lo + frac) / k


def check_tree(tree, where):
    """Every node but the root, and every leaf, has exactly one parent, children after parents (TagStackModel's Tree)."""
    left, right = tree["left_child"], tree["right_child"]
    n = len(left)
    if len(right) != n or len(tree["leaf_value"]) != n + 1:
        raise ModelError(f"{where}: node arrays do not match")
    parents = [0] * (2 * n + 1)
    for i in range(n):
        for c in (left[i], right[i]):
            if not isinstance(c, int) or (c >= 0 and not i < c < n) or (c < 0 and ~c > n):
                raise ModelError(f"{where}: node {i} has child {c} out of range or not after it")
            slot = c if c >= 0 else n + ~c
            if parents[slot]:
                raise ModelError(f"{where}: {'node' if c >= 0 else 'leaf'} {c if c >= 0 else ~c} has more than one parent: not a tree")
            parents[slot] = 1


def tree_output(tree, f):
    split, thr = tree["split_feature"], tree["threshold"]
    left, right, dleft = tree["left_child"], tree["right_child"], tree["default_left"]
    if not split:
        return tree["leaf_value"][0]
    node = 0
    while node >= 0:
        v = f[split[node]]
        go_left = dleft[node] if math.isnan(v) else v <= thr[node]
        node = left[node] if go_left else right[node]
    return tree["leaf_value"][~node]


class Model:
    def __init__(self, m):
        fmt = need(m, "format", "")
        if fmt != FORMAT:
            raise ModelError(f"not a TagStack model: format is '{fmt}', expected '{FORMAT}'")
        version = need(m, "format_version", "")
        if not (SUPPORTED_VERSIONS[0] <= version <= SUPPORTED_VERSIONS[1]):
            raise ModelError(f"model format_version {version} is not supported (this scorer reads "
                             f"{SUPPORTED_VERSIONS[0]}...{SUPPORTED_VERSIONS[1]})")
        labels = need(m, "labels", "")
        self.tags = need(labels, "tags", "labels")
        self.tag_categories = need(labels, "categories", "labels")
        self.tag_classes = need(labels, "classes", "labels")
        self.categories = distinct(self.tag_categories)
        self.class_members = groups(self.tag_classes)
        self.category_members = groups(self.tag_categories)
        self.class_of = [0] * len(self.tags)
        for c, members in enumerate(self.class_members):
            for k in members:
                self.class_of[k] = c
        self.category_of = [0] * len(self.tags)
        for g, members in enumerate(self.category_members):
            for k in members:
                self.category_of[k] = g
        self.inputs = need(m, "input_columns", "")
        self.entries = need(m, "tags", "")
        if len(self.entries) != len(self.tags):
            raise ModelError(f"model has {len(self.entries)} tag entries for {len(self.tags)} labels")
        for k, t in enumerate(self.entries):
            for key in ("name", "path", "threshold"):
                need(t, key, f"tags.[{k}]")
            if t["name"] != self.tags[k]:
                raise ModelError(f"tags[{k}].name is '{t['name']}'; labels.tags[{k}] is '{self.tags[k]}'")
            if t["path"] == "stacked":
                if "booster" in t:
                    need(t, "init_score", f"tags.[{k}]")
                    b = t["booster"]
                    need(b, "base_score", f"tags.[{k}].booster")
                    for i, tree in enumerate(need(b, "trees", f"tags.[{k}].booster")):
                        for key in ("split_feature", "threshold", "left_child", "right_child", "default_left", "leaf_value"):
                            need(tree, key, f"tags.[{k}].booster.trees.[{i}]")
                        check_tree(tree, f"tags.[{k}].booster.trees.[{i}]")
                else:
                    lin = need(t, "linear", f"tags.[{k}]")
                    for key in ("intercept", "weights", "means", "scales"):
                        need(lin, key, f"tags.[{k}].linear")
                    for j, sc in enumerate(lin["scales"]):
                        if not (isinstance(sc, (int, float)) and math.isfinite(sc) and sc > 0):
                            raise ModelError(f"tags[{k}] ('{t['name']}'): linear.scales[{j}] is {sc}; scales must be finite and > 0")
            elif t["path"] == "pooled" and version >= 2:
                values = need(t, "tag_values", f"tags.[{k}]")
                pooled = need(m, "pooled", "")
                if len(values) != len(need(pooled, "tag_features", "pooled")):
                    raise ModelError(f"tags[{k}] ('{t['name']}'): {len(values)} tag_values for "
                                     f"{len(pooled['tag_features'])} pooled.tag_features")
            elif t["path"] != "raw":
                raise ModelError(f"tags[{k}].path is '{t['path']}', expected raw, stacked"
                                 + (" or pooled" if version >= 2 else ""))
        self.decision = need(m, "decision", "")
        self.hierarchy = None
        if self.decision == "hierarchical":
            self.hierarchy = need(m, "hierarchy", "")
        self.features = m.get("features")
        self.stacked = any(t["path"] != "raw" for t in self.entries)
        # The base score (format version 3): every raw tag's score, and where base_logit trees start.
        self.base = m.get("base")
        if self.base is not None:
            if version < 3:
                raise ModelError("'base' needs format_version 3")
            kind = need(self.base, "kind", "base")
            if kind not in ("primary", "mean", "logit_mean", "blend"):
                raise ModelError(f"unknown base kind '{kind}'")
            need(self.base, "networks", "base")
            if kind == "blend":
                if len(need(self.base, "weights", "base")) != len(self.base["networks"]) + 1:
                    raise ModelError("base.weights needs one weight per source")
                if len(need(self.base, "intercepts", "base")) != len(self.tags):
                    raise ModelError("base.intercepts needs one intercept per tag")
            if kind == "primary":
                self.base = None
        self.calibrations = [t.get("calibration") for t in self.entries]
        for k, (t, c) in enumerate(zip(self.entries, self.calibrations)):
            if c is None:
                continue
            if version < 3:
                raise ModelError(f"tags[{k}] ('{t['name']}'): 'calibration' needs format_version 3")
            if not isinstance(c, dict) or not all(isinstance(c.get(f), (int, float)) and not isinstance(c.get(f), bool)
                                                  for f in ("slope", "intercept")):
                raise ModelError(f"tags[{k}] ('{t['name']}'): calibration needs numbers 'slope' and 'intercept'")
            if not (math.isfinite(c["slope"]) and c["slope"] > 0 and math.isfinite(c["intercept"])):
                raise ModelError(f"tags[{k}] ('{t['name']}'): calibration needs a finite slope > 0 and a finite intercept")
        starts = [(f"tags[{k}].init_score", t["init_score"]) for k, t in enumerate(self.entries) if "init_score" in t]
        if any(t["path"] == "pooled" for t in self.entries) and isinstance(m.get("pooled"), dict) and "init_score" in m["pooled"]:
            starts.append(("pooled.init_score", m["pooled"]["init_score"]))
        for where, v in starts:
            if v not in ("own_logit", "base_logit", "base_score"):
                raise ModelError(f"{where} is '{v}', expected own_logit, base_logit or base_score")
            if v == "base_logit" and version < 3:
                raise ModelError(f"{where} 'base_logit' needs format_version 3")
        if self.base is not None:
            b = self.base
            numbers = lambda xs: isinstance(xs, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in xs)
            if b["kind"] != "blend" and ("weights" in b or "intercepts" in b):
                raise ModelError(f"base '{b['kind']}' has no weights or intercepts")
            if b["kind"] == "blend" and not (numbers(b["weights"]) and numbers(b["intercepts"])):
                raise ModelError("base: weights and intercepts must be finite numbers")
        self.pooled = None
        if any(t["path"] == "pooled" for t in self.entries):
            self.pooled = need(m, "pooled", "")
            need(self.pooled, "init_score", "pooled")
            b = need(self.pooled, "booster", "pooled")
            need(b, "base_score", "pooled.booster")
            for i, tree in enumerate(need(b, "trees", "pooled.booster")):
                for key in ("split_feature", "threshold", "left_child", "right_child", "default_left", "leaf_value"):
                    need(tree, key, f"pooled.booster.trees.[{i}]")
                check_tree(tree, f"pooled.booster.trees.[{i}]")
        if self.stacked:
            f = need(m, "features", "")
            self.kinds = need(f, "per_tag", "features")
            self.shared = need(f, "shared_columns", "features")
            self.networks = need(f, "networks", "features")
            self.quantiles = {name: need(q, "knots", f"features.quantiles.{name}")
                              for name, q in need(f, "quantiles", "features").items()}
            for k, kind in enumerate(self.kinds):
                if kind not in PER_TAG and not (kind.startswith("net:") and kind[4:] in self.networks):
                    raise ModelError(f"unknown feature '{kind}' at features.per_tag[{k}]")

    def bind(self, columns):
        """Column positions in the caller's header for every model input (raises naming absent columns)."""
        index = {}
        for j, c in enumerate(columns):
            index.setdefault(c, j)
        missing = [c for c in self.inputs if c not in index]
        if missing:
            raise ModelError(f"input lacks {len(missing)} column(s) the model needs: "
                             + ", ".join(f"'{c}'" for c in missing[:10]) + (", ..." if len(missing) > 10 else ""))
        self.col = index

    def base_scores(self, row):
        """Every tag's base score (MODEL_FORMAT.md, Base score); None without a base."""
        if self.base is None:
            return None
        b, out = self.base, []
        for k, tag in enumerate(self.tags):
            src = [row.get(c, math.nan)
                   for c in [tag] + [n + ":" + tag for n in b["networks"]]]
            kind = b["kind"]
            if kind == "mean" or kind == "logit_mean":
                total, n = 0.0, 0
                for v in src:
                    if not math.isnan(v):
                        total += v if kind == "mean" else clipped_logit(v)
                        n += 1
                if n and kind == "mean" and not math.isfinite(total):
                    total = 0.0   # finite values whose sum overflows: add them already divided
                    for v in src:
                        if not math.isnan(v):
                            total += v / n
                    out.append(total)
                    continue
                out.append(math.nan if n == 0 else (total / n if kind == "mean" else sigmoid(total / n)))
            else:  # blend
                z = b["intercepts"][k]
                for j, v in enumerate(src):
                    if not math.isnan(v):
                        z += b["weights"][j] * clipped_logit(v)
                out.append(sigmoid(z))
        return out

    def calibrate(self, scores):
        """The probabilities written out (MODEL_FORMAT.md, Calibration): each tag's calibration of its score, or
        the score clamped to [0, 1]."""
        out = []
        for s, c in zip(scores, self.calibrations):
            if c is not None:
                out.append(sigmoid(c["slope"] * calibration_logit(s) + c["intercept"]))
            else:
                out.append(min(s, 1.0) if s >= 0 else 0.0)   # rawProbability: NaN gives 0
        return out

    def probabilities(self, row):
        """`row` maps column name → value. Returns one score per tag before calibration, what the thresholds
        compare (MODEL_FORMAT.md, Scoring); `calibrate` turns them into the probabilities written out."""
        s = [row[t] for t in self.tags]
        base = self.base_scores(row)
        if not self.stacked:
            return s if base is None else base
        # Class statistics.
        cmax, cmean, csd, rank = [], [], [], [0.0] * len(s)
        for members in self.class_members:
            mx, total = -math.inf, 0.0
            for k in members:
                mx = max(mx, s[k])
                total += s[k]
            mean = total / len(members)
            ss = 0.0
            for k in members:
                d = s[k] - mean
                ss += d * d
            cmax.append(mx)
            cmean.append(mean)
            csd.append(math.sqrt(ss / len(members)))
            denom = max(len(members) - 1, 1)
            for k in members:
                rank[k] = sum(1 for u in members if s[u] > s[k]) / denom
        # Category statistics.
        csum, cm1, cm2, carg = [], [], [], []
        for members in self.category_members:
            total, m1, m2, arg = 0.0, -math.inf, -math.inf, -1
            for k in members:
                total += s[k]
                if s[k] > m1:
                    m2, m1, arg = m1, s[k], k
                elif s[k] > m2:
                    m2 = s[k]
            csum.append(total)
            cm1.append(m1)
            cm2.append(m2)
            carg.append(arg)
        out = []
        for k, entry in enumerate(self.entries):
            if entry["path"] == "raw":
                out.append(s[k] if base is None else base[k])
                continue
            f = self.tag_features(k, row, s, cmax, cmean, csd, rank, csum, cm1, cm2, carg)
            if entry["path"] == "pooled":
                # The tag's feature vector, then its tag-level values; the shared ensemble.
                f = f + entry["tag_values"]
                b = self.pooled["booster"]
                raw = self.start(self.pooled["init_score"], s[k], base, k, b)
                for tree in b["trees"]:
                    raw += tree_output(tree, f)
                out.append(sigmoid(raw))
            elif "booster" in entry:
                b = entry["booster"]
                raw = self.start(entry["init_score"], s[k], base, k, b)
                for tree in b["trees"]:
                    raw += tree_output(tree, f)
                out.append(sigmoid(raw))
            else:
                lin = entry["linear"]
                z = lin["intercept"]
                for j, w in enumerate(lin["weights"]):
                    if math.isfinite(f[j]):
                        d = f[j] - lin["means"][j]
                        z += (w * d / lin["scales"][j] if math.isfinite(d)
                              else w * (f[j] / lin["scales"][j] - lin["means"][j] / lin["scales"][j]))
                out.append(sigmoid(z))
        return out

    @staticmethod
    def start(init_score, own, base, k, booster):
        """Where a boosted tag's raw score starts (MODEL_FORMAT.md, init_score)."""
        if init_score == "own_logit":
            return clipped_logit(own)
        if init_score == "base_logit":
            return clipped_logit(own if base is None else base[k])
        return booster["base_score"]

    def tag_features(self, t, row, s, cmax, cmean, csd, rank, csum, cm1, cm2, carg):
        c, g = self.class_of[t], self.category_of[t]
        name, cat = self.tags[t], self.categories[self.category_of[t]]
        n_cat = len(self.category_members[g])
        f = []
        for kind in self.kinds:
            if kind == "score":
                v = s[t]
            elif kind == "logit":
                v = math.nan if math.isnan(s[t]) else clipped_logit(s[t])   # a missing score stays missing
            elif kind == "class_rank":
                v = rank[t]
            elif kind == "class_z":
                v = 0.0 if csd[c] < 1e-12 else (s[t] - cmean[c]) / csd[c]
            elif kind == "class_max":
                v = cmax[c]
            elif kind == "class_mean":
                v = cmean[c]
            elif kind == "gap_to_class_max":
                v = cmax[c] - s[t]
            elif kind == "category_mean_others":
                v = (csum[g] - s[t]) / (n_cat - 1) if n_cat > 1 else 0.0
            elif kind == "category_max_others":
                v = (cm2[g] if carg[g] == t else cm1[g]) if n_cat > 1 else 0.0
            elif kind == "category_score":
                v = row.get(cat, math.nan)
            elif kind.startswith("net:"):
                v = row.get(kind[4:] + ":" + name, math.nan)
            else:  # mean_quantile
                total, count = 0.0, 0
                for column in [name] + [n + ":" + name for n in self.networks]:
                    knots = self.quantiles.get(column)
                    x = row.get(column, math.nan)
                    if knots is None or math.isnan(x):
                        continue
                    total += quantile(knots, x)
                    count += 1
                v = total / count if count else math.nan
            f.append(v)
        f.extend(row[c] for c in self.shared)
        return f

    def decide(self, p, row):
        """0/1 per tag with the model's decision rule (MODEL_FORMAT.md, Decisions)."""
        th = [t["threshold"] for t in self.entries]
        d = [1 if th[k] is not None and p[k] >= th[k] else 0 for k in range(len(p))]

        def force_one(group):
            best, best_ratio = -1, -math.inf
            for k in group:
                if d[k] == 1:
                    return
                if th[k] is None:
                    continue
                ratio = p[k] / th[k] if th[k] > 0 else (math.inf if p[k] >= th[k] else -math.inf)
                if ratio > best_ratio:
                    best, best_ratio = k, ratio
            if best >= 0:
                d[best] = 1

        if self.decision == "at_least_one_per_track":
            force_one(range(len(p)))
        elif self.decision == "at_least_one_per_class":
            for members in self.class_members:
                force_one(members)
        elif self.decision == "hierarchical":
            h = self.hierarchy
            for g, members in enumerate(self.category_members):
                t = h["thresholds"][g]
                if t is None:
                    continue
                if h["source"] == "column":
                    score = row.get(self.categories[g], math.nan)
                else:
                    score = max(p[k] for k in members)
                if not score >= t:
                    for k in members:
                        d[k] = 0
        elif self.decision != "thresholds":
            raise ModelError(f"unknown decision rule '{self.decision}'")
        return d


def one_label_probabilities(stage, tags, scores, row):
    """MODEL_FORMAT.md, One label a track: the stage `one_label` (format version 4) turns the tags' scores
    (`Model.probabilities`, before calibration) into one distribution over the tags; the decision is its argmax
    (the first tag on ties). `row` maps column name → value (absent columns read as NaN)."""
    kind = stage["kind"]
    if kind == "renormalised":
        r = [min(q, 1.0) if q >= 0 else 0.0 for q in scores]
        total = 0.0
        for v in r:
            total += v
        return [v / total if total > 0 else 1.0 / len(r) for v in r]
    if kind == "softmax":
        w, b = stage["weights"], stage.get("biases")
        z = []
        for k, t in enumerate(tags):
            v = b[k] if b is not None else 0.0
            if not math.isnan(scores[k]):
                v += w[0] * clipped_logit(scores[k])
            for j, net in enumerate(stage["networks"]):
                x = row.get(net + ":" + t, math.nan)
                if not math.isnan(x):
                    v += w[j + 1] * clipped_logit(x)
            z.append(v)
    elif kind == "multinomial":
        z = list(stage["intercepts"])
        for c, col in enumerate(stage["columns"]):
            x = row.get(col, math.nan)
            if math.isnan(x):
                continue
            u = clipped_logit(x) - stage["means"][c]
            for k in range(len(z)):
                z[k] += (stage["coefficients"][k][c] * u) / stage["scales"][c]
    else:
        raise ModelError(f"unknown one_label kind '{kind}'")
    m = max(z)
    e = [math.exp(v - m) for v in z]
    total = 0.0
    for v in e:
        total += v
    return [v / total for v in e]


def parse_cell(text, path, line, column):
    t = text.strip()
    if t == "" or t.lower() == "nan":
        return math.nan
    try:
        return float(t)
    except ValueError:
        raise ModelError(f"{path}:{line}: column '{column}': '{text}' is not a number")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--decisions")
    a = ap.parse_args(argv)
    try:
        with open(a.model) as f:
            try:
                doc = json.load(f)
                model = Model(doc)
            except json.JSONDecodeError as e:
                raise ModelError(f"malformed model: {e}")
        with open(a.input, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            columns = header[1:]
            try:
                model.bind(columns)
            except ModelError as e:
                raise ModelError(f"{a.input}: {e}")
            # Only the model's inputs are read: a column the model does not list is absent for it.
            used = [(c, model.col[c]) for c in model.inputs]
            scores = open(a.scores, "w", newline="")
            decisions = open(a.decisions, "w", newline="") if a.decisions else None
            ws = csv.writer(scores, lineterminator="\n")
            ws.writerow([header[0]] + model.tags)
            wd = csv.writer(decisions, lineterminator="\n") if decisions else None
            if wd:
                wd.writerow([header[0]] + model.tags)
            for line, cells in enumerate(reader, start=2):
                if len(cells) != len(header):
                    raise ModelError(f"{a.input}:{line}: {len(cells)} cells for {len(header)} columns")
                row = {c: parse_cell(cells[j + 1], a.input, line, c) for c, j in used}
                p = model.probabilities(row)
                if doc.get("one_label") is not None:   # one label a track: the stage, then its argmax
                    q = one_label_probabilities(doc["one_label"], model.tags, p, row)
                    ws.writerow([cells[0]] + [repr(v) for v in q])
                    if wd:
                        wd.writerow([cells[0]] + [1 if k == q.index(max(q)) else 0 for k in range(len(q))])
                    continue
                ws.writerow([cells[0]] + [repr(v) for v in model.calibrate(p)])
                if wd:
                    wd.writerow([cells[0]] + model.decide(p, row))
            scores.close()
            if decisions:
                decisions.close()
    except ModelError as e:
        print(f"score_model.py: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"score_model.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
