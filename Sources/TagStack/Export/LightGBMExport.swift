// Export to LightGBM's text model format: one model file per stacked tag with trees, plus a description of
// the per-tag feature vector and the initial score LightGBM does not store. docs/MODEL_FORMAT.md documents
// the export; Scripts/check_lightgbm_export.sh checks LightGBM's scores against TagStack's.
//
// Mapping (LightGBM `src/io/tree.cpp`, `src/boosting/gbdt_model_text.cpp`):
// - `split_feature`, `threshold`, `left_child`, `right_child` are TagStack's arrays unchanged: LightGBM also
//   sends `value <= threshold` left and numbers leaves `~child`;
// - `decision_type` = 8 (missing type NaN, bits 2-3 = 2) + 2 when NaN goes left (default-left bit);
//   bit 0 (categorical) is never set;
// - `leaf_value` already includes the learning rate, so `shrinkage=1`;
// - LightGBM has no per-row initial score in a model file: its raw score is Σ trees, and TagStack's raw score
//   is `init + Σ trees` with `init` the clipped logit of the tag's own score (`own_logit`), of its base score (`base_logit`) or `base_score`;
// - a model with no tree is written with one constant tree of value 0 (LightGBM needs at least one tree).

import Foundation
import TagStackModel

public enum LightGBMExport {
    /// LightGBM feature names: TagStack's names with every character outside `[A-Za-z0-9_]` replaced by `_`
    /// and an `f<j>_` prefix, so names are unique and free of the characters LightGBM rejects.
    public static func featureNames(_ set: FeatureSet, pooled: PooledModel? = nil) -> [String] {
        tagStackNames(set, pooled: pooled).enumerated().map { j, n in
            "f\(j)_" + String(n.unicodeScalars.map { s -> Character in
                (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "_")) ? Character(s) : "_"
            })
        }
    }

    /// TagStack's names of the exported vector: the feature set's, then `tag:<name>` per pooled tag-level value.
    static func tagStackNames(_ set: FeatureSet, pooled: PooledModel?) -> [String] {
        set.names + (pooled?.tagFeatures.map { "tag:" + $0 } ?? [])
    }

    /// The text of a LightGBM model holding `ensemble`'s trees over `featureCount` features.
    public static func modelText(_ ensemble: TreeEnsemble, featureNames: [String]) -> String {
        let trees = ensemble.trees.isEmpty ? [Tree(constant: 0)] : ensemble.trees
        let blocks = trees.enumerated().map { i, t in "Tree=\(i)\n" + treeText(t) + "\n" }
        var s = "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n"
        s += "max_feature_idx=\(featureNames.count - 1)\n"
        s += "objective=binary sigmoid:1\n"
        s += "feature_names=" + featureNames.joined(separator: " ") + "\n"
        s += "feature_infos=" + Array(repeating: "none", count: featureNames.count).joined(separator: " ") + "\n"
        s += "tree_sizes=" + blocks.map { String($0.utf8.count) }.joined(separator: " ") + "\n\n"
        s += blocks.joined()
        // LightGBM's own: split counts, most first (Importance.lightGBMLines), as `train --importance` gives them.
        s += "end of trees\n\nfeature_importances:\n" + Importance.lightGBMLines(ensemble, featureNames: featureNames).map { $0 + "\n" }.joined()
        s += "\nparameters:\n[boosting: gbdt]\n[objective: binary]\nend of parameters\n\npandas_categorical:null\n"
        return s
    }

    /// One tree in LightGBM's `Tree::ToString` layout (ends with a blank line).
    static func treeText(_ t: Tree) -> String {
        func join<T>(_ xs: [T], _ f: (T) -> String) -> String { xs.map(f).joined(separator: " ") }
        let n = t.nodeCount
        var s = "num_leaves=\(t.leafCount)\nnum_cat=0\n"
        s += "split_feature=" + join(t.splitFeature) { String($0) } + "\n"
        s += "split_gain=" + join(Array(repeating: 0, count: n)) { String($0) } + "\n"
        s += "threshold=" + join(t.threshold, number) + "\n"
        s += "decision_type=" + join(t.defaultLeft) { $0 ? "10" : "8" } + "\n"
        s += "left_child=" + join(t.leftChild) { String($0) } + "\n"
        s += "right_child=" + join(t.rightChild) { String($0) } + "\n"
        s += "leaf_value=" + join(t.leafValue, number) + "\n"
        s += "leaf_weight=" + join(Array(repeating: 0, count: t.leafCount)) { String($0) } + "\n"
        s += "leaf_count=" + join(Array(repeating: 0, count: t.leafCount)) { String($0) } + "\n"
        s += "internal_value=" + join(Array(repeating: 0, count: n)) { String($0) } + "\n"
        s += "internal_weight=" + join(Array(repeating: 0, count: n)) { String($0) } + "\n"
        s += "internal_count=" + join(Array(repeating: 0, count: n)) { String($0) } + "\n"
        s += "is_linear=0\nshrinkage=1\n\n"
        return s
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ v: Double) -> String { v.description }

    /// The file name of tag `k`'s model: its index and its name with unsafe characters replaced.
    public static func fileName(tag k: Int, name: String) -> String {
        let safe = String(name.unicodeScalars.map { s -> Character in
            (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "-" || s == "_" || s == ".")) ? Character(s) : "_"
        })
        return String(format: "%03d_", k) + safe + ".txt"
    }

    /// What `export` wrote.
    public struct Summary: Sendable {
        public var exportedTags = 0, rawTags = 0, linearTags = 0
        public var featureRows = 0
    }

    /// Writes one LightGBM model per boosted tag, `features.json` (feature names and per-tag init scores) and
    /// `README.txt` into `directory` (created if needed); with `features`, also `features.csv`: for every
    /// row and boosted tag, the feature vector, the initial score and TagStack's raw score.
    ///
    /// The folder's contents are replaced as a set (`OwnedFolder`): nothing of an older export stays, and a
    /// failure leaves the previous folder as it was. A folder holding files an export does not write is refused.
    public static func export(model: StackerModel, to out: String, features: FeatureTable? = nil) throws -> Summary {
        let folder = try OwnedFolder(path: out, what: "export", owns: isExportFile)
        let directory = folder.staging
        let set = model.features ?? FeatureSet(kinds: [])
        let names = featureNames(set, pooled: model.pooled)
        var summary = Summary()
        var writers: [AtomicFileWriter] = []
        var tags: [[String: Any]] = []
        if let pooled = model.pooled, model.tags.contains(where: { $0.path == .pooled }) {
            let w = try AtomicFileWriter(path: directory + "/pooled.txt")
            try w.write(modelText(pooled.booster, featureNames: names))
            writers.append(w)
        }
        for (k, t) in model.tags.enumerated() {
            tags.append(try tagEntry(t, at: k, model: model, names: names, directory: directory, summary: &summary, writers: &writers))
        }
        var description = featuresJSON(model, set: set, names: names, tags: tags)
        if let stage = model.oneLabel { description["one_label"] = oneLabelDescription(stage) }
        // JSONEncoder, not JSONSerialization: it writes every double so that it reads back to the same bits
        // (thresholds and tag values must reach LightGBM users exactly).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let json = try encoder.encode(JSONValue(description))
        let dw = try AtomicFileWriter(path: directory + "/features.json")
        try dw.write(bytes: [UInt8](json) + [0x0A])
        writers.append(dw)
        let rw = try AtomicFileWriter(path: directory + "/README.txt")
        try rw.write(readme(model: model, names: names, summary: summary))
        writers.append(rw)
        if let x = features {
            let fw = try AtomicFileWriter(path: directory + "/features.csv")
            summary.featureRows = try writeFeatures(model: model, table: x, to: fw)
            writers.append(fw)
        }
        try commitAll(writers)
        try folder.commit()
        return summary
    }

    /// Tag `k`'s entry in `features.json`; a boosted tag's model file goes to `directory` (its writer to
    /// `writers`).
    static func tagEntry(_ t: TagModel, at k: Int, model: StackerModel, names: [String], directory: String,
                         summary: inout Summary, writers: inout [AtomicFileWriter]) throws -> [String: Any] {
        var entry: [String: Any] = ["index": k, "tag": t.name, "path": t.path.rawValue, "threshold": t.threshold ?? NSNull()]
        if let c = t.calibration {
            entry["calibration"] = ["slope": c.slope, "intercept": c.intercept, "threshold": c.threshold ?? NSNull()] as [String: Any]
        }
        switch t.form {
        case .raw:
            entry["column"] = t.name; summary.rawTags += 1
        case let .pooled(values):
            guard let pooled = model.pooled else { throw ModelError.missingField("pooled") }
            entry["file"] = "pooled.txt"
            entry["init_score"] = pooled.initScore.rawValue
            if pooled.initScore != .ownLogit { entry["base_score"] = pooled.booster.baseScore }
            entry["tag_values"] = values
            summary.exportedTags += 1
        case let .boosted(b, initScore):
            let file = fileName(tag: k, name: t.name)
            let w = try AtomicFileWriter(path: directory + "/" + file)
            try w.write(modelText(b, featureNames: names))
            writers.append(w)
            entry["file"] = file
            entry["init_score"] = initScore.rawValue
            if initScore != .ownLogit { entry["base_score"] = b.baseScore }
            summary.exportedTags += 1
        case .linear:
            entry["learner"] = "linear"
            entry["note"] = "logistic model: not a tree ensemble, not exported (score it with TagStackModel or Scripts/score_model.py)"
            summary.linearTags += 1
        }
        return entry
    }

    /// The `features.json` object (without `one_label`).
    static func featuresJSON(_ model: StackerModel, set: FeatureSet, names: [String], tags: [[String: Any]]) -> [String: Any] {
        [
            "format": "tagstack-lightgbm-export", "export_version": 1,
            "model_format_version": model.formatVersion,
            "documentation": "docs/MODEL_FORMAT.md (sections Features and Export to LightGBM)",
            "input_columns": model.inputColumns,
            "feature_names": names, "tagstack_feature_names": tagStackNames(set, pooled: model.pooled),
            "per_tag": set.kinds.map(\.name), "shared_columns": set.sharedColumns, "networks": set.networks,
            "decision": model.decision.rawValue, "tags": tags,
            "base": model.base.map { b -> Any in
                var d: [String: Any] = ["kind": b.kind.rawValue, "networks": b.networks]
                if let w = b.weights { d["weights"] = w }
                if let i = b.intercepts { d["intercepts"] = i }
                return d
            } ?? NSNull(),
        ]
    }

    /// Whether `name` is a file `export` writes: `NNN_<tag>.txt`, `pooled.txt`, `features.json`, `README.txt`,
    /// `features.csv`.
    static func isExportFile(_ name: String) -> Bool {
        if ["pooled.txt", "features.json", "README.txt", "features.csv"].contains(name) { return true }
        let digits = name.utf8.prefix { $0 >= 48 && $0 <= 57 }.count
        return name.hasSuffix(".txt") && digits >= 3 && name.utf8.dropFirst(digits).first == UInt8(ascii: "_")
    }

    /// `features.csv`: `ChallengeID,tag,init_score,raw_score,<feature names>`, one line per row and boosted tag.
    static func writeFeatures(model: StackerModel, table x: FeatureTable, to w: AtomicFileWriter) throws -> Int {
        let scorer = try ModelScorer(model: model)
        let mapping = try scorer.columnMapping(for: x.columns)
        let set = model.features ?? FeatureSet(kinds: [])
        var builder = try FeatureBuilder(set: set, labels: model.labels, inputColumns: model.inputColumns)
        try w.write(MewoIO.csvRow(["ChallengeID", "tag", "init_score", "raw_score"] + featureNames(set, pooled: model.pooled)))
        let boosted = model.tags.enumerated().filter { $0.element.booster != nil || $0.element.path == .pooled }
        let own = boosted.map { k, _ in model.inputColumns.firstIndex(of: model.labels.tags[k])! }
        var row = [Double](repeating: 0, count: mapping.count)
        let width = set.count + (model.pooled?.tagFeatures.count ?? 0)
        var f = [Double](repeating: 0, count: max(width, 1))
        var lines = 0
        for i in 0..<x.rowCount {
            for j in 0..<mapping.count { row[j] = x.values[i * x.columnCount + mapping[j]] }
            row.withUnsafeBufferPointer { builder.prepare(row: $0) }
            var text = ""
            for (b, (k, t)) in boosted.enumerated() {
                f.withUnsafeMutableBufferPointer { builder.features(tag: k, into: $0) }
                let ensemble: TreeEnsemble, start: InitScore
                switch t.form {
                case let .pooled(values):
                    guard let pooled = model.pooled else { throw ModelError.missingField("pooled") }
                    for (j, v) in values.enumerated() { f[set.count + j] = v }
                    ensemble = pooled.booster; start = pooled.initScore
                case let .boosted(b, initScore):
                    ensemble = b; start = initScore
                case .raw, .linear:
                    continue   // `boosted` holds only tags with trees
                }
                let initScore: Double
                switch start {
                case .ownLogit: initScore = clippedLogit(row[own[b]])
                case .baseLogit: initScore = clippedLogit(baseScore(model, tag: k, row: row))
                case .baseScore: initScore = ensemble.baseScore
                }
                let raw = ensemble.rawScore(row: f, initScore: initScore)
                try w.write(text); text = ""
                try w.write(bytes: MewoIO.csvID(x.ids[i]))
                text += "," + MewoIO.csvField(t.name) + "," + number(initScore) + "," + number(raw)
                for v in f.prefix(width) { text += "," + number(v) }
                text += "\n"
                lines += 1
            }
            try w.write(text)
        }
        return lines
    }

    /// Tag `k`'s base score on a row laid out as `model.inputColumns` (its own column without a base).
    /// What LightGBM cannot express: a one-label model's softmax stage (one distribution over every tag's
    /// score, `one_label`), written out with its numbers for the caller to apply after the per-tag scores.
    static let oneLabelNote = "not exported: the one-label stage turns every tag's score into one distribution over the tags (a softmax across tags, or a renormalisation), which LightGBM's per-tag models cannot express; apply it to the per-tag scores (docs/MODEL_FORMAT.md, One label a track) and take the argmax as the decision, or score with TagStackModel or Scripts/score_model.py"

    static func oneLabelDescription(_ stage: OneLabelStage) -> [String: Any] {
        var d: [String: Any] = ["note": oneLabelNote]
        switch stage {
        case .renormalised:
            d["kind"] = "renormalised"
        case .softmax(let st):
            d["kind"] = "softmax"; d["networks"] = st.networks; d["weights"] = st.weights
            if let b = st.biases { d["biases"] = b }
        case .multinomial(let m):
            d["kind"] = "multinomial"; d["columns"] = m.columns; d["means"] = m.means; d["scales"] = m.scales
            d["coefficients"] = m.coefficients; d["intercepts"] = m.intercepts
        }
        return d
    }

    static func baseScore(_ model: StackerModel, tag k: Int, row: [Double]) -> Double {
        let name = model.labels.tags[k]
        guard let base = model.base else { return row[model.inputColumns.firstIndex(of: name)!] }
        let sources = ([name] + base.networks.map { $0 + ":" + name }).map { c in
            model.inputColumns.firstIndex(of: c).map { row[$0] } ?? .nan
        }
        return sources.withUnsafeBufferPointer { base.score(tag: k, sources: $0) }
    }

    static func readme(model: StackerModel, names: [String], summary: Summary) -> String {
        let set = model.features ?? FeatureSet(kinds: [])
        var s = """
        TagStack model exported to LightGBM's text model format
        =======================================================

        \(summary.exportedTags) boosted tag(s) exported (one NNN_<tag>.txt each, or pooled.txt shared by every pooled tag), \(summary.rawTags) raw tag(s), \(summary.linearTags) logistic tag(s) (not exported).
        features.json lists every tag: its path, model file, init score and threshold.

        Scoring tag t with LightGBM:
          1. Build t's feature vector from the input row (columns named as in input_columns), in this order:

        """
        for (j, n) in set.names.enumerated() { s += "       \(j) \(names[j]) = \(n)\n" }
        for (j, n) in (model.pooled?.tagFeatures ?? []).enumerated() {
            s += "       \(set.count + j) \(names[set.count + j]) = the tag's tag_values[\(j)] (\(n)) from features.json (pooled tags only)\n"
        }
        s += """

             Each per-tag feature is defined in docs/MODEL_FORMAT.md (Features), relative to tag t; `col:NAME` is
             the input column NAME unchanged. Missing values are NaN (LightGBM routes them to the default side).
          2. raw = LightGBM's raw score (predict with raw_score=True) + init, where init is
             log(p / (1 - p)) with p = min(max(s_t, 1e-7), 1 - 1e-7) and s_t the tag's own input column
             (init_score "own_logit"), the same of the tag's base score (init_score "base_logit": features.json
             "base", docs/MODEL_FORMAT.md Base score; features.csv gives init per row), or the constant base_score
             (init_score "base_score").
          3. score = 1 / (1 + exp(-raw)); the tag is predicted when score >= threshold (null: never), then the
             model's decision rule "\(model.decision.rawValue)" applies (docs/MODEL_FORMAT.md, Decisions).
          4. probability written out = 1 / (1 + exp(-(slope * logit(score) + intercept))) with the tag's
             "calibration" in features.json (logit clipped as in 2), or the score clamped to [0, 1] without one.
        Raw tags: score = the tag's base score (its own input column without a base).

        'tagstack export --features-for X.csv' also writes features.csv: per row and boosted tag, the feature
        vector, init_score and TagStack's raw score. Scripts/check_lightgbm_export.sh compares LightGBM with it.

        """
        if model.oneLabel != nil {
            s += """
            ONE LABEL A TRACK: this model's probabilities are NOT the per-tag scores above. Its "one_label" stage
            (features.json) is \(oneLabelNote).

            """
        }
        return s
    }
}

/// A JSON value built from `[String: Any]`-style literals, encoded with `JSONEncoder` (exact doubles).
enum JSONValue: Encodable {
    case string(String), int(Int), double(Double), bool(Bool), null
    case array([JSONValue]), object([String: JSONValue])

    init(_ any: Any) {
        switch any {
        case let v as String: self = .string(v)
        case let v as Int: self = .int(v)
        case let v as Double: self = .double(v)
        case let v as Bool: self = .bool(v)
        case let v as [Any]: self = .array(v.map(JSONValue.init))
        case let v as [String: Any]: self = .object(v.mapValues(JSONValue.init))
        default: self = .null
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .null: try c.encodeNil()
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }
}
