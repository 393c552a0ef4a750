#!/usr/bin/env python3
"""A second scorer for TagStack model files, written from docs/MODEL_FORMAT.md (standard library only).

usage: python3 Scripts/score_model.py --model M.json --input X.csv --scores OUT.csv [--decisions OUT.csv]

X.csv: `ChallengeID` then input columns, in any order (extra columns are ignored; an empty cell or `nan` is
a missing value). Writes probabilities (and 0/1 decisions) in the y layout: `ChallengeID` then one column per
tag in the model's tag order. Agrees with the Swift scorer to 1e-12 (Tests/TagStackCLITests/PythonScorerTests).
Exit codes: 0 success, 1 model or data error, 2 usage error. An error is one line on stderr,
`score_model.py: error: FILE: what`, naming the field (as Swift does: 'tags.[3].calibration.threshold') or the
line and column. A model is refused exactly when TagStackModel refuses it (the same decoding and checks;
Tests/TagStackModelTests/InvalidModels is the shared corpus). Outputs are written to temporaries beside them and
renamed only once all are complete: a failing run leaves nothing behind and replaces nothing; a device or FIFO
output (/dev/stdout) is written directly, after the last row.
"""
import argparse
import csv
import io
import json
import math
import os
import signal
import stat
import sys
import time

FORMAT = "tagstack-model"
SUPPORTED_VERSIONS = (1, 4)
EPS = 1e-7
PER_TAG = {"score", "logit", "class_rank", "class_z", "class_max", "class_mean", "gap_to_class_max",
           "category_mean_others", "category_max_others", "category_score", "mean_quantile"}


class ModelError(Exception):
    pass


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


# ---------------------------------------------------------------------------------------------------------------
# Reading a model: the same rules as TagStackModel (StackerModel.decode and validate, Tree, LabelSet, FeatureSet,
# BaseScore, Calibration), checked in the same order. Swift's JSONDecoder is strict: a string is never a number,
# a number never a bool, null only where a field is optional; a field's path is written as Swift writes it
# ('tags.[3].calibration.threshold'). Tests/TagStackModelTests/InvalidModels holds models both must refuse.

MAX_DEPTH = 512                 # Foundation's JSON parser refuses deeper nesting
INT32 = (-2 ** 31, 2 ** 31 - 1)
INT64 = (-2 ** 63, 2 ** 63 - 1)
MAX_TREE_NODES = 1 << 20        # Tree.maximumNodes
MAX_TREE_DEPTH = 65_536         # Tree.maximumDepth
MAX_MODEL_BYTES = 1 << 32       # StackerModel.maximumFileBytes


class BadNumber:
    """A JSON number with no double value (it overflows, or a nonzero number underflows to 0): Foundation refuses
    it when a field reads it (a number in a field nobody reads is never converted)."""
    def __init__(self, text):
        self.text = text


def parse_float(text):
    v = float(text)
    mantissa = text.lower().split("e")[0]
    if math.isinf(v) or (v == 0 and any(c in "123456789" for c in mantissa)):
        return BadNumber(text)
    return v


def parse_int(text):
    v = int(text)
    try:
        float(v)
    except OverflowError:
        return BadNumber(text)
    return v


def parse_constant(name):
    raise ModelError(f"malformed model: not valid JSON ({name} is not a JSON number)")


def first_wins(pairs):
    """A JSON object; with a key given twice the first value counts, as in Foundation."""
    out = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def read_json(data):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelError(f"malformed model: not valid JSON (not UTF-8 at byte {e.start})")
    try:
        root = json.loads(text, object_pairs_hook=first_wins, parse_float=parse_float, parse_int=parse_int,
                          parse_constant=parse_constant)
    except RecursionError:
        raise ModelError(f"malformed model: not valid JSON (nested more than {MAX_DEPTH} levels)")
    except ValueError as e:
        raise ModelError(f"malformed model: not valid JSON ({e})")
    stack = [(root, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (dict, list)):
            if depth > MAX_DEPTH:
                raise ModelError(f"malformed model: not valid JSON (nested more than {MAX_DEPTH} levels)")
            stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return root


def render(path):
    return ".".join(p if isinstance(p, str) else f"[{p}]" for p in path)


def kind_of(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float, BadNumber)):
        return "number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "a dictionary"


def mismatch(path, expected, v):
    if v is None:
        return ModelError(f"malformed model: at '{render(path)}': expected {expected}, found null")
    return ModelError(f"malformed model: at '{render(path)}': expected {expected}, found {kind_of(v)}")


def has(d, key):
    """Swift's decodeIfPresent: an absent key and null are the same."""
    return d.get(key) is not None


def field(d, key, path):
    """A required field (Swift's decode: an absent key is 'missing', null is a type error)."""
    if key not in d:
        raise ModelError(f"model is missing the field '{render(path + [key])}'")
    return d[key]


def as_object(v, path):
    if not isinstance(v, dict):
        raise mismatch(path, "an object", v)
    return v


def as_list(v, path, element):
    if not isinstance(v, list):
        raise mismatch(path, "an array", v)
    return [element(x, path + [i]) for i, x in enumerate(v)]


def as_string(v, path):
    if not isinstance(v, str):
        raise mismatch(path, "a string", v)
    if any("\ud800" <= c <= "\udfff" for c in v):
        raise ModelError(f"malformed model: at '{render(path)}': not valid JSON (a lone UTF-16 surrogate)")
    return v


def as_double(v, path):
    if isinstance(v, BadNumber):
        raise ModelError(f"malformed model: at '{render(path)}': {v.text} is out of the range of a double (not valid JSON)")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise mismatch(path, "a number", v)
    return float(v)


def as_optional_double(v, path):
    return None if v is None else as_double(v, path)


def as_int32(v, path):
    if isinstance(v, bool) or not isinstance(v, (int, float, BadNumber)):
        raise mismatch(path, "an integer", v)
    x = float(v.text) if isinstance(v, BadNumber) else v
    if x != x or (isinstance(x, float) and (math.isinf(x) or x != math.floor(x))):
        raise ModelError(f"malformed model: at '{render(path)}': {v.text if isinstance(v, BadNumber) else v} is not an integer")
    if not INT32[0] <= x <= INT32[1]:
        raise ModelError(f"malformed model: at '{render(path)}': {v.text if isinstance(v, BadNumber) else v} is an integer out of range "
                         f"({INT32[0]}...{INT32[1]})")
    return int(x)


def as_bool(v, path):
    if not isinstance(v, bool):
        raise mismatch(path, "a bool", v)
    return v


def as_enum(values, name):
    def decode(v, path):
        s = as_string(v, path)
        if s not in values:
            raise ModelError(f"malformed model: at '{render(path)}': '{s}' is not a valid {name} ("
                             + ", ".join(values) + ")")
        return s
    return decode


as_path = as_enum(("raw", "stacked", "pooled"), "path")
as_init_score = as_enum(("base_score", "own_logit", "base_logit"), "init_score")
as_decision = as_enum(("thresholds", "at_least_one_per_class", "at_least_one_per_track", "hierarchical"), "decision")
as_source = as_enum(("column", "max_tag"), "hierarchy source")
as_base_kind = as_enum(("primary", "mean", "logit_mean", "blend"), "base kind")


def decode_header(root):
    """StackerModel.Header: `format` and `format_version` first, so a newer file is refused before anything else."""
    if not isinstance(root, dict):
        raise ModelError(f"malformed model: not valid JSON (expected an object, found {kind_of(root)})")
    fmt = root.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise ModelError(f"malformed model: not valid JSON (at 'format': expected a string, found {kind_of(fmt)})")
    v = root.get("format_version")
    version = None
    if v is not None:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ModelError("malformed model: format_version is not a number")
        if isinstance(v, float) and v != math.floor(v):
            raise ModelError(f"malformed model: format_version {v!r} is not an integer")
        if not INT64[0] <= v <= INT64[1] or (isinstance(v, float) and v >= 2.0 ** 63):
            raise ModelError(f"malformed model: format_version {v!r} is an integer out of range")
        version = int(v)
    if fmt is None:
        raise ModelError("not a TagStack model: no 'format' field")
    if fmt != FORMAT:
        raise ModelError(f"not a TagStack model: format is '{fmt}', expected '{FORMAT}'")
    if version is None:
        raise ModelError("model is missing the field 'format_version'")
    if not SUPPORTED_VERSIONS[0] <= version <= SUPPORTED_VERSIONS[1]:
        raise ModelError(f"model format_version {version} is not supported (this scorer reads "
                         f"{SUPPORTED_VERSIONS[0]}...{SUPPORTED_VERSIONS[1]})")
    return version


def decode_tree(v, path):
    """Tree.init(from:): the six arrays, then the checks of Tree.init (a tree, children after parents)."""
    d = as_object(v, path)
    split = as_list(field(d, "split_feature", path), path + ["split_feature"], as_int32)
    thr = as_list(field(d, "threshold", path), path + ["threshold"], as_double)
    left = as_list(field(d, "left_child", path), path + ["left_child"], as_int32)
    right = as_list(field(d, "right_child", path), path + ["right_child"], as_int32)
    dleft = as_list(field(d, "default_left", path), path + ["default_left"], as_bool)
    leaves = as_list(field(d, "leaf_value", path), path + ["leaf_value"], as_double)
    at = f"at '{render(path)}': tree: "
    n = len(split)
    if not len(thr) == len(left) == len(right) == len(dleft) == n:
        raise ModelError(at + f"node arrays have different lengths ({n}, {len(thr)}, {len(left)}, {len(right)}, {len(dleft)})")
    if len(leaves) != n + 1:
        raise ModelError(at + f"{n} internal nodes need {n + 1} leaf values, found {len(leaves)}")
    for i in range(n):
        for c in (left[i], right[i]):
            if c >= 0:
                if not i < c < n:
                    raise ModelError(at + f"node {i} has child node {c} out of range 1..<{n} or not after it")
            elif not ~c < n + 1:
                raise ModelError(at + f"node {i} has child leaf {~c} out of range 0..<{n + 1}")
        if split[i] < 0:
            raise ModelError(at + f"node {i} has feature {split[i]} < 0")
        if not math.isfinite(thr[i]):
            raise ModelError(at + f"node {i} has threshold {thr[i]}, not finite")
    for k, x in enumerate(leaves):
        if not math.isfinite(x):
            raise ModelError(at + f"leaf {k} has value {x}, not finite")
    if n > MAX_TREE_NODES:
        raise ModelError(at + f"{n} internal nodes, more than the {MAX_TREE_NODES} a tree may have")
    parents, depth, deepest = [0] * (2 * n + 1), [0] * n, 0
    for i in range(n):
        for c in (left[i], right[i]):
            slot = c if c >= 0 else n + ~c
            if parents[slot]:
                raise ModelError(at + f"{'node' if c >= 0 else 'leaf'} {c if c >= 0 else ~c} has more than one parent "
                                 f"(node {i} is the second): not a tree")
            parents[slot] = 1
            if c >= 0:
                depth[c] = depth[i] + 1
            deepest = max(deepest, depth[i] + 1)
        if i != 0 and parents[i] != 1:
            raise ModelError(at + f"node {i} has no parent: not a tree")
    if deepest > MAX_TREE_DEPTH:
        raise ModelError(at + f"depth {deepest}, more than the {MAX_TREE_DEPTH} a tree may have")
    return {"split_feature": split, "threshold": thr, "left_child": left, "right_child": right,
            "default_left": dleft, "leaf_value": leaves}


def decode_booster(v, path):
    d = as_object(v, path)
    return {"base_score": as_double(field(d, "base_score", path), path + ["base_score"]),
            "trees": as_list(field(d, "trees", path), path + ["trees"], decode_tree)}


def required_features(booster):
    """TreeEnsemble.requiredFeatureCount: the largest feature index used plus one."""
    return max((max(t["split_feature"]) + 1 for t in booster["trees"] if t["split_feature"]), default=0)


def decode_labels(v, path):
    d = as_object(v, path)
    tags = as_list(field(d, "tags", path), path + ["tags"], as_string)
    cats = as_list(field(d, "categories", path), path + ["categories"], as_string)
    classes = as_list(field(d, "classes", path), path + ["classes"], as_string)
    if not len(tags) == len(cats) == len(classes):
        raise ModelError(f"at '{render(path)}': label set: {len(tags)} tags, {len(cats)} categories, {len(classes)} classes")
    seen = set()
    for t in tags:
        if t in seen:
            raise ModelError(f"at '{render(path)}': label set: duplicate tag '{t}'")
        seen.add(t)
    return {"tags": tags, "categories": cats, "classes": classes}


def decode_tag(v, path):
    """TagModel.init(from:): `threshold` must be present (null allowed); optional fields may be absent or null."""
    d = as_object(v, path)
    t = {"name": as_string(field(d, "name", path), path + ["name"]),
         "path": as_path(field(d, "path", path), path + ["path"])}
    if "threshold" not in d:
        raise ModelError(f"model is missing the field '{render(path + ['threshold'])}'")
    t["threshold"] = as_optional_double(d["threshold"], path + ["threshold"])
    if has(d, "booster"):
        t["booster"] = decode_booster(d["booster"], path + ["booster"])
    if has(d, "init_score"):
        t["init_score"] = as_init_score(d["init_score"], path + ["init_score"])
    if has(d, "linear"):
        p = path + ["linear"]
        lin = as_object(d["linear"], p)
        t["linear"] = {"intercept": as_double(field(lin, "intercept", p), p + ["intercept"]),
                       **{k: as_list(field(lin, k, p), p + [k], as_double) for k in ("weights", "means", "scales")}}
    if has(d, "tag_values"):
        t["tag_values"] = as_list(d["tag_values"], path + ["tag_values"], as_double)
    if has(d, "calibration"):
        p = path + ["calibration"]
        c = as_object(d["calibration"], p)
        t["calibration"] = {"slope": as_double(field(c, "slope", p), p + ["slope"]),
                            "intercept": as_double(field(c, "intercept", p), p + ["intercept"]),
                            "threshold": as_optional_double(c.get("threshold"), p + ["threshold"])}
    return t


def decode_features(v, path):
    d = as_object(v, path)
    kinds = as_list(field(d, "per_tag", path), path + ["per_tag"], as_string)
    for k, kind in enumerate(kinds):
        if kind not in PER_TAG and not kind.startswith("net:"):
            raise ModelError(f"malformed model: at '{render(path + ['per_tag'])}': unknown feature '{kind}' at per_tag[{k}]")
    shared = as_list(field(d, "shared_columns", path), path + ["shared_columns"], as_string)
    networks = as_list(field(d, "networks", path), path + ["networks"], as_string)
    p = path + ["quantiles"]
    quantiles = {}
    for name, q in as_object(field(d, "quantiles", path), p).items():
        qd = as_object(q, p + [name])
        quantiles[name] = as_list(field(qd, "knots", p + [name]), p + [name, "knots"], as_double)
    return {"per_tag": kinds, "shared_columns": shared, "networks": networks, "quantiles": quantiles}


def decode_one_label(v, path):
    """OneLabelStage's Codable: `kind`, then the kind's fields (MODEL_FORMAT.md, One label a track)."""
    d = as_object(v, path)
    kind = as_string(field(d, "kind", path), path + ["kind"])
    out = {"kind": kind}
    if kind == "renormalised":
        return out
    if kind == "softmax":
        out["networks"] = as_list(field(d, "networks", path), path + ["networks"], as_string)
        out["weights"] = as_list(field(d, "weights", path), path + ["weights"], as_double)
        if has(d, "biases"):
            out["biases"] = as_list(d["biases"], path + ["biases"], as_double)
        return out
    if kind == "multinomial":
        out["columns"] = as_list(field(d, "columns", path), path + ["columns"], as_string)
        for key in ("means", "scales", "intercepts"):
            out[key] = as_list(field(d, key, path), path + [key], as_double)
        out["coefficients"] = as_list(field(d, "coefficients", path), path + ["coefficients"],
                                      lambda x, q: as_list(x, q, as_double))
        return out
    raise ModelError(f"malformed model: at '{'.'.join(map(str, path + ['kind']))}': unknown one_label kind '{kind}'")


def validate_one_label(o, tags, inputs):
    """OneLabelStage.validate."""
    def finite(v, what):
        for j, x in enumerate(v):
            if not math.isfinite(x):
                raise ModelError(f"one_label.{what}[{j}] is not a finite number")
    if o["kind"] == "softmax":
        if len(o["weights"]) != len(o["networks"]) + 1:
            raise ModelError(f"one_label.weights has {len(o['weights'])} values for {len(o['networks']) + 1} sources "
                             "(the score and one_label.networks)")
        finite(o["weights"], "weights")
        if "biases" in o:
            if len(o["biases"]) != tags:
                raise ModelError(f"one_label.biases has {len(o['biases'])} values for {tags} tags")
            finite(o["biases"], "biases")
    elif o["kind"] == "multinomial":
        c = len(o["columns"])
        if len(o["means"]) != c or len(o["scales"]) != c:
            raise ModelError(f"one_label: {c} columns, {len(o['means'])} means, {len(o['scales'])} scales")
        if len(o["intercepts"]) != tags or len(o["coefficients"]) != tags or any(len(r) != c for r in o["coefficients"]):
            raise ModelError("one_label: coefficients and intercepts need one entry per tag, each coefficient list one "
                             "value per column")
        for col in o["columns"]:
            if col not in inputs:
                raise ModelError(f"one_label reads column '{col}', which is not among input_columns")
        for j, x in enumerate(o["scales"]):
            if not (x > 0 and math.isfinite(x)):
                raise ModelError(f"one_label.scales[{j}] must be finite and > 0")
        finite(o["means"], "means")
        finite(o["intercepts"], "intercepts")
        finite([x for r in o["coefficients"] for x in r], "coefficients")


def decode_model(root):
    """The model as StackerModel's Codable reads it (fields in declaration order), then `validate_model`."""
    version = decode_header(root)
    m = {"format": as_string(root["format"], ["format"]), "format_version": version}
    field(root, "format_version", [])
    m["learner"] = as_string(field(root, "learner", []), ["learner"])
    m["labels"] = decode_labels(field(root, "labels", []), ["labels"])
    m["input_columns"] = as_list(field(root, "input_columns", []), ["input_columns"], as_string)
    m["tags"] = as_list(field(root, "tags", []), ["tags"], decode_tag)
    m["decision"] = as_decision(field(root, "decision", []), ["decision"])
    if has(root, "hierarchy"):
        h = as_object(root["hierarchy"], ["hierarchy"])
        m["hierarchy"] = {"source": as_source(field(h, "source", ["hierarchy"]), ["hierarchy", "source"]),
                          "thresholds": as_list(field(h, "thresholds", ["hierarchy"]), ["hierarchy", "thresholds"],
                                                as_optional_double)}
    if has(root, "features"):
        m["features"] = decode_features(root["features"], ["features"])
    if has(root, "pooled"):
        p = as_object(root["pooled"], ["pooled"])
        m["pooled"] = {"tag_features": as_list(field(p, "tag_features", ["pooled"]), ["pooled", "tag_features"], as_string),
                       "init_score": as_init_score(field(p, "init_score", ["pooled"]), ["pooled", "init_score"]),
                       "booster": decode_booster(field(p, "booster", ["pooled"]), ["pooled", "booster"])}
    if has(root, "base"):
        b = as_object(root["base"], ["base"])
        m["base"] = {"kind": as_base_kind(field(b, "kind", ["base"]), ["base", "kind"]),
                     "networks": as_list(field(b, "networks", ["base"]), ["base", "networks"], as_string)}
        for key in ("weights", "intercepts"):
            if has(b, key):
                m["base"][key] = as_list(b[key], ["base", key], as_double)
    if has(root, "one_label"):
        m["one_label"] = decode_one_label(root["one_label"], ["one_label"])
    training = as_object(field(root, "training", []), ["training"])
    m["training"] = {k: as_string(x, ["training", k]) for k, x in training.items()}
    validate_model(m)
    return m


def validate_model(m):
    """StackerModel.validate: the invariants a decoder cannot check, in the same order."""
    version, labels, tags = m["format_version"], m["labels"], m["tags"]
    if len(tags) != len(labels["tags"]):
        raise ModelError(f"model has {len(tags)} tag entries ('tags') for {len(labels['tags'])} labels ('labels.tags')")
    inputs = set(m["input_columns"])
    base, features, pooled = m.get("base"), m.get("features"), m.get("pooled")
    if base is not None:
        if version < 3:
            raise ModelError("'base' needs format_version 3")
        kind = base["kind"]
        if kind != "blend":
            if "weights" in base or "intercepts" in base:
                raise ModelError(f"base '{kind}' has no weights or intercepts (base.weights, base.intercepts)")
        else:
            if "weights" not in base or "intercepts" not in base:
                raise ModelError(f"model is missing the field '{'base.weights' if 'weights' not in base else 'base.intercepts'}'")
            w, b = base["weights"], base["intercepts"]
            if len(w) != len(base["networks"]) + 1:
                raise ModelError(f"base.weights has {len(w)} values for {len(base['networks']) + 1} sources "
                                 "(the primary and base.networks)")
            if len(b) != len(tags):
                raise ModelError(f"base.intercepts has {len(b)} values for {len(tags)} tags")
    one = m.get("one_label")
    if one is not None:
        if version < 4:
            raise ModelError("'one_label' needs format_version 4")
        validate_one_label(one, len(labels["tags"]), inputs)
        for k, t in enumerate(tags):
            if t.get("calibration") is not None:
                raise ModelError(f"tags[{k}] ('{t['name']}'): a one-label model's probabilities come from 'one_label', "
                                 "not a calibration")
    for k, t in enumerate(tags):
        name = t["name"]
        c = t.get("calibration")
        if c is not None:
            if version < 3:
                raise ModelError(f"tags[{k}] ('{name}'): 'calibration' needs format_version 3")
            if not (c["slope"] > 0 and math.isfinite(c["slope"]) and math.isfinite(c["intercept"])):
                raise ModelError(f"tags[{k}] ('{name}'): calibration needs a finite slope > 0 and a finite intercept")
        if t.get("init_score") == "base_logit" and version < 3:
            raise ModelError(f"tags[{k}] ('{name}'): init_score 'base_logit' needs format_version 3")
        if t["path"] == "pooled" and pooled is not None and pooled["init_score"] == "base_logit" and version < 3:
            raise ModelError("pooled.init_score 'base_logit' needs format_version 3")
        if name != labels["tags"][k]:
            raise ModelError(f"tags[{k}].name is '{name}'; labels.tags[{k}] is '{labels['tags'][k]}'")
        if name not in inputs:
            raise ModelError(f"tag '{name}': its own score column is not among input_columns")
        if t["path"] == "stacked":
            if features is None:
                raise ModelError("model is missing the field 'features'")
            width = len(features["per_tag"]) + len(features["shared_columns"])
            if ("booster" in t) == ("linear" in t):
                raise ModelError(f"tags[{k}] ('{name}') is stacked: it needs exactly one of booster, linear")
            if "booster" in t:
                if "init_score" not in t:
                    raise ModelError(f"model is missing the field 'tags.[{k}].init_score'")
                need = required_features(t["booster"])
                if need > width:
                    raise ModelError(f"tags[{k}] ('{name}'): trees use feature {need - 1}; the model defines {width}")
            lin = t.get("linear")
            if lin is not None:
                w, mu, sd = lin["weights"], lin["means"], lin["scales"]
                if len(mu) != len(w) or len(sd) != len(w):
                    raise ModelError(f"tags[{k}] ('{name}'): linear model has {len(w)} weights, {len(mu)} means, {len(sd)} scales")
                if len(w) != width:
                    raise ModelError(f"tags[{k}] ('{name}'): {len(w)} weights for {width} features")
                for j, s in enumerate(sd):
                    if not (s > 0 and math.isfinite(s)):
                        raise ModelError(f"tags[{k}] ('{name}'): linear.scales[{j}] is {s}; scales must be finite and > 0")
        if t["path"] == "pooled":
            if version < 2:
                raise ModelError(f"tags[{k}] ('{name}'): path 'pooled' needs format_version 2")
            if features is None:
                raise ModelError("model is missing the field 'features'")
            if pooled is None:
                raise ModelError("model is missing the field 'pooled'")
            if "tag_values" not in t:
                raise ModelError(f"model is missing the field 'tags.[{k}].tag_values'")
            v = t["tag_values"]
            if len(v) != len(pooled["tag_features"]):
                raise ModelError(f"tags[{k}] ('{name}'): {len(v)} tag_values for {len(pooled['tag_features'])} pooled.tag_features")
            width = len(features["per_tag"]) + len(features["shared_columns"]) + len(v)
            need = required_features(pooled["booster"])
            if need > width:
                raise ModelError(f"pooled trees use feature {need - 1}; pooled tags have {width}")
    categories = distinct(labels["categories"])
    if m["decision"] == "hierarchical":
        h = m.get("hierarchy")
        if h is None:
            raise ModelError("model is missing the field 'hierarchy'")
        if len(h["thresholds"]) != len(categories):
            raise ModelError(f"hierarchy.thresholds has {len(h['thresholds'])} values for {len(categories)} categories")
        if h["source"] == "column":
            missing = [c for c in categories if c not in inputs]
            if missing:
                raise ModelError(f"hierarchy reads category columns, but '{missing[0]}' is not among input_columns")
    if features is not None:
        for c in features["shared_columns"]:
            if c not in inputs:
                raise ModelError(f"feature column '{c}' (features.shared_columns) is not among input_columns")
        for column in sorted(features["quantiles"]):
            q = features["quantiles"][column]
            if len(q) < 2 or not all(map(math.isfinite, q)) or any(a > b for a, b in zip(q, q[1:])):
                raise ModelError(f"features.quantiles['{column}'] needs at least 2 finite, increasing knots")
        for kind in features["per_tag"]:
            if kind.startswith("net:") and kind[4:] not in features["networks"]:
                raise ModelError(f"feature '{kind}' names a network missing from features.networks")


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
        """`m`: a model as `decode_model` returns it (valid)."""
        self.one_label = m.get("one_label")
        labels = m["labels"]
        self.tags = labels["tags"]
        self.tag_categories = labels["categories"]
        self.tag_classes = labels["classes"]
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
        self.inputs = m["input_columns"]
        self.entries = m["tags"]
        self.decision = m["decision"]
        self.hierarchy = m.get("hierarchy") if self.decision == "hierarchical" else None
        self.stacked = any(t["path"] != "raw" for t in self.entries)
        # The base score (format version 3): every raw tag's score, and where base_logit trees start.
        self.base = m.get("base")
        if self.base is not None and self.base["kind"] == "primary":
            self.base = None
        self.calibrations = [t.get("calibration") for t in self.entries]
        self.pooled = m.get("pooled") if any(t["path"] == "pooled" for t in self.entries) else None
        if self.stacked:
            f = m["features"]
            self.kinds = f["per_tag"]
            self.shared = f["shared_columns"]
            self.networks = f["networks"]
            self.quantiles = f["quantiles"]


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


def load_model(path):
    """Reads and checks a model file; raises ModelError with a message that starts with the file's name."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ModelError("cannot read: a folder, not a model file")
        if not stat.S_ISREG(st.st_mode):
            raise ModelError("cannot read: not a regular file, not a model file")
        if st.st_size > MAX_MODEL_BYTES:
            raise ModelError(f"cannot read: {st.st_size} bytes, more than the {MAX_MODEL_BYTES} a model file may have")
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ModelError(f"{path}: cannot read: {e.strerror or e}")
    except ModelError as e:
        raise ModelError(f"{path}: {e}")
    try:
        return Model(decode_model(read_json(data)))
    except ModelError as e:
        raise ModelError(f"{path}: {e}")


class Output:
    """One output file, written as TagStack's AtomicFileWriter writes: to a temporary beside the target (symbolic
    links followed), renamed over it by `commit_all` once every output is complete; a character device, FIFO or
    socket (/dev/stdout, a pipe) is written directly, its bytes held until then."""

    def __init__(self, path):
        self.path, self.temporary, self.file = path, None, None
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise ModelError(f"{path}: cannot write: {e.strerror or e}")
        self.direct = st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode))
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise ModelError(f"{path}: cannot write: is a folder")
        if st is not None and not self.direct and not stat.S_ISREG(st.st_mode):
            raise ModelError(f"{path}: cannot write: not a regular file, character device or FIFO")
        self.buffer = io.StringIO()
        if self.direct:
            self.target = path
            return
        self.target = os.path.realpath(path)
        folder, name = os.path.split(self.target)
        if not os.path.isdir(folder):
            raise ModelError(f"{path}: cannot write: folder '{os.path.dirname(path) or '.'}' does not exist")
        self.temporary = os.path.join(folder, f".{name}.score_model-tmp-{os.getpid()}")
        try:
            mask = os.umask(0)
            os.umask(mask)
            fd = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644 & ~mask)
            self.file = io.open(fd, "w", newline="", encoding="utf-8")
        except OSError as e:
            self.temporary = None
            raise ModelError(f"{path}: cannot write: {e.strerror or e}")

    def writer(self):
        return csv.writer(self.buffer if self.direct else self.file, lineterminator="\n")

    def prepare(self):
        """The fallible part: every byte written and synced; the target untouched."""
        if not self.direct:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()

    def finish(self):
        if self.direct:
            data = self.buffer.getvalue().encode("utf-8")
            fd = os.open(self.target, os.O_WRONLY | os.O_NOCTTY)
            try:
                while data:
                    data = data[os.write(fd, data):]
            finally:
                os.close(fd)
        else:
            os.rename(self.temporary, self.target)
            self.temporary = None

    def abort(self):
        if self.file is not None and not self.file.closed:
            self.file.close()
        if self.temporary is not None:
            try:
                os.unlink(self.temporary)
            except OSError:
                pass
            self.temporary = None


def commit_all(outputs):
    """Every output complete first (a failure replaces nothing), then the renames."""
    for o in outputs:
        try:
            o.prepare()
        except OSError as e:
            raise ModelError(f"{o.path}: write failed: {e.strerror or e}")
    for o in outputs:
        try:
            o.finish()
        except OSError as e:
            raise ModelError(f"{o.path}: cannot replace: {e.strerror or e}")


def is_direct(path):
    """A character device, FIFO or socket: written directly, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


class Progress:
    """Rows scored on stderr: on a terminal (or with --progress) and never with --quiet; one line rewritten
    at most twice a second on a terminal, a plain line every ten seconds otherwise. The ETA is measured: the
    elapsed time per row so far times the rows left (rows counted up front when the input is a file)."""

    def __init__(self, a):
        self.terminal = sys.stderr.isatty()
        self.on = not a.quiet and (a.progress or self.terminal)
        self.total = None
        if self.on and os.path.isfile(a.input):
            with open(a.input, "rb") as f:
                self.total = max(sum(1 for _ in f) - 1, 0)
        self.started = self.last = time.monotonic()
        self.shown = False

    def update(self, done, final=False):
        if not self.on:
            return
        now = time.monotonic()
        if not final and now - self.last < (0.5 if self.terminal else 10):
            return
        self.last = now
        elapsed = now - self.started
        text = f"rows {done}" + (f"/{self.total}" if self.total else "") + f"  elapsed {elapsed:.0f}s"
        if self.total and done > 0 and not final:
            text += f"  ETA {elapsed / done * (self.total - done):.0f}s"
        if final:
            text += f"  ({done / elapsed if elapsed > 0 else 0:.0f} rows/s)"
        sys.stderr.write(("\r  " + text + "   " + ("\n" if final else "")) if self.terminal else "  " + text + "\n")
        sys.stderr.flush()
        self.shown = True


def score(a, outputs):
    model = load_model(a.model)
    progress = Progress(a)
    named = [("--scores", a.scores)] + ([("--decisions", a.decisions)] if a.decisions is not None else [])
    for k, (name, out) in enumerate(named):
        if is_direct(out):
            continue
        for other, path in [("--model", a.model), ("--input", a.input)] + named[:k]:
            if same_file(out, path):
                raise ModelError(f"{out}: {name} names the same file as {other}: refused (it would be replaced)")
    try:
        f = open(a.input, newline="", encoding="utf-8")
    except OSError as e:
        raise ModelError(f"{a.input}: cannot read: {e.strerror or e}")
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise ModelError(f"{a.input}: the file is empty")
        columns = header[1:]
        try:
            model.bind(columns)
        except ModelError as e:
            raise ModelError(f"{a.input}: {e}")
        # Only the model's inputs are read: a column the model does not list is absent for it.
        used = [(c, model.col[c]) for c in model.inputs]
        outputs.append(Output(a.scores))
        ws = outputs[-1].writer()
        wd = None
        if a.decisions:
            outputs.append(Output(a.decisions))
            wd = outputs[-1].writer()
        ws.writerow([header[0]] + model.tags)
        if wd:
            wd.writerow([header[0]] + model.tags)
        line = 1
        for line, cells in enumerate(reader, start=2):
            progress.update(line - 2)
            if len(cells) != len(header):
                raise ModelError(f"{a.input}:{line}: {len(cells)} cells for {len(header)} columns")
            row = {c: parse_cell(cells[j + 1], a.input, line, c) for c, j in used}
            p = model.probabilities(row)
            if model.one_label is not None:   # one label a track: the stage, then its argmax
                q = one_label_probabilities(model.one_label, model.tags, p, row)
                ws.writerow([cells[0]] + [repr(v) for v in q])
                if wd:
                    wd.writerow([cells[0]] + [1 if k == q.index(max(q)) else 0 for k in range(len(q))])
                continue
            ws.writerow([cells[0]] + [repr(v) for v in model.calibrate(p)])
            if wd:
                wd.writerow([cells[0]] + model.decide(p, row))
    commit_all(outputs)
    if progress.on:
        progress.update(line - 1, final=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--decisions")
    ap.add_argument("--progress", action="store_true", help="rows scored and the ETA on stderr even when it is not a terminal")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    a = ap.parse_args(argv)
    if a.progress and a.quiet:
        ap.error("--quiet and --progress contradict each other: give one")
    outputs = []

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    for s in (signal.SIGTERM, signal.SIGHUP):   # SIGINT raises KeyboardInterrupt already
        signal.signal(s, interrupted)
    status = 1
    try:
        score(a, outputs)
        return 0
    except KeyboardInterrupt:
        message, status = "interrupted: nothing written", 130
    except ModelError as e:
        message = str(e)
    except (UnicodeDecodeError, csv.Error) as e:
        message = f"{a.input}: cannot read: {e}"
    except OSError as e:
        message = f"{getattr(e, 'filename', None) or a.input}: {e.strerror or e}"
    except RecursionError:
        message = f"{a.model}: malformed model: nested too deep"
    except Exception as e:   # a defect of this script: still one line, still nothing left behind
        message = f"internal error: {type(e).__name__}: {e}"
    finally:
        for o in outputs:
            o.abort()
    print(f"score_model.py: error: {' '.join(message.splitlines())}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
