#!/usr/bin/env python3
"""Writes the corpus of invalid models that both scorers must refuse (the Swift library, StackerModel.load, and
Scripts/score_model.py), each made by one change to a golden model, and expected.tsv: per file, a text the
error message must contain (the field's path, as Swift writes it: 'tags.[2].booster', 'tags[2]' in the
invariant checks), and what is wrong. Run from anywhere: python3 Tests/TagStackModelTests/InvalidModels/make_invalid.py

Tests: ModelFileTests.testInvalidModelCorpusIsRefused (Swift) and PythonScorerTests.testInvalidModelCorpusIsRefused.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "Golden")


def golden(name):
    with open(os.path.join(GOLDEN, name + ".json")) as f:
        return json.load(f)


def golden_text(name):
    with open(os.path.join(GOLDEN, name + ".json")) as f:
        return f.read()


def text_replace(text, old, new):
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def tree(m, k=2, i=0):
    return m["tags"][k]["booster"]["trees"][i]


def set_(obj, *path_and_value):
    *path, key, value = path_and_value
    for p in path:
        obj = obj[p]
    obj[key] = value


CASES = []   # (name, golden, change, expected substring, what)


def case(name, base, expected, what):
    def register(change):
        CASES.append((name, base, change, expected, what))
        return change
    return register


# --- The cases of issue 20, item 16 -----------------------------------------------------------------------------
@case("labels-lengths", "thresholds", "at 'labels'", "labels.categories one shorter than labels.tags")
def _(m): m["labels"]["categories"].pop()

@case("quantiles-unsorted", "gbdt-hierarchical", "features.quantiles['genres-c04-t01']", "knots not increasing")
def _(m): m["features"]["quantiles"]["genres-c04-t01"]["knots"].reverse()

@case("quantiles-one-knot", "gbdt-hierarchical", "features.quantiles['genres-c04-t01']", "a single knot")
def _(m): m["features"]["quantiles"]["genres-c04-t01"]["knots"] = [0.5]

@case("quantiles-empty", "gbdt-hierarchical", "features.quantiles['genres-c04-t01']", "no knots")
def _(m): m["features"]["quantiles"]["genres-c04-t01"]["knots"] = []

@case("base-primary-weights", "gbdt-hierarchical", "base.weights", "base 'primary' with weights")
def _(m): m["base"] = {"kind": "primary", "networks": ["n2"], "weights": [1.0, 0.0]}

@case("base-networks-string", "gbdt-hierarchical", "base.networks", "base.networks a string")
def _(m): m["base"]["networks"] = "n2"

@case("hierarchy-source-unknown", "gbdt-hierarchical", "hierarchy.source", "hierarchy.source 'category'")
def _(m): m["hierarchy"]["source"] = "category"

@case("calibration-threshold-string", "thresholds", "tags.[3].calibration.threshold", "a string calibration threshold")
def _(m): m["tags"][3]["calibration"]["threshold"] = "0.5"

@case("base-weights-number", "gbdt-blend-track", "base.weights", "base.weights a number")
def _(m): m["base"]["weights"] = 1.5

@case("hierarchy-thresholds-short", "gbdt-hierarchical", "hierarchy.thresholds", "one threshold fewer than categories")
def _(m): m["hierarchy"]["thresholds"].pop()

@case("format-version-string", "thresholds", "format_version", "format_version \"3\"")
def _(m): m["format_version"] = "3"

@case("tree-threshold-null", "gbdt-hierarchical", "tags.[2].booster.trees.[0].threshold.[1]", "a null tree threshold")
def _(m): tree(m)["threshold"][1] = None

# --- Header -----------------------------------------------------------------------------------------------------
@case("format-version-fraction", "thresholds", "format_version", "format_version 3.5")
def _(m): m["format_version"] = 3.5

@case("format-version-bool", "thresholds", "format_version", "format_version true")
def _(m): m["format_version"] = True

@case("format-version-newer", "thresholds", "format_version 5", "a newer version")
def _(m): m["format_version"] = 5


@case("one-label-old-version", "one-label", "'one_label' needs format_version 4", "the one-label stage in a version 3 file")
def _(m): m["format_version"] = 3


@case("one-label-weights-length", "one-label", "one_label.weights", "softmax weights: one too few")
def _(m): m["one_label"]["weights"] = m["one_label"]["weights"][:-1]


@case("one-label-kind-unknown", "one-label", "one_label", "an unknown one_label kind")
def _(m): m["one_label"]["kind"] = "sparsemax"


@case("one-label-scales-zero", "one-label-insample", "one_label.scales[0]", "a multinomial scale of 0")
def _(m): m["one_label"]["scales"][0] = 0.0


@case("one-label-calibrated", "one-label", "not a calibration", "a calibration beside the one-label stage")
def _(m): m["tags"][0]["calibration"] = {"slope": 1.0, "intercept": 0.0}

@case("format-missing", "thresholds", "'format'", "no format field")
def _(m): del m["format"]

@case("format-number", "thresholds", "format", "format a number")
def _(m): m["format"] = 1

# --- Top level --------------------------------------------------------------------------------------------------
@case("learner-null", "thresholds", "learner", "learner null")
def _(m): m["learner"] = None

@case("learner-duplicate-key", "thresholds", "learner", "learner given twice: the first (a number) counts")
def _(t): return text_replace(t, '"learner":"thresholds"', '"learner":5,"learner":"thresholds"')

@case("training-missing", "thresholds", "training", "no training field")
def _(m): del m["training"]

@case("training-number", "thresholds", "training.rows", "a number among training's strings")
def _(m): m["training"]["rows"] = 300

@case("input-columns-number", "thresholds", "input_columns.[0]", "a number among input_columns")
def _(m): m["input_columns"][0] = 1

@case("decision-unknown", "thresholds", "decision", "decision 'top_k'")
def _(m): m["decision"] = "top_k"

@case("labels-duplicate-tag", "thresholds", "at 'labels'", "a tag named twice")
def _(m): m["labels"]["tags"][1] = m["labels"]["tags"][0]

@case("tags-count", "thresholds", "labels.tags", "one tag entry fewer than labels")
def _(m): m["tags"].pop()

@case("own-column-missing", "thresholds", "input_columns", "a tag's own column not among input_columns")
def _(m): m["input_columns"].remove(m["tags"][3]["name"])

# --- Tags -------------------------------------------------------------------------------------------------------
@case("tag-name-mismatch", "thresholds", "tags[3].name", "tags[3] named unlike labels.tags[3]")
def _(m): m["tags"][3]["name"] = "zz"

@case("tag-path-unknown", "thresholds", "tags.[3].path", "path 'boosted'")
def _(m): m["tags"][3]["path"] = "boosted"

@case("threshold-missing", "thresholds", "tags.[3].threshold", "no threshold key")
def _(m): del m["tags"][3]["threshold"]

@case("threshold-bool", "thresholds", "tags.[3].threshold", "threshold true")
def _(m): m["tags"][3]["threshold"] = True

@case("threshold-string", "thresholds", "tags.[3].threshold", "threshold \"0.5\"")
def _(m): m["tags"][3]["threshold"] = "0.5"

@case("threshold-out-of-range", "thresholds", "tags.[0].calibration.threshold", "a threshold 1e400: no double holds it")
def _(t): return text_replace(t, '"threshold":0.', '"threshold":1e400,"x":0.')

@case("base-score-underflow", "gbdt-hierarchical", "tags.[2].booster.base_score", "a base_score 1e-400: rounds to 0")
def _(t): return text_replace(t, '"base_score":', '"base_score":1e-400,"x":')

@case("threshold-nan-literal", "thresholds", "not valid JSON", "NaN is not JSON")
def _(t): return text_replace(t, '"threshold":0.', '"threshold":NaN,"x":0.')

@case("calibration-slope-negative", "thresholds", "tags[3]", "calibration slope < 0")
def _(m): m["tags"][3]["calibration"]["slope"] = -1.0

@case("calibration-slope-bool", "thresholds", "tags.[3].calibration.slope", "calibration slope true")
def _(m): m["tags"][3]["calibration"]["slope"] = True

@case("calibration-number", "thresholds", "tags.[3].calibration", "calibration a number")
def _(m): m["tags"][3]["calibration"] = 1.0

@case("calibration-version-2", "v2/thresholds", "'calibration' needs format_version 3", "calibration in a version 2 file")
def _(m): m["tags"][3]["calibration"] = {"slope": 1.0, "intercept": 0.0, "threshold": None}

@case("raw-tag-values-string", "thresholds", "tags.[3].tag_values.[1]", "a raw tag's unused tag_values with a string")
def _(m): m["tags"][3]["tag_values"] = [1.0, "x"]

@case("raw-linear-weights-string", "thresholds", "tags.[3].linear.weights.[0]", "a raw tag's unused linear model with a string")
def _(m): m["tags"][3]["linear"] = {"intercept": 0.0, "weights": ["1"], "means": [0.0], "scales": [1.0]}

# --- Trees ------------------------------------------------------------------------------------------------------
@case("split-feature-fraction", "gbdt-hierarchical", "tags.[2].booster.trees.[0].split_feature.[0]", "split_feature 1.5")
def _(m): tree(m)["split_feature"][0] = 1.5

@case("split-feature-bool", "gbdt-hierarchical", "tags.[2].booster.trees.[0].split_feature.[0]", "split_feature true")
def _(m): tree(m)["split_feature"][0] = True

@case("split-feature-int32", "gbdt-hierarchical", "tags.[2].booster.trees.[0].split_feature.[0]", "split_feature 2^31")
def _(m): tree(m)["split_feature"][0] = 2 ** 31

@case("split-feature-negative", "gbdt-hierarchical", "tags.[2].booster.trees.[0]", "split_feature -1")
def _(m): tree(m)["split_feature"][0] = -1

@case("split-feature-beyond", "gbdt-hierarchical", "tags[2]", "a feature the model does not define")
def _(m): tree(m)["split_feature"][0] = 100

@case("default-left-number", "gbdt-hierarchical", "tags.[2].booster.trees.[0].default_left.[0]", "default_left 1")
def _(m): tree(m)["default_left"][0] = 1

@case("tree-leaf-count", "gbdt-hierarchical", "tags.[2].booster.trees.[0]", "one leaf value too few")
def _(m): tree(m)["leaf_value"].pop()

@case("tree-lengths", "gbdt-hierarchical", "tags.[2].booster.trees.[0]", "default_left one shorter")
def _(m): tree(m)["default_left"].pop()

@case("tree-child-out-of-range", "gbdt-hierarchical", "tags.[2].booster.trees.[0]", "a child leaf beyond the leaves")
def _(m): tree(m)["left_child"][0] = -100

@case("tree-shared-child", "gbdt-hierarchical", "tags.[2].booster.trees.[0]", "two parents for one leaf: not a tree")
def _(m):
    t = tree(m)
    t["right_child"][1] = t["left_child"][1]

@case("tree-leaf-value-null", "gbdt-hierarchical", "tags.[2].booster.trees.[0].leaf_value.[0]", "a null leaf value")
def _(m): tree(m)["leaf_value"][0] = None

@case("booster-trees-missing", "gbdt-hierarchical", "tags.[2].booster.trees", "a booster without trees")
def _(m): del m["tags"][2]["booster"]["trees"]

@case("raw-tag-broken-tree", "gbdt-hierarchical", "tags.[2].booster.trees.[0]", "a raw tag's unused booster is still read")
def _(m):
    m["tags"][2]["path"] = "raw"
    tree(m)["left_child"][0] = -100

@case("raw-tag-init-score-unknown", "thresholds", "tags.[3].init_score", "init_score 'zero' on a raw tag")
def _(m): m["tags"][3]["init_score"] = "zero"

@case("stacked-init-score-missing", "gbdt-hierarchical", "tags.[2].init_score", "a booster without init_score")
def _(m): del m["tags"][2]["init_score"]

@case("stacked-booster-and-linear", "gbdt-hierarchical", "tags[2]", "both booster and linear")
def _(m): m["tags"][2]["linear"] = {"intercept": 0.0, "weights": [0.0] * 12, "means": [0.0] * 12, "scales": [1.0] * 12}

@case("base-logit-version-2", "v2/gbdt-all-track", "init_score 'base_logit' needs format_version 3", "base_logit in a version 2 file")
def _(m): m["tags"][2]["init_score"] = "base_logit"

# --- Linear models ----------------------------------------------------------------------------------------------
@case("linear-means-short", "logistic-class", "tags[2]", "one mean fewer than weights")
def _(m): m["tags"][2]["linear"]["means"].pop()

@case("linear-weights-count", "logistic-class", "tags[2]", "weights for more features than the model defines")
def _(m):
    lin = m["tags"][2]["linear"]
    for k in ("weights", "means", "scales"):
        lin[k].append(1.0)

@case("linear-scale-zero", "logistic-class", "linear.scales[1]", "a zero scale")
def _(m): m["tags"][2]["linear"]["scales"][1] = 0

@case("linear-intercept-string", "logistic-class", "tags.[2].linear.intercept", "intercept a string")
def _(m): m["tags"][2]["linear"]["intercept"] = "0"

# --- Pooled -----------------------------------------------------------------------------------------------------
@case("pooled-tag-values-count", "pooled-class", "tag_values", "one tag value fewer than pooled.tag_features")
def _(m): m["tags"][0]["tag_values"].pop()

@case("pooled-tag-values-missing", "pooled-class", "tags.[0].tag_values", "a pooled tag without tag_values")
def _(m): del m["tags"][0]["tag_values"]

@case("pooled-missing", "pooled-class", "'pooled'", "pooled tags without the pooled ensemble")
def _(m): del m["pooled"]

@case("pooled-init-score-unknown", "pooled-class", "pooled.init_score", "pooled.init_score 'zero'")
def _(m): m["pooled"]["init_score"] = "zero"

@case("pooled-feature-beyond", "pooled-class", "pooled trees use feature", "a pooled split on a feature beyond the vector")
def _(m): m["pooled"]["booster"]["trees"][0]["split_feature"][0] = 1000

@case("pooled-path-version-1", "v1/gbdt-hierarchical", "tags[3]", "path 'pooled' in a version 1 file")
def _(m): m["tags"][3]["path"] = "pooled"

@case("pooled-unused-broken-tree", "thresholds", "pooled.booster.trees.[0]", "an unused pooled ensemble is still read")
def _(m):
    m["pooled"] = {"tag_features": [], "init_score": "base_score", "booster": {"base_score": 0.0, "trees": [
        {"split_feature": [0], "threshold": [0.5], "left_child": [-1], "right_child": [-1], "default_left": [True],
         "leaf_value": [0.0, 0.0]}]}}

# --- Features ---------------------------------------------------------------------------------------------------
@case("features-missing", "gbdt-hierarchical", "'features'", "stacked tags without features")
def _(m): del m["features"]

@case("features-kind-unknown", "gbdt-hierarchical", "features.per_tag", "feature 'rank'")
def _(m): m["features"]["per_tag"].append("rank")

@case("features-network-unknown", "gbdt-hierarchical", "features.networks", "feature 'net:n3' for an unlisted network")
def _(m): m["features"]["per_tag"].append("net:n3")

@case("features-shared-column-missing", "gbdt-hierarchical", "features.shared_columns", "a shared column not among input_columns")
def _(m): m["features"]["shared_columns"].append("zz")

@case("features-networks-string", "gbdt-hierarchical", "features.networks", "features.networks a string")
def _(m): m["features"]["networks"] = "n2"

@case("quantiles-knots-null", "gbdt-hierarchical", "features.quantiles.genres-c04-t01.knots", "knots null")
def _(m): m["features"]["quantiles"]["genres-c04-t01"]["knots"] = None

@case("quantiles-knot-string", "gbdt-hierarchical", "features.quantiles.genres-c04-t01.knots.[3]", "a knot \"0.5\"")
def _(m): m["features"]["quantiles"]["genres-c04-t01"]["knots"][3] = "0.5"

@case("raw-model-features-unsorted", "thresholds", "features.quantiles['zz']", "an unused features object is still checked")
def _(m): m["features"] = {"per_tag": [], "shared_columns": [], "networks": [], "quantiles": {"zz": {"knots": [2, 1]}}}

# --- Decisions --------------------------------------------------------------------------------------------------
@case("hierarchy-missing", "gbdt-hierarchical", "'hierarchy'", "the hierarchical rule without hierarchy")
def _(m): del m["hierarchy"]

@case("hierarchy-threshold-string", "gbdt-hierarchical", "hierarchy.thresholds.[0]", "a string category threshold")
def _(m): m["hierarchy"]["thresholds"][0] = "0.5"

@case("hierarchy-column-missing", "gbdt-hierarchical", "input_columns", "a category column not among input_columns")
def _(m): m["input_columns"].remove("genres-c04")

@case("hierarchy-unused-source-number", "thresholds", "hierarchy.source", "an unused hierarchy is still read")
def _(m): m["hierarchy"] = {"source": 1, "thresholds": []}

# --- Base score -------------------------------------------------------------------------------------------------
@case("base-kind-unknown", "gbdt-hierarchical", "base.kind", "base kind 'max'")
def _(m): m["base"]["kind"] = "max"

@case("base-version-2", "v2/thresholds", "'base' needs format_version 3", "base in a version 2 file")
def _(m): m["base"] = {"kind": "mean", "networks": []}

@case("base-blend-intercepts-missing", "gbdt-blend-track", "base.intercepts", "blend without intercepts")
def _(m): del m["base"]["intercepts"]

@case("base-blend-weights-count", "gbdt-blend-track", "base.weights", "one weight too many")
def _(m): m["base"]["weights"].append(0.5)

@case("base-blend-intercepts-count", "gbdt-blend-track", "base.intercepts", "one intercept too few")
def _(m): m["base"]["intercepts"].pop()

@case("base-mean-intercepts", "gbdt-hierarchical", "base.intercepts", "base 'mean' with intercepts")
def _(m): m["base"]["intercepts"] = [0.0] * 16

@case("base-weight-string", "gbdt-blend-track", "base.weights.[1]", "a string weight")
def _(m): m["base"]["weights"][1] = "0.5"

# --- JSON -------------------------------------------------------------------------------------------------------
@case("not-an-object", "thresholds", "not valid JSON", "a JSON array")
def _(t): return "[" + t.strip() + "]\n"

@case("trailing-text", "thresholds", "not valid JSON", "text after the object")
def _(t): return t + "x\n"


def main():
    for f in os.listdir(HERE):
        if f.endswith(".json"):
            os.remove(os.path.join(HERE, f))
    rows = ["file\texpected\twhat"]
    for name, base, change, expected, what in CASES:
        if change.__code__.co_varnames[:1] == ("t",):
            text = change(golden_text(base))
        else:
            m = golden(base)
            change(m)
            text = json.dumps(m, sort_keys=True, separators=(",", ":")) + "\n"
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            f.write(text)
        rows.append(f"{name}.json\t{expected}\t{what} (from Golden/{base}.json)")
    with open(os.path.join(HERE, "expected.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"{len(CASES)} invalid models written to {HERE}")


if __name__ == "__main__":
    main()
