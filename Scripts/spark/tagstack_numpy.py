"""A NumPy-vectorised scorer for TagStack model files (issue 23, design (a)): a whole batch of rows at once.

    scorer = NumpyScorer(open("model.json", "rb").read())
    q, p, d = scorer.score(x)   # x: rows × len(scorer.columns) float64, laid out as scorer.columns
                                # q: scores (what decisions compare), p: probabilities written out, d: 0/1 uint8

The model is read and checked by Scripts/score_model.py (the same decoding and refusals as TagStackModel); the
arithmetic below follows Sources/TagStackModel operation for operation, vectorised over rows, so the results
equal `tagstack predict`'s bit for bit when NumPy's exp / log / log1p are the C library's (see `EXACT_LIBM`):
- sums run in the Swift order (tags in tag order, sources in source order, trees in tree order: one column
  added at a time, never `np.sum`, whose pairwise order differs);
- sigmoid is `1 / (1 + exp(-x))` for x >= 0 and `e / (1 + e)`, `e = exp(x)`, below (TreeEnsemble.swift);
  clippedLogit `log(q / (1 - q))` on `q` clipped to [1e-7, 1 - 1e-7] (LinearModel.swift); a linear term is
  `(w * d) / s`; a quantile map `(i + f) / K`; Swift's `max` / `min` / `Array.max()` keep their NaN behaviour;
- trees (`Ensemble`): every row's leaf in every tree at once by bitvectors, one table look-up and one AND per
  (row, feature, tree), whatever the depth (a node-by-node walk costs a gather per level and row);
  leaf values then added tree by tree. The comparison rule is Tree.swift's (`v <= threshold` goes left, NaN
  goes to `default_left`'s side). Trees of more than 64 leaves are walked node by node (`Ensemble._walk`).

Notes for the hot loop (`NumpyScorer.score`, per chunk of rows): reads the chunk and the model's arrays
(read-only, built once at init); allocates per chunk (NumPy temporaries), nothing shared between calls, so one
scorer serves every batch of a process. Its plain twin is Scripts/score_model.py (one row at a time, stdlib
Python; PythonScorerTests checks it against TagStackModel); Scripts/spark/check.py checks this scorer against
`tagstack predict` (the golden models, generated data, the shared sets), with the bitvectors and, on the golden
models, with every tree walked node by node (`Ensemble._walk`) too.
"""

import math
import os
import sys

import numpy as np

# Scripts/score_model.py: beside this module's folder in the repository, beside it in an executor's SparkFiles.
sys.path.append(os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))
import score_model as sm  # noqa: E402

EPS = 1e-7
_ELEMENTS = 1 << 18   # (row, tree) cells at once: bounds the temporaries of the trees' bitvectors


def _exact_libm():
    """Whether NumPy's float64 exp, log and log1p give the C library's results (what Swift's Foundation calls).
    NumPy's AVX-512 loops differ from glibc in the last bit for a few percent of arguments; with them disabled
    (NPY_DISABLE_CPU_FEATURES, set by tagstack_spark for its workers) NumPy calls the C library."""
    x = np.linspace(-30.0, 30.0, 4099)
    q = np.linspace(1e-6, 0.999, 4099)
    ok = all(float(a) == math.exp(float(v)) for a, v in zip(np.exp(x), x))
    ok = ok and all(float(a) == math.log(float(v)) for a, v in zip(np.log(q / (1 - q)), q / (1 - q)))
    return ok and all(float(a) == math.log1p(float(v)) for a, v in zip(np.log1p(x[x > -1]), x[x > -1]))


EXACT_LIBM = _exact_libm()
if EXACT_LIBM:
    _exp, _log, _log1p = np.exp, np.log, np.log1p
else:  # the C library's functions element by element: slower, still exact
    _exp_u, _log_u, _log1p_u = (np.frompyfunc(f, 1, 1) for f in (math.exp, math.log, math.log1p))

    def _wrap(f, name):
        def g(x):
            x = np.asarray(x, dtype=np.float64)
            with np.errstate(all="ignore"):
                out = np.empty_like(x)
                finite = ~np.isnan(x)
                if name == "log":
                    ok = finite & (x > 0) & np.isfinite(x)
                    out[:] = np.log(x)   # NaN, 0, negatives, inf: no rounding question
                elif name == "log1p":
                    ok = finite & (x > -1) & np.isfinite(x)
                    out[:] = np.log1p(x)
                else:
                    ok = finite & (x > -745.2) & (x < 709.8)
                    out[:] = np.exp(x)
                if ok.any():
                    out[ok] = f(x[ok]).astype(np.float64)
            return out
        return g

    _exp, _log, _log1p = _wrap(_exp_u, "exp"), _wrap(_log_u, "log"), _wrap(_log1p_u, "log1p")


def sigmoid(x):
    """TreeEnsemble.swift's sigmoid: `x >= 0 ? 1/(1+exp(-x)) : x < 0 ? e/(1+e) : 0.5` (NaN gives 0.5)."""
    # One exp a cell: exp(-|x|) is exp(-x) where x >= 0 and exp(x) where x < 0 (a sign change is exact); then
    # one division, `1 / (1 + e)` or `e / (1 + e)` (the same operations as each branch, so the same bits).
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = _exp(-np.abs(x))
        out = np.where(x >= 0, 1.0, e)
        np.divide(out, e + 1.0, out=out)
    nan = np.isnan(x)
    if nan.any():
        out[nan] = 0.5
    return out


def clip_unit(p):
    """Swift's `min(max(p, 1e-7), 1 - 1e-7)`: `max(x, y)` is `y >= x ? y : x`, `min(x, y)` is `y < x ? y : x`
    (a NaN p stays NaN)."""
    lo = np.where(EPS >= p, EPS, p)
    return np.where((1 - EPS) < lo, 1 - EPS, lo)


def clipped_logit(p):
    """LinearModel.swift's clippedLogit: NaN gives 0."""
    q = clip_unit(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = _log(q / (1 - q))
    return np.where(np.isnan(p), 0.0, v)


def calibration_logit(q):
    lo, hi = EPS, 1 - EPS
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.array(_log(q / (1 - q)), dtype=np.float64)
        below, above = q < lo, q > hi   # rare: the two tails computed only where they apply
        if below.any():
            v[below] = math.log(lo / (1 - lo)) - _log1p((lo - q[below]) / lo)
        if above.any():
            v[above] = math.log(hi / (1 - hi)) + _log1p((q[above] - hi) / (1 - hi))
    missing = np.isnan(q)
    if missing.any():
        v[missing] = 0.0
    return v


def raw_probability(s):
    """`s >= 0 ? min(s, 1) : 0` (Swift's min(s, 1) is `1 < s ? 1 : s`)."""
    return np.where(s >= 0, np.where(1 < s, 1.0, s), 0.0)


class Ensemble:
    """A tree ensemble laid out for scoring many rows at once by bitvectors (QuickScorer's idea, per feature):
    a tree's leaves numbered left to right, each node holds the bits of its left subtree's leaves, and a row
    failing the node (going right) clears them; the row's leaf is the lowest bit left. A row fails exactly the
    nodes on feature `j` whose threshold is below its value (or, NaN, the nodes sending NaN right), so per
    feature the failed set is a prefix of the feature's thresholds sorted: `table[j][bin]` holds, per tree, the
    AND of those nodes' masks, `bin` = how many of the feature's thresholds are `< value` (NaN: the last row).
    A row's mask per tree is then the AND over features of one table row each: features × trees operations a
    row, whatever the trees' depth. Trees of more than 64 leaves are walked instead (`_walk`)."""

    def __init__(self, trees):
        self.trees = trees
        self.count = len(trees)
        self.walk = False   # True: walk node by node even when bitvectors apply (check.py compares the two)
        self.quick = all(len(t["leaf_value"]) <= 64 for t in trees)
        if not self.quick:
            return
        T = self.count
        ones = np.uint64(0xFFFFFFFFFFFFFFFF)
        self.values = np.zeros((T, 64))
        per_feature = {}   # j -> lists of (threshold, tree, ~leftmask, default_left)
        for ti, t in enumerate(trees):
            n = len(t["split_feature"])
            self.values[ti, :n + 1] = 0.0
            if n == 0:
                self.values[ti, 0] = t["leaf_value"][0]
                continue
            # Leaves left to right (in order), and each node's left-subtree leaf bits.
            order, masks = [], [0] * n

            def visit(c):
                if c < 0:
                    order.append(~c)
                    return 1 << (len(order) - 1)
                lm = visit(t["left_child"][c])
                rm = visit(t["right_child"][c])
                masks[c] = lm
                return lm | rm

            visit(0)
            for pos, leaf in enumerate(order):
                self.values[ti, pos] = t["leaf_value"][leaf]
            for i in range(n):
                per_feature.setdefault(t["split_feature"][i], []).append(
                    (t["threshold"][i], ti, (~masks[i]) & 0xFFFFFFFFFFFFFFFF, t["default_left"][i]))
        self.features = []   # (j, cuts, table (len(cuts) + 2) × trees uint64)
        for j in sorted(per_feature):
            nodes = per_feature[j]
            cuts = np.unique(np.array([x[0] for x in nodes], dtype=np.float64))
            rank = np.searchsorted(cuts, np.array([x[0] for x in nodes]))
            tree = np.array([x[1] for x in nodes], dtype=np.intp)
            clear = np.array([x[2] for x in nodes], dtype=np.uint64)
            step = np.full((len(cuts), T), ones, dtype=np.uint64)
            np.bitwise_and.at(step, (rank, tree), clear)
            table = np.full((len(cuts) + 2, T), ones, dtype=np.uint64)
            table[1:len(cuts) + 1] = np.bitwise_and.accumulate(step, axis=0)
            right = np.array([not x[3] for x in nodes], dtype=bool)   # NaN goes right: the node fails
            np.bitwise_and.at(table[len(cuts) + 1], tree[right], clear[right])
            self.features.append((j, cuts, table))
        self.offsets = (np.arange(T, dtype=np.uint64) * np.uint64(64))

    def accumulate(self, rows, raw):
        """`raw[i] += tree(rows[i])` for every tree in tree order (rows: R × width float64)."""
        if self.count == 0:
            return raw
        if not self.quick or self.walk:
            return self._walk(rows, raw)
        r = rows.shape[0]
        T = self.count
        per = max(1, min(r, _ELEMENTS // T))
        values = self.values.reshape(-1)
        mask = np.empty((per, T), dtype=np.uint64)
        tmp = np.empty((per, T), dtype=np.uint64)
        for a in range(0, r, per):
            b = min(r, a + per)
            m, t_ = mask[:b - a], tmp[:b - a]
            m.fill(0xFFFFFFFFFFFFFFFF)
            for j, cuts, table in self.features:
                v = rows[a:b, j]
                k = np.searchsorted(cuts, v, side="left")
                nan = np.isnan(v)
                if nan.any():
                    k[nan] = len(cuts) + 1
                np.take(table, k, axis=0, out=t_)
                np.bitwise_and(m, t_, out=m)
            # The lowest bit left: its position (an exact power of two as a double: frexp's exponent - 1).
            low = m & (~m + np.uint64(1))
            pos = (np.frexp(low.astype(np.float64))[1] - 1).astype(np.intp)
            leaf = values[pos + np.arange(T, dtype=np.intp) * 64]
            acc = raw[a:b]
            for t in range(T):   # tree order: the Swift sum
                acc += leaf[:, t]
        return raw

    def _walk(self, rows, raw):
        """Every tree walked node by node over all rows (trees of more than 64 leaves), tree order."""
        for t in self.trees:
            n = len(t["split_feature"])
            if n == 0:
                raw += t["leaf_value"][0]
                continue
            feat, thr = np.array(t["split_feature"]), np.array(t["threshold"])
            left, right, dleft = np.array(t["left_child"]), np.array(t["right_child"]), np.array(t["default_left"])
            lv = np.array(t["leaf_value"])
            node = np.zeros(rows.shape[0], dtype=np.intp)
            live = np.arange(rows.shape[0])
            out = np.empty(rows.shape[0])
            while len(live):
                nd = node[live]
                v = rows[live, feat[nd]]
                go = np.where(np.isnan(v), dleft[nd], v <= thr[nd])
                nxt = np.where(go, left[nd], right[nd])
                done = nxt < 0
                out[live[done]] = lv[~nxt[done]]
                node[live] = nxt
                live = live[~done]
            raw += out
        return raw


class NumpyScorer:
    """A model file's bytes → a batch scorer. Raises sm.ModelError (the message TagStackModel would give)."""

    def __init__(self, data):
        m = sm.decode_model(sm.read_json(data))
        self.one_label = m.get("one_label")
        labels = m["labels"]
        self.tags = list(labels["tags"])
        T = len(self.tags)
        self.columns = list(dict.fromkeys(m["input_columns"]))   # the first occurrence counts
        index = {c: j for j, c in enumerate(self.columns)}
        self.index = index
        self.own = np.array([index[t] for t in self.tags], dtype=np.intp)
        self.class_members = sm.groups(labels["classes"])
        self.category_members = sm.groups(labels["categories"])
        self.categories = sm.distinct(labels["categories"])
        self.class_of = np.zeros(T, dtype=np.intp)
        for c, mem in enumerate(self.class_members):
            self.class_of[mem] = c
        self.category_of = np.zeros(T, dtype=np.intp)
        for g, mem in enumerate(self.category_members):
            self.category_of[mem] = g
        entries = m["tags"]
        self.paths = [e["path"] for e in entries]
        self.thresholds = [e["threshold"] for e in entries]
        self.calibrations = [e.get("calibration") for e in entries]
        self.calibrated = np.array([k for k, c in enumerate(self.calibrations) if c is not None], dtype=np.intp)
        self.slopes = np.array([self.calibrations[k]["slope"] for k in self.calibrated], dtype=np.float64)
        self.intercepts = np.array([self.calibrations[k]["intercept"] for k in self.calibrated], dtype=np.float64)
        self.decision = m["decision"]
        self.hierarchy = m.get("hierarchy") if self.decision == "hierarchical" else None
        base = m.get("base")
        self.base = None if base is None or base["kind"] == "primary" else base
        if self.base is not None:
            srcs = [self.tags] + [[n + ":" + t for t in self.tags] for n in self.base["networks"]]
            self.base_sources = [np.array([index.get(c, -1) for c in names], dtype=np.intp) for names in srcs]
        self.stacked = any(p != "raw" for p in self.paths)
        pooled = m.get("pooled") if "pooled" in self.paths else None
        if self.stacked:
            f = m["features"]
            self.kinds = f["per_tag"]
            self.shared = np.array([index[c] for c in f["shared_columns"]], dtype=np.intp)
            self.networks = f["networks"]
            self.width = len(self.kinds) + len(self.shared)
            qsrc = [self.tags] + [[n + ":" + t for t in self.tags] for n in self.networks]
            # mean_quantile: per source, per tag, (input index, knots) or None.
            self.quantile_of = [[(index[c], np.array(f["quantiles"][c], dtype=np.float64))
                                 if c in f["quantiles"] and c in index else None for c in names] for names in qsrc]
        self.plans = []   # per non-raw, non-pooled tag: (k, "trees", Ensemble, start) or (k, "linear", arrays)
        for k, e in enumerate(entries):
            if e["path"] == "stacked" and "booster" in e:
                self.plans.append((k, "trees", Ensemble(e["booster"]["trees"]),
                                   self._start(e["init_score"], e["booster"]["base_score"])))
            elif e["path"] == "stacked":
                lin = e["linear"]
                self.plans.append((k, "linear", (lin["intercept"], np.array(lin["weights"]), np.array(lin["means"]),
                                                 np.array(lin["scales"]))))
        self.pooled_tags = np.array([k for k, p in enumerate(self.paths) if p == "pooled"], dtype=np.intp)
        if len(self.pooled_tags):
            self.pooled = Ensemble(pooled["booster"]["trees"])
            self.pooled_start = self._start(pooled["init_score"], pooled["booster"]["base_score"])
            self.tag_values = np.array([entries[k]["tag_values"] for k in self.pooled_tags], dtype=np.float64)
        if self.one_label is not None:
            o = self.one_label
            if o["kind"] == "softmax":
                self.softmax_cols = [np.array([index.get(n + ":" + t, -1) for t in self.tags], dtype=np.intp)
                                     for n in o["networks"]]
            elif o["kind"] == "multinomial":
                self.multinomial_cols = [index[c] for c in o["columns"]]

    def ensembles(self):
        """Every tree ensemble of the model (per boosted tag, and the pooled one)."""
        out = [p[2] for p in self.plans if p[1] == "trees"]
        return out + ([self.pooled] if len(self.pooled_tags) else [])

    def _start(self, init_score, base_score):
        if init_score == "own_logit" or (init_score == "base_logit" and self.base is None):
            return "own"
        if init_score == "base_logit":
            return "base"
        return float(base_score)

    # -- per chunk --------------------------------------------------------------------------------------------

    def _base(self, x):
        """Every tag's base score (BaseScore.score), rows × tags."""
        b, kind = self.base, self.base["kind"]
        n = x.shape[0]
        vals = []
        for cols in self.base_sources:
            v = np.full((n, len(cols)), np.nan)
            ok = cols >= 0
            v[:, ok] = x[:, cols[ok]]
            vals.append(v)
        if kind == "blend":
            z = np.broadcast_to(np.array(b["intercepts"], dtype=np.float64), (n, len(self.tags))).copy()
            for j, v in enumerate(vals):
                z = np.where(np.isnan(v), z, z + b["weights"][j] * clipped_logit(v))
            return sigmoid(z)
        total = np.zeros((n, len(self.tags)))
        count = np.zeros((n, len(self.tags)))
        for v in vals:
            ok = ~np.isnan(v)
            total = np.where(ok, total + (v if kind == "mean" else clipped_logit(v)), total)
            count += ok
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if kind == "logit_mean":
                return np.where(count == 0, np.nan, sigmoid(total / count))
            out = total / count
            over = (count > 0) & ~np.isfinite(total)
            if over.any():   # finite values whose sum overflows: add them already divided
                alt = np.zeros_like(total)
                for v in vals:
                    alt = np.where(np.isnan(v), alt, alt + v / count)
                out = np.where(over, alt, out)
        return np.where(count == 0, np.nan, out)

    def _features(self, x, s, tags):
        """The feature vectors of `tags` (FeatureBuilder.features), width × rows × len(tags): feature-major, so
        that each feature is one contiguous rows × tags block (written and read a block at a time)."""
        n, T = s.shape
        kinds = self.kinds
        need_class = any(k in ("class_z", "class_max", "class_mean", "gap_to_class_max") for k in kinds)
        need_cat = any(k in ("category_mean_others", "category_max_others") for k in kinds)
        out = np.empty((self.width, n, len(tags)))
        cls = self.class_of[tags]
        cat = self.category_of[tags]
        st = s[:, tags]
        # Only the classes and categories of `tags` (the stacked or pooled ones) are summarised, and only
        # `tags` ranked: the other entries of cmax, rank, ... are never read.
        classes, categories, wanted = set(cls.tolist()), set(cat.tolist()), set(tags.tolist())
        sT = np.ascontiguousarray(s.T)   # tags × rows: each tag's scores one contiguous row (s[:, k] is strided)
        if need_class:
            C = len(self.class_members)
            cmax, cmean, csd = np.empty((n, C)), np.empty((n, C)), np.empty((n, C))
            for c, mem in enumerate(self.class_members):
                if c not in classes:
                    continue
                mx, total = np.full(n, -np.inf), np.zeros(n)
                for k in mem:
                    v = sT[k]
                    mx = np.where(v >= mx, v, mx)   # Swift max(mx, v)
                    total = total + v
                mean = total / len(mem)
                ss = np.zeros(n)
                for k in mem:
                    d = sT[k] - mean
                    ss = ss + d * d
                cmax[:, c], cmean[:, c], csd[:, c] = mx, mean, np.sqrt(ss / len(mem))
        if "class_rank" in kinds:
            rank = np.zeros((n, T))
            for c, mem in enumerate(self.class_members):
                if c not in classes:
                    continue
                m = len(mem)
                denom = float(max(m - 1, 1))
                ranked = [k for k in mem if k in wanted]
                if len(ranked) * m <= 64 * 64:   # count the members strictly higher: m comparisons a ranked tag
                    members = sT[mem]   # members × rows
                    for k in ranked:
                        rank[:, k] = np.count_nonzero(members > sT[k], axis=0) / denom
                else:   # sorted descending, the first position of each value = the count strictly higher
                    sv = s[:, mem]
                    filled = np.where(np.isnan(sv), -np.inf, sv)
                    order = np.argsort(-filled, axis=1, kind="stable")
                    srt = np.take_along_axis(filled, order, axis=1)
                    pos = np.arange(m)[None, :].repeat(n, 0)
                    new = np.ones((n, m), dtype=bool)
                    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
                    first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
                    r = np.empty((n, m))
                    np.put_along_axis(r, order, first.astype(np.float64), axis=1)
                    r[np.isnan(sv)] = 0.0
                    rank[:, mem] = r / denom
        if need_cat:
            G = len(self.category_members)
            csum, cm1, cm2, carg = np.empty((n, G)), np.empty((n, G)), np.empty((n, G)), np.empty((n, G), dtype=np.intp)
            for g, mem in enumerate(self.category_members):
                if g not in categories:
                    continue
                total, m1, m2, arg = np.zeros(n), np.full(n, -np.inf), np.full(n, -np.inf), np.full(n, -1, dtype=np.intp)
                for k in mem:
                    v = sT[k]
                    total = total + v
                    gt1 = v > m1
                    m2 = np.where(gt1, m1, np.where(v > m2, v, m2))
                    m1 = np.where(gt1, v, m1)
                    arg = np.where(gt1, k, arg)
                csum[:, g], cm1[:, g], cm2[:, g], carg[:, g] = total, m1, m2, arg
            ncat = np.array([len(self.category_members[g]) for g in cat], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            for j, kind in enumerate(kinds):
                if kind == "score":
                    v = st
                elif kind == "logit":
                    q = clip_unit(st)
                    v = _log(q / (1 - q))
                elif kind == "class_rank":
                    v = rank[:, tags]
                elif kind == "class_z":
                    sd = csd[:, cls]
                    v = np.where(sd < 1e-12, 0.0, (st - cmean[:, cls]) / sd)
                elif kind == "class_max":
                    v = cmax[:, cls]
                elif kind == "class_mean":
                    v = cmean[:, cls]
                elif kind == "gap_to_class_max":
                    v = cmax[:, cls] - st
                elif kind == "category_mean_others":
                    v = np.where(ncat > 1, (csum[:, cat] - st) / np.maximum(ncat - 1, 1), 0.0)
                elif kind == "category_max_others":
                    v = np.where(ncat > 1, np.where(carg[:, cat] == tags, cm2[:, cat], cm1[:, cat]), 0.0)
                elif kind == "category_score":
                    cols = np.array([self.index.get(self.categories[g], -1) for g in cat], dtype=np.intp)
                    v = np.full((n, len(tags)), np.nan)
                    v[:, cols >= 0] = x[:, cols[cols >= 0]]
                elif kind.startswith("net:"):
                    net = kind[4:]
                    cols = np.array([self.index.get(net + ":" + self.tags[t], -1) for t in tags], dtype=np.intp)
                    v = np.full((n, len(tags)), np.nan)
                    v[:, cols >= 0] = x[:, cols[cols >= 0]]
                else:   # mean_quantile
                    v = np.full((n, len(tags)), np.nan)
                    for i, t in enumerate(tags):
                        total, count = np.zeros(n), np.zeros(n)
                        for maps in self.quantile_of:
                            if maps[t] is None:
                                continue
                            col, knots = maps[t]
                            xv = x[:, col]
                            ok = ~np.isnan(xv)
                            total = np.where(ok, total + quantile(knots, xv), total)
                            count += ok
                        v[:, i] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
                out[j] = v
        if len(self.shared):
            out[len(kinds):] = x[:, self.shared].T[:, :, None]
        return out

    def _begin(self, start, x, base, k):
        """Where a boosted tag's raw score starts, rows (k: a tag index or an array of them)."""
        if start == "own":
            return clipped_logit(x[:, self.own[k]])
        if start == "base":
            return clipped_logit(base[:, k])
        return np.full(x.shape[0] if np.ndim(k) == 0 else (x.shape[0], len(k)), start, dtype=np.float64)

    def scores(self, x):
        """Every tag's score (ModelScorer.scores): rows × tags, before calibration."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        n, T = x.shape[0], len(self.tags)
        s = x[:, self.own]
        base = self._base(x) if self.base is not None else None
        q = (s if base is None else base).copy()   # raw tags
        if self.stacked:
            stacked = [p[0] for p in self.plans]
            if stacked:
                feats = self._features(x, s, np.array(stacked, dtype=np.intp))
                lin = [(i, p) for i, p in enumerate(self.plans) if p[1] == "linear"]
                for i, (k, kind, *rest) in enumerate(self.plans):
                    f = feats[:, :, i].T   # rows × width
                    if kind == "trees":
                        ens, start = rest
                        raw = self._begin(start, x, base, k)
                        q[:, k] = sigmoid(ens.accumulate(np.ascontiguousarray(f), raw))
                if lin:
                    self._linear(feats, lin, q)
            if len(self.pooled_tags):
                P, V = len(self.pooled_tags), self.tag_values.shape[1]
                f = self._features(x, s, self.pooled_tags)
                rows = np.empty((n, P, self.width + V))
                rows[:, :, :self.width] = f.transpose(1, 2, 0)
                rows[:, :, self.width:] = self.tag_values[None, :, :]
                raw = self._begin(self.pooled_start, x, base, self.pooled_tags).reshape(-1).copy()
                raw = self.pooled.accumulate(rows.reshape(n * P, -1), raw)
                q[:, self.pooled_tags] = sigmoid(raw.reshape(n, P))
        if self.one_label is not None:
            q = self._one_label(x, q)
        return q

    def _linear(self, feats, lin, q):
        """LinearModel.rawScore for every linear tag at once: terms in feature order, `(w * d) / s`."""
        idx = np.array([i for i, _ in lin], dtype=np.intp)
        tags = np.array([p[0] for _, p in lin], dtype=np.intp)
        b = np.array([p[2][0] for _, p in lin])
        W = np.array([p[2][1] for _, p in lin])
        M = np.array([p[2][2] for _, p in lin])
        S = np.array([p[2][3] for _, p in lin])
        f = feats if np.array_equal(idx, np.arange(feats.shape[2])) else feats[:, :, idx]   # features × rows × tags
        z = np.broadcast_to(b, (f.shape[1], len(idx))).copy()
        with np.errstate(invalid="ignore", over="ignore"):
            for j in range(W.shape[1]):
                xj, w, m, s = f[j], W[:, j], M[:, j], S[:, j]
                d = xj - m
                term = w * d / s
                odd = ~np.isfinite(d)   # rare: x - mean overflowed (or x is not finite: then not added below)
                if odd.any():
                    term = np.where(odd, w * (xj / s - m / s), term)
                finite = np.isfinite(xj)
                if finite.all():
                    z += term
                else:
                    z = np.where(finite, z + term, z)
        q[:, tags] = sigmoid(z)

    def _one_label(self, x, q):
        o = self.one_label
        n, T = q.shape
        if o["kind"] == "renormalised":
            r = raw_probability(q)
            total = np.zeros(n)
            for k in range(T):
                total = total + r[:, k]
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where((total > 0)[:, None], r / total[:, None], 1 / T)
        if o["kind"] == "softmax":
            w = o["weights"]
            b = o.get("biases")
            z = np.zeros((n, T)) if b is None else np.broadcast_to(np.array(b, dtype=np.float64), (n, T)).copy()
            z = np.where(np.isnan(q), z, z + w[0] * clipped_logit(q))
            for j, cols in enumerate(self.softmax_cols):
                v = np.full((n, T), np.nan)
                v[:, cols >= 0] = x[:, cols[cols >= 0]]
                z = np.where(np.isnan(v), z, z + w[j + 1] * clipped_logit(v))
        else:   # multinomial
            z = np.broadcast_to(np.array(o["intercepts"], dtype=np.float64), (n, T)).copy()
            coef = np.array(o["coefficients"], dtype=np.float64)   # tags × columns
            for c, col in enumerate(self.multinomial_cols):
                xv = x[:, col]
                u = clipped_logit(xv) - o["means"][c]
                z = np.where(np.isnan(xv)[:, None], z, z + (coef[:, c][None, :] * u[:, None]) / o["scales"][c])
        m = np.full(n, -np.inf)
        for k in range(T):
            m = np.where(z[:, k] > m, z[:, k], m)
        e = _exp(z - m[:, None])
        total = np.zeros(n)
        for k in range(T):
            total = total + e[:, k]
        return e / total[:, None]

    def calibrate(self, q):
        """The probabilities written out: each tag's calibration of its score, or the score clamped to [0, 1]."""
        p = raw_probability(q)
        if len(self.calibrated):
            qc = q[:, self.calibrated]
            p[:, self.calibrated] = sigmoid(self.slopes * calibration_logit(qc) + self.intercepts)
        return p

    def decide(self, q, x):
        """Decider.decide on every row (q: scores, x: the input rows, for category columns)."""
        n, T = q.shape
        if self.one_label is not None:
            best = np.zeros(n, dtype=np.intp)
            bestv = q[:, 0].copy()
            for k in range(1, T):
                better = q[:, k] > bestv
                best = np.where(better, k, best)
                bestv = np.where(better, q[:, k], bestv)
            d = np.zeros((n, T), dtype=np.uint8)
            d[np.arange(n), best] = 1
            return d
        d = np.zeros((n, T), dtype=np.uint8)
        for k, t in enumerate(self.thresholds):
            if t is not None:
                d[:, k] = q[:, k] >= t
        if self.decision in ("at_least_one_per_track", "at_least_one_per_class"):
            groups = [list(range(T))] if self.decision == "at_least_one_per_track" else self.class_members
            for g in groups:
                none = ~d[:, g].any(axis=1)
                best = np.full(n, -1, dtype=np.intp)
                bestr = np.full(n, -np.inf)
                for k in g:
                    t = self.thresholds[k]
                    if t is None:
                        continue
                    with np.errstate(invalid="ignore", divide="ignore"):
                        r = q[:, k] / t if t > 0 else np.where(q[:, k] >= t, np.inf, -np.inf)
                    better = r > bestr
                    best = np.where(better, k, best)
                    bestr = np.where(better, r, bestr)
                rows = np.nonzero(none & (best >= 0))[0]
                d[rows, best[rows]] = 1
        elif self.decision == "hierarchical":
            h = self.hierarchy
            for g, mem in enumerate(self.category_members):
                t = h["thresholds"][g]
                if t is None:
                    continue
                if h["source"] == "column":
                    col = self.index.get(self.categories[g], -1)
                    score = x[:, col] if col >= 0 else np.full(n, np.nan)
                else:   # Array.max(): `result < e` replaces
                    score = q[:, mem[0]]
                    for k in mem[1:]:
                        score = np.where(score < q[:, k], q[:, k], score)
                off = ~(score >= t)
                if off.any():
                    d[np.ix_(off, mem)] = 0
        return d

    def score(self, x, chunk=2048):
        """Scores (rows × tags), probabilities written out and decisions (uint8) of rows laid out as
        `self.columns`, in chunks of `chunk` rows (the results do not depend on it)."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        n, T = x.shape[0], len(self.tags)
        q, p, d = np.empty((n, T)), np.empty((n, T)), np.empty((n, T), dtype=np.uint8)
        for a in range(0, n, chunk):
            b = min(n, a + chunk)
            qa = self.scores(x[a:b])
            q[a:b] = qa
            p[a:b] = self.calibrate(qa)
            d[a:b] = self.decide(qa, x[a:b])
        return q, p, d


def quantile(knots, x):
    """QuantileMap: `(i + f) / K` with i the last knot not above x (NaN stays NaN)."""
    K = len(knots) - 1
    i = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, K - 1)
    lo, hi = knots[i], knots[i + 1]
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.0)
        v = (i + frac) / K
    v = np.where(x < knots[0], 0.0, np.where(x >= knots[K], 1.0, v))
    return np.where(np.isnan(x), np.nan, v)
