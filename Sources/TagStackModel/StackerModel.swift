// The model file: versioned JSON that another service loads to score tracks without the training code.
// docs/MODEL_FORMAT.md documents every field.

import Foundation

/// How a tag's probability is obtained.
public enum TagPath: String, Codable, Sendable, CaseIterable {
    /// The tag's own first-stage score, as read from the input column named like the tag.
    case raw
    /// The tag's own model's output (`TagModel.Form.boosted` or `.linear`).
    case stacked
    /// The model-level shared ensemble (`StackerModel.pooled`) applied to the tag's feature vector followed by
    /// the tag's values (`TagModel.Form.pooled`, format version 2).
    case pooled
}

/// Where a boosted tag model's raw score starts before its trees are added.
public enum InitScore: String, Codable, Sendable {
    /// The ensemble's `base_score` (a constant: the prior log-odds).
    case baseScore = "base_score"
    /// `clippedLogit(s_t)`, the logit of the tag's own first-stage score (clipped to [1e-7, 1 − 1e-7]), so a
    /// model with no trees reproduces the network's score.
    case ownLogit = "own_logit"
    /// `clippedLogit(base_t)`, the logit of the tag's base score (`StackerModel.base`, format version 3).
    case baseLogit = "base_logit"
}

/// Per-tag part of a model: how its score is computed, the map to its probability and the threshold that
/// turns its score into 0/1.
public struct TagModel: Codable, Sendable, Equatable {
    /// How a tag's score is computed: one case per kind of tag model, each holding exactly what it needs, so a
    /// tag model cannot lack its parts or carry another kind's.
    public enum Form: Sendable, Equatable {
        /// The tag's own first-stage score (path `raw`).
        case raw
        /// Stacked with trees (path `stacked`): score = sigmoid(start + Σ trees(features)), the start given by
        /// `initScore`.
        case boosted(TreeEnsemble, initScore: InitScore)
        /// Stacked with a logistic model (path `stacked`): score = sigmoid(linear(features)).
        case linear(LinearModel)
        /// Pooled (path `pooled`, format version 2): the shared ensemble (`StackerModel.pooled`) over the tag's
        /// feature vector followed by these values, one per `PooledModel.tagFeatures` name.
        case pooled(tagValues: [Double])

        /// The path the model file names for this form.
        public var path: TagPath {
            switch self {
            case .raw: return .raw
            case .boosted, .linear: return .stacked
            case .pooled: return .pooled
            }
        }
    }

    public var name: String
    public var form: Form
    /// The tag is predicted when `probability >= threshold`; `nil` means never predicted (no positive in training).
    public var threshold: Double?
    /// The map from the tag's score to the probability written out (format version 3); nil: the score
    /// itself, clamped to [0, 1].
    public var calibration: Calibration?

    public var path: TagPath { form.path }
    /// The trees of a boosted tag; nil for every other form.
    public var booster: TreeEnsemble? { if case .boosted(let b, _) = form { return b } else { return nil } }
    /// The logistic model of a linear tag; nil for every other form.
    public var linear: LinearModel? { if case .linear(let l) = form { return l } else { return nil } }
    /// The tag-level values of a pooled tag; nil for every other form.
    public var tagValues: [Double]? { if case .pooled(let v) = form { return v } else { return nil } }

    public init(name: String, form: Form, threshold: Double?, calibration: Calibration? = nil) {
        self.name = name; self.form = form; self.threshold = threshold; self.calibration = calibration
    }

    enum CodingKeys: String, CodingKey { case name, path, threshold, booster, initScore = "init_score", linear, tagValues = "tag_values", calibration }

    /// Refuses a path the file's format version does not have (`pooled` came with version 2).
    static func checkPath(_ path: TagPath, formatVersion: Int, at: String) throws {
        let first = path == .pooled ? 2 : 1
        guard formatVersion >= first else { throw ModelError.invalid("\(at): path '\(path.rawValue)' needs format_version \(first)") }
    }

    /// The `userInfo` key under which `StackerModel.decode` gives the file's format version to the tags' decoder.
    static let formatVersionKey = CodingUserInfoKey(rawValue: "tagstack.format_version")!

    /// Reads the fields the path needs into its form. Every field present is decoded whatever the path (a
    /// broken field is refused even where the path does not use it); those the path does not use are then
    /// dropped.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        let path = try c.decode(TagPath.self, forKey: .path)
        // The key is required; its value may be null ("never predicted").
        guard c.contains(.threshold) else {
            throw DecodingError.keyNotFound(CodingKeys.threshold, .init(codingPath: c.codingPath, debugDescription: "threshold"))
        }
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        let booster = try c.decodeIfPresent(TreeEnsemble.self, forKey: .booster)
        let initScore = try c.decodeIfPresent(InitScore.self, forKey: .initScore)
        let linear = try c.decodeIfPresent(LinearModel.self, forKey: .linear)
        let tagValues = try c.decodeIfPresent([Double].self, forKey: .tagValues)
        calibration = try c.decodeIfPresent(Calibration.self, forKey: .calibration)
        let at = c.codingPath.map(StackerModel.pathComponent).joined(separator: ".")
        let tag = (c.codingPath.last?.intValue.map { "tags[\($0)]" } ?? "tag") + " ('\(name)')"
        if let version = decoder.userInfo[TagModel.formatVersionKey] as? Int {
            try TagModel.checkPath(path, formatVersion: version, at: tag)
        }
        switch (path, booster, linear) {
        case (.raw, _, _):
            form = .raw
        case let (.stacked, b?, nil):
            guard let initScore else { throw ModelError.missingField(at + ".init_score") }
            form = .boosted(b, initScore: initScore)
        case let (.stacked, nil, l?):
            form = .linear(l)
        case (.stacked, _, _):
            throw ModelError.invalid("\(tag) is stacked: it needs exactly one of booster, linear")
        case (.pooled, _, _):
            guard let tagValues else { throw ModelError.missingField(at + ".tag_values") }
            form = .pooled(tagValues: tagValues)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(path, forKey: .path)
        try c.encode(threshold, forKey: .threshold)   // `null` when never predicted, never omitted
        switch form {
        case .raw: break
        case let .boosted(b, initScore):
            try c.encode(b, forKey: .booster)
            try c.encode(initScore, forKey: .initScore)
        case let .linear(l): try c.encode(l, forKey: .linear)
        case let .pooled(v): try c.encode(v, forKey: .tagValues)
        }
        try c.encodeIfPresent(calibration, forKey: .calibration)
    }
}

/// One ensemble shared by every `pooled` tag (the `pooled` learner: one model over all (track, tag) pairs).
///
/// A pooled tag's vector is its feature vector (`FeatureSet`: per-tag kinds, then shared columns) followed
/// by its `TagModel.tagValues`, one per `tagFeatures` name; its raw score starts from `initScore` and adds
/// the trees. The tag-level values are numbers fixed at training (the tag's prevalence, its class, ...):
/// a scorer never computes them, so their names are documentation.
public struct PooledModel: Codable, Sendable, Equatable {
    /// Names of the tag-level values, in vector order (see docs/MODEL_FORMAT.md, Pooled).
    public var tagFeatures: [String]
    /// Where the raw score starts.
    public var initScore: InitScore
    public var booster: TreeEnsemble

    public init(tagFeatures: [String], initScore: InitScore, booster: TreeEnsemble) {
        self.tagFeatures = tagFeatures; self.initScore = initScore; self.booster = booster
    }

    enum CodingKeys: String, CodingKey { case tagFeatures = "tag_features", initScore = "init_score", booster }
}

/// What to do after thresholds: optionally force at least one tag per class or per track.
public enum DecisionRule: String, Codable, Sendable, CaseIterable {
    /// Per-tag thresholds alone.
    case thresholds
    /// Within each class, when no tag passes, predict the one with the largest probability / threshold.
    case atLeastOnePerClass = "at_least_one_per_class"
    /// When no tag of a track passes, predict the one with the largest probability / threshold.
    case atLeastOnePerTrack = "at_least_one_per_track"
    /// Categories first (see `Hierarchy`), then a tag only inside a chosen category.
    case hierarchical
}

/// The challenge's hierarchical strategy: decide each category, then keep a tag only if its category is on.
public struct Hierarchy: Codable, Sendable, Equatable {
    /// What a category's score is.
    public enum Source: String, Codable, Sendable {
        /// The input column named like the category.
        case column
        /// The largest probability among the category's tags.
        case maxTag = "max_tag"
    }
    public var source: Source
    /// Per category (in `LabelSet.categories` order): on when `score >= threshold`; `null` means always on.
    public var thresholds: [Double?]

    public init(source: Source, thresholds: [Double?]) { self.source = source; self.thresholds = thresholds }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(thresholds, forKey: .thresholds)   // nulls kept: one entry per category
    }
}

/// A trained TagStack model.
public struct StackerModel: Codable, Sendable, Equatable {
    /// The value of the `format` field of every TagStack model file.
    public static let formatName = "tagstack-model"
    /// The format version this build writes (2 added the `pooled` path, 3 the model-level `base` score,
    /// `base_logit` initial scores and per-tag `calibration`; older files read unchanged).
    public static let currentFormatVersion = 3
    /// The format version of a model with a one-label stage (`oneLabel`, 4): the only models written with it,
    /// so a model without the stage keeps the bytes version 3 gave it.
    public static let oneLabelFormatVersion = 4
    /// The format versions this build reads.
    public static let supportedFormatVersions = 1...4

    public var format: String = StackerModel.formatName
    public var formatVersion: Int = StackerModel.currentFormatVersion
    /// The learner that produced the model (`constant`, `thresholds`, ...). Informational.
    public var learner: String
    public var labels: LabelSet
    /// The input columns the model reads, by name (the training X header without `ChallengeID`).
    public var inputColumns: [String]
    /// One entry per tag, in `labels.tags` order.
    public var tags: [TagModel]
    public var decision: DecisionRule
    /// Per-category thresholds, with `decision == .hierarchical`.
    public var hierarchy: Hierarchy?
    /// The features stacked and pooled tags read (nil when every tag is raw).
    public var features: FeatureSet?
    /// The shared ensemble of `pooled` tags (format version 2).
    public var pooled: PooledModel?
    /// The score every tag starts from (format version 3); nil: the primary network's score.
    public var base: BaseScore?
    /// One label a track (format version 4): the stage that turns the tags' scores into one distribution a
    /// track, decided by its argmax; nil for multi-label models.
    public var oneLabel: OneLabelStage?
    /// Free-form facts about training (seed, row count, options); never read when scoring.
    public var training: [String: String]

    public init(learner: String, labels: LabelSet, inputColumns: [String], tags: [TagModel],
                decision: DecisionRule, hierarchy: Hierarchy? = nil, features: FeatureSet? = nil,
                pooled: PooledModel? = nil, base: BaseScore? = nil, training: [String: String] = [:]) {
        self.learner = learner; self.labels = labels; self.inputColumns = inputColumns
        self.tags = tags; self.decision = decision; self.hierarchy = hierarchy; self.features = features
        self.pooled = pooled; self.base = base; self.training = training
    }

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", learner, labels, inputColumns = "input_columns"
        case tags, decision, hierarchy, features, pooled, base, training, oneLabel = "one_label"
    }

    /// Checks invariants a decoder cannot: one tag entry per label, in order, and inputs that carry every
    /// raw tag's score column.
    public func validate() throws {
        guard tags.count == labels.count else {
            throw ModelError.invalid("model has \(tags.count) tag entries ('tags') for \(labels.count) labels ('labels.tags')")
        }
        let inputs = Set(inputColumns)
        if let base {
            guard formatVersion >= 3 else { throw ModelError.invalid("'base' needs format_version 3") }
            try base.validate(tags: labels.count)
        }
        if let oneLabel {
            guard formatVersion >= 4 else { throw ModelError.invalid("'one_label' needs format_version 4") }
            try oneLabel.validate(tags: labels.count, inputColumns: inputs)
            if let k = tags.firstIndex(where: { $0.calibration != nil }) {
                throw ModelError.invalid("tags[\(k)] ('\(tags[k].name)'): a one-label model's probabilities come from 'one_label', not a calibration")
            }
        }
        for (k, t) in tags.enumerated() { try validate(tag: t, at: k, inputs: inputs) }
        try validateHierarchy(inputs: inputs)
        try validateFeatures(inputs: inputs)
    }

    /// Tag entry `k`: its name, threshold, calibration and own score column, then its form.
    private func validate(tag t: TagModel, at k: Int, inputs: Set<String>) throws {
        if let c = t.calibration {
            guard formatVersion >= 3 else { throw ModelError.invalid("tags[\(k)] ('\(t.name)'): 'calibration' needs format_version 3") }
            guard c.slope > 0 && c.slope.isFinite && c.intercept.isFinite else {
                throw ModelError.invalid("tags[\(k)] ('\(t.name)'): calibration needs a finite slope > 0 and a finite intercept")
            }
        }
        guard t.name == labels.tags[k] else {
            throw ModelError.invalid("tags[\(k)].name is '\(t.name)'; labels.tags[\(k)] is '\(labels.tags[k])'")
        }
        if let th = t.threshold, th.isNaN { throw ModelError.invalid("tags[\(k)].threshold is NaN") }
        if !inputs.contains(t.name) {
            throw ModelError.invalid("tag '\(t.name)': its own score column is not among input_columns")
        }
        let at = "tags[\(k)] ('\(t.name)')"
        try TagModel.checkPath(t.path, formatVersion: formatVersion, at: at)
        try validate(form: t.form, at: at)
    }

    /// A tag's form (`at` names the tag): its trees' features, linear coefficients, pooled tag values.
    private func validate(form: TagModel.Form, at: String) throws {
        switch form {
        case .raw:
            break
        case let .boosted(b, initScore):
            if initScore == .baseLogit, formatVersion < 3 {
                throw ModelError.invalid("\(at): init_score 'base_logit' needs format_version 3")
            }
            guard let features else { throw ModelError.missingField("features") }
            guard b.requiredFeatureCount <= features.count else {
                throw ModelError.invalid("\(at): trees use feature \(b.requiredFeatureCount - 1); the model defines \(features.count)")
            }
        case let .linear(l):
            guard let features else { throw ModelError.missingField("features") }
            if l.means.count != l.weights.count || l.scales.count != l.weights.count {
                throw ModelError.invalid("\(at): linear model has \(l.weights.count) weights, \(l.means.count) means, \(l.scales.count) scales")
            }
            if l.weights.count != features.count {
                throw ModelError.invalid("\(at): \(l.weights.count) weights for \(features.count) features")
            }
            if let j = l.scales.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
                throw ModelError.invalid("\(at): linear.scales[\(j)] is \(l.scales[j]); scales must be finite and > 0")
            }
            if !l.intercept.isFinite || !l.weights.allSatisfy(\.isFinite) || !l.means.allSatisfy(\.isFinite) {
                throw ModelError.invalid("\(at): linear model has a value that is not a finite number")
            }
        case let .pooled(v):
            guard let features else { throw ModelError.missingField("features") }
            guard let pooled else { throw ModelError.missingField("pooled") }
            if pooled.initScore == .baseLogit, formatVersion < 3 {
                throw ModelError.invalid("pooled.init_score 'base_logit' needs format_version 3")
            }
            guard v.count == pooled.tagFeatures.count else {
                throw ModelError.invalid("\(at): \(v.count) tag_values for \(pooled.tagFeatures.count) pooled.tag_features")
            }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw ModelError.invalid("\(at): tag_values[\(bad)] is not a finite number")
            }
            guard pooled.booster.requiredFeatureCount <= features.count + v.count else {
                throw ModelError.invalid("pooled trees use feature \(pooled.booster.requiredFeatureCount - 1); pooled tags have \(features.count + v.count)")
            }
        }
    }

    /// The hierarchical rule's thresholds, one per category (and its category columns among the inputs).
    private func validateHierarchy(inputs: Set<String>) throws {
        if decision == .hierarchical {
            guard let h = hierarchy else { throw ModelError.missingField("hierarchy") }
            guard h.thresholds.count == labels.categories.count else {
                throw ModelError.invalid("hierarchy.thresholds has \(h.thresholds.count) values for \(labels.categories.count) categories")
            }
            if h.source == .column, let missing = labels.categories.first(where: { !inputs.contains($0) }) {
                throw ModelError.invalid("hierarchy reads category columns, but '\(missing)' is not among input_columns")
            }
        }
    }

    /// The feature set's columns, quantile knots and networks.
    private func validateFeatures(inputs: Set<String>) throws {
        if let features {
            for c in features.sharedColumns where !inputs.contains(c) {
                throw ModelError.invalid("feature column '\(c)' (features.shared_columns) is not among input_columns")
            }
            for (column, q) in features.quantiles.sorted(by: { $0.key < $1.key }) {
                guard q.knots.count >= 2, q.knots.allSatisfy(\.isFinite), zip(q.knots, q.knots.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                    throw ModelError.invalid("features.quantiles['\(column)'] needs at least 2 finite, increasing knots")
                }
            }
            for case .network(let name) in features.kinds where !features.networks.contains(name) {
                throw ModelError.invalid("feature 'net:\(name)' names a network missing from features.networks")
            }
        }
    }
}

// MARK: - Loading and saving

extension StackerModel {
    /// The largest model file `load` and the CLI read (4 GiB): a bound on what a scorer may allocate.
    public static let maximumFileBytes = 1 << 32

    private struct Header: Decodable {
        var format: String?
        var formatVersion: Int?
        enum CodingKeys: String, CodingKey { case format, formatVersion = "format_version" }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            format = try c.decodeIfPresent(String.self, forKey: .format)
            guard c.contains(.formatVersion), try !c.decodeNil(forKey: .formatVersion) else { formatVersion = nil; return }
            if let v = try? c.decode(Int.self, forKey: .formatVersion) { formatVersion = v; return }
            // Say what is wrong with a version that is a number but not an Int: a fraction, or out of range.
            if let d = try? c.decode(Double.self, forKey: .formatVersion) {
                throw ModelError.malformed(d == d.rounded() ? "format_version \(d) is an integer out of range"
                                                            : "format_version \(d) is not an integer")
            }
            throw ModelError.malformed("format_version is not a number")
        }
    }

    /// Decodes a model from JSON. The header (`format`, `format_version`) is read first, so a file from a
    /// newer TagStack is refused with `ModelError.unsupportedVersion` rather than misread.
    public static func decode(from data: Data) throws -> StackerModel {
        let decoder = JSONDecoder()
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch let e as ModelError {
            throw e
        } catch {
            throw ModelError.malformed("not valid JSON (\(StackerModel.describe(error)))")
        }
        guard let format = header.format else { throw ModelError.notAModel("no 'format' field") }
        guard format == formatName else { throw ModelError.notAModel("format is '\(format)', expected '\(formatName)'") }
        guard let version = header.formatVersion else { throw ModelError.missingField("format_version") }
        guard supportedFormatVersions.contains(version) else {
            throw ModelError.unsupportedVersion(found: version, supported: supportedFormatVersions)
        }
        decoder.userInfo[TagModel.formatVersionKey] = version
        let model: StackerModel
        do { model = try decoder.decode(StackerModel.self, from: data) } catch let e as ModelError {
            throw e
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ModelError.missingField((ctx.codingPath + [key]).map(pathComponent).joined(separator: "."))
        } catch let DecodingError.dataCorrupted(ctx) where ctx.codingPath.isEmpty {
            // The header parsed, so the text is JSON: Foundation says "not valid JSON" (with no path) when a
            // number does not fit its Swift type. Find and name it.
            throw ModelError.malformed(StackerModel.locateBadInteger(data) ?? StackerModel.locateBadNumber(data)
                                       ?? StackerModel.describe(DecodingError.dataCorrupted(ctx)))
        } catch {
            throw ModelError.malformed(StackerModel.describe(error))
        }
        try model.validate()
        return model
    }

    /// Loads a model file.
    public static func load(contentsOf url: URL) throws -> StackerModel {
        let data: Data
        // Data(contentsOf:) would block on a FIFO and read a device without end: refuse anything but a file.
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
            throw ModelError.malformed("cannot read \(url.path): \(type == .typeDirectory ? "a folder" : "not a regular file"), not a model file")
        }
        if let size = attributes?[.size] as? Int, size > maximumFileBytes {
            throw ModelError.malformed("cannot read \(url.path): \(size) bytes, more than the \(maximumFileBytes) a model file may have")
        }
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.malformed("cannot read \(url.path): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
        }
        return try decode(from: data)
    }

    /// The JSON text of the model: compact (one line plus a newline; pretty-print with any JSON tool), keys
    /// sorted, so the same model always gives the same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    static func pathComponent(_ key: CodingKey) -> String {
        key.intValue.map { "[\($0)]" } ?? key.stringValue
    }

    /// The JSON fields read as integers (tree node arrays, Int32).
    static let integerFields: Set<String> = ["split_feature", "left_child", "right_child"]

    /// Where an integer field holds a number that is not an Int32 (a fraction, or out of range), said plainly.
    static func locateBadInteger(_ data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        func walk(_ v: Any, _ path: [String], integer: Bool) -> String? {
            if let d = v as? [String: Any] {
                for k in d.keys.sorted() { if let r = walk(d[k]!, path + [k], integer: integerFields.contains(k)) { return r } }
            } else if let a = v as? [Any] {
                for (i, e) in a.enumerated() { if let r = walk(e, path + ["[\(i)]"], integer: integer) { return r } }
            } else if integer, let n = v as? NSNumber, !(n is Bool) {
                let x = n.doubleValue
                let at = "at '\(path.joined(separator: "."))': "
                if x != x.rounded() { return at + "\(n) is not an integer" }
                if x < Double(Int32.min) || x > Double(Int32.max) { return at + "\(n) is an integer out of range (\(Int32.min)...\(Int32.max))" }
            }
            return nil
        }
        return walk(root, [], integer: false)
    }

    /// Where a number that no Double holds (`1e400`, or `1e-400`, a nonzero number that would round to 0) sits,
    /// said plainly: Foundation refuses it as "not valid JSON" with no path. Nil when there is none (or the text
    /// is not JSON); the first such number in the file is named.
    static func locateBadNumber(_ data: Data) -> String? {
        let b = [UInt8](data)
        var i = 0
        struct NotJSON: Error {}
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        func string() throws -> String {
            guard i < b.count, b[i] == 0x22 else { throw NotJSON() }
            let start = i + 1
            i += 1
            while i < b.count, b[i] != 0x22 { i += b[i] == 0x5C ? 2 : 1 }
            guard i < b.count else { throw NotJSON() }
            i += 1
            return String(decoding: b[start..<(i - 1)], as: UTF8.self)
        }
        func value(_ path: [String], _ depth: Int) throws -> String? {
            skipSpace()
            guard i < b.count, depth <= 512 else { throw NotJSON() }
            switch b[i] {
            case 0x7B, 0x5B:   // { or [
                let object = b[i] == 0x7B, close: UInt8 = object ? 0x7D : 0x5D
                i += 1; skipSpace()
                if i < b.count, b[i] == close { i += 1; return nil }
                var n = 0
                while true {
                    var key = "[\(n)]"
                    if object {
                        skipSpace(); key = try string(); skipSpace()
                        guard i < b.count, b[i] == 0x3A else { throw NotJSON() }
                        i += 1
                    }
                    if let found = try value(path + [key], depth + 1) { return found }
                    n += 1
                    skipSpace()
                    guard i < b.count else { throw NotJSON() }
                    if b[i] == close { i += 1; return nil }
                    guard b[i] == 0x2C else { throw NotJSON() }
                    i += 1
                }
            case 0x22:
                _ = try string(); return nil
            default:
                let start = i
                while i < b.count, !(b[i] == 0x2C || b[i] == 0x7D || b[i] == 0x5D || b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
                let text = String(decoding: b[start..<i], as: UTF8.self)
                guard let first = text.first, first == "-" || first.isNumber, let x = Double(text) else { return nil }
                let mantissa = text.prefix { $0 != "e" && $0 != "E" }
                if x.isInfinite || (x == 0 && mantissa.contains(where: { "123456789".contains($0) })) {
                    return "at '\(path.joined(separator: "."))': \(text) is out of the range of a double (not valid JSON)"
                }
                return nil
            }
        }
        return try? value([], 0)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx),
             let DecodingError.dataCorrupted(ctx):
            let path = ctx.codingPath.map(pathComponent).joined(separator: ".")
            var why = ctx.debugDescription
            // Foundation says "Parsed JSON number <1e30> does not fit in Int32." or "Number 2.5 is not
            // representable in Swift.": name the problem plainly.
            if why.contains("does not fit in") || why.contains("not representable") {
                why = "an integer out of range, or a number that is not an integer (\(why))"
            }
            return (path.isEmpty ? "" : "at '\(path)': ") + why
        case let DecodingError.keyNotFound(key, ctx):
            return "missing field '\((ctx.codingPath + [key]).map(pathComponent).joined(separator: "."))'"
        default:
            return "\(error)"
        }
    }
}
