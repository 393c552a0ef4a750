// Scoring: input rows (by column name or in the model's input order) → per-tag probabilities → decisions.

import Foundation

/// Scores rows with a model: maps a caller's columns onto the model's inputs, builds features, evaluates
/// each tag's path (raw score, trees or linear model) and applies the decision rule.
///
/// ```swift
/// let scorer = try ModelScorer(contentsOf: URL(fileURLWithPath: "model.json"))
/// let p = try scorer.probabilities(named: ["rock": 0.8, "jazz": 0.1, ...])   // one per tag, labels order
/// let d = try scorer.decisions(named: row)                                    // 0/1 per tag
/// ```
///
/// A scorer is immutable and `Sendable`: share one between threads. The single-track hot path is
/// `decide(inputRow:probabilities:decisions:workspace:)` (or `probabilities(inputRow:into:workspace:)`) with one
/// `Workspace` per thread: no allocation per track. Many tracks: `score(values:columns:threads:)`.
///
/// Notes for the hot loop (`probabilities(inputRow:into:workspace:)`):
/// - reads the row and the model (read-only); writes `out` and the caller's workspace only;
/// - each tag's path is resolved at init into `plans` (no struct copies of the model per row);
/// - the pooled tags of a track are scored together through one layout of the shared ensemble
///   (`PooledTrees`, tag values resolved at init): each tree walked once for all of them;
/// - trees are scored per tag by bitvectors (`QuickScorer`, trees of at most 64 leaves) or walked
///   (`PackedTrees`), and summed from the initial score in tree order, so the result equals
///   `TreeEnsemble.rawScore(row:initScore:)` (the plain twin) bit for bit.
public struct ModelScorer: Sendable {
    public let model: StackerModel
    /// For each tag, the index in `model.inputColumns` of its own score column.
    let ownColumn: [Int]
    /// For each category, the index in `model.inputColumns` of its column, or -1.
    let categoryColumn: [Int]
    /// Feature builder (an empty feature set when every tag is raw).
    let builder: FeatureBuilder
    let hasStacked: Bool
    /// Where a boosted tag's raw score starts.
    enum Start: Sendable {
        /// The clipped logit of the tag's own score column.
        case ownLogit
        /// The clipped logit of the tag's base score.
        case baseLogit
        /// A constant (the ensemble's base score).
        case constant(Double)
    }
    /// How each tag's score is computed, resolved once.
    enum Plan: Sendable {
        /// The tag's base score (its own score column without a `base`).
        case raw
        /// Index into `packed`.
        case trees(Int, Start)
        /// Index into `quick` (every tree has at most 64 leaves).
        case quick(Int, Start)
        /// Index into `linears`.
        case linear(Int)
        /// Slot among the pooled tags (scored together through `pooledTrees`, after the other tags).
        case pooled(Int)
    }
    /// The model's base score when it is not the primary network's; with it, per tag the input indices of
    /// its sources (own column, then each base network's `NET:tag`; absent ones left out).
    let base: BaseScore?
    let baseSources: [[Int]]
    /// Per tag, its calibration (nil: the score clamped to [0, 1]).
    let calibrations: [Calibration?]
    let plans: [Plan]
    let packed: [PackedTrees]
    let quick: [QuickScorer]
    let linears: [LinearModel]
    /// The most trees of a `quick` tag (the workspace's bitvector scratch).
    let maxQuickTrees: Int
    /// The pooled tags scored together (tag indices, by slot; empty when `pooledTrees` is nil), the shared
    /// ensemble laid out for them, and where their scores start.
    let pooledTags: [Int]
    let pooledTrees: PooledTrees?
    let pooledStart: Start
    /// A pooled tag's row in the workspace: its track features (its tag values are resolved in `pooledTrees`).
    let pooledWidth: Int
    public let decider: Decider
    /// The one-label stage (after every tag's score), when the model has one.
    let oneLabel: OneLabelScorer?

    /// Prepares a scorer. Throws `ModelError` when the model breaks an invariant (see `StackerModel.validate`).
    public init(model: StackerModel) throws {
        try model.validate()
        self.model = model
        var index: [String: Int] = [:]
        for (j, c) in model.inputColumns.enumerated() where index[c] == nil { index[c] = j }
        ownColumn = model.tags.map { index[$0.name]! }
        categoryColumn = model.labels.categories.map { index[$0] ?? -1 }
        hasStacked = model.tags.contains { $0.path != .raw }
        builder = try FeatureBuilder(set: hasStacked ? model.features! : FeatureSet(kinds: []), labels: model.labels,
                                     inputColumns: model.inputColumns)
        let featureCount = model.features?.count ?? 0
        let base = model.base.flatMap { $0.kind == .primary ? nil : $0 }
        self.base = base
        baseSources = base.map { b in
            model.tags.map { t in ([t.name] + b.networks.map { $0 + ":" + t.name }).map { index[$0] ?? -1 } }
        } ?? []
        calibrations = model.tags.map(\.calibration)
        func start(_ initScore: InitScore, _ baseScore: Double) -> Start {
            switch initScore {
            case .ownLogit: return .ownLogit
            case .baseLogit: return base == nil ? .ownLogit : .baseLogit
            case .baseScore: return .constant(baseScore)
            }
        }
        // Every pooled tag of a track goes through the shared ensemble together (PooledTrees.swift; `validate`
        // guarantees `model.pooled` when a tag is pooled).
        let pooledValues = model.tags.compactMap(\.tagValues)   // the pooled tags', in tag order
        let pooledTrees = pooledValues.isEmpty ? nil : model.pooled.map {
            PooledTrees($0.booster.trees, featureCount: featureCount, tagValues: pooledValues)
        }
        let resolved = Self.resolve(model.tags, start: start)
        plans = resolved.plans; packed = resolved.packed; quick = resolved.quick; linears = resolved.linears
        pooledTags = resolved.pooledTags
        self.pooledTrees = pooledTrees
        pooledStart = model.pooled.map { start($0.initScore, $0.booster.baseScore) } ?? .constant(0)
        pooledWidth = featureCount
        maxQuickTrees = quick.map(\.treeCount).max() ?? 0
        decider = Decider(model: model)
        oneLabel = model.oneLabel.map { OneLabelScorer(stage: $0, tags: model.labels.tags, index: index) }
    }

    /// Each tag's `Plan`, with the tree layouts and linear models the plans index and the pooled tags by slot.
    private struct ResolvedPlans {
        var plans: [Plan] = [], packed: [PackedTrees] = [], quick: [QuickScorer] = [], linears: [LinearModel] = []
        var pooledTags: [Int] = []
    }

    /// Resolves every tag's path once (`start` maps a boosted form's initial score to where it starts).
    private static func resolve(_ tags: [TagModel], start: (InitScore, Double) -> Start) -> ResolvedPlans {
        var r = ResolvedPlans()
        for (k, t) in tags.enumerated() {
            switch t.form {
            case .raw:
                r.plans.append(.raw)
            case .pooled:
                r.plans.append(.pooled(r.pooledTags.count))
                r.pooledTags.append(k)
            case let .boosted(b, initScore):
                let from = start(initScore, b.baseScore)
                if let q = QuickScorer(b.trees) {
                    r.plans.append(.quick(r.quick.count, from))
                    r.quick.append(q)
                } else {
                    r.plans.append(.trees(r.packed.count, from))
                    r.packed.append(PackedTrees(b.trees))
                }
            case let .linear(l):
                r.plans.append(.linear(r.linears.count))
                r.linears.append(l)
            }
        }
        return r
    }

    /// Loads a model file and prepares a scorer (see `StackerModel.load(contentsOf:)` for the errors).
    public init(contentsOf url: URL) throws {
        try self.init(model: StackerModel.load(contentsOf: url))
    }

    /// Decodes a model from JSON and prepares a scorer (see `StackerModel.decode(from:)` for the errors).
    public init(data: Data) throws {
        try self.init(model: StackerModel.decode(from: data))
    }

    /// The tags, in the order of every probability and decision this scorer returns.
    public var tags: [String] { model.labels.tags }
    /// The input columns, in the order `probabilities(row:)` and `probabilities(inputRow:...)` expect.
    public var inputColumns: [String] { model.inputColumns }

    /// For each model input column, its position among `columns`. Throws `ModelError.missingColumns` naming
    /// every absent column. Columns the model does not use are ignored.
    public func columnMapping(for columns: [String]) throws -> [Int] {
        var index: [String: Int] = [:]
        for (j, c) in columns.enumerated() where index[c] == nil { index[c] = j }
        var missing: [String] = []
        let map = model.inputColumns.map { name -> Int in
            if let j = index[name] { return j }
            missing.append(name); return -1
        }
        if !missing.isEmpty { throw ModelError.missingColumns(missing) }
        return map
    }

    /// A reusable per-thread workspace for `probabilities(inputRow:into:workspace:)`: the feature builder's
    /// row state and one feature vector. Make one per thread; never share one between threads.
    public struct Workspace {
        var builder: FeatureBuilder
        let scratch: Scratch

        /// One feature vector, owned by the workspace (a class, so the hot loop needs no closure).
        final class Scratch {
            let features: UnsafeMutableBufferPointer<Double>
            let categories: UnsafeMutableBufferPointer<Double>
            let leaves: UnsafeMutableBufferPointer<UInt64>
            /// Per tag its base score; per source one value.
            let base: UnsafeMutableBufferPointer<Double>
            let sources: UnsafeMutableBufferPointer<Double>
            /// The pooled tags' rows (pooled tags × pooled width) and raw scores.
            let pooledRows: UnsafeMutableBufferPointer<Double>
            let pooledRaw: UnsafeMutableBufferPointer<Double>
            let pooled: PooledTrees.Scratch?
            init(count: Int, categories c: Int, trees: Int, tags: Int, sources: Int, pooledRows: Int, pooledTags: Int, pooled: PooledTrees.Scratch?) {
                self.pooled = pooled
                self.pooledRows = .allocate(capacity: max(pooledRows, 1))
                self.pooledRows.initialize(repeating: 0)
                pooledRaw = .allocate(capacity: max(pooledTags, 1))
                pooledRaw.initialize(repeating: 0)
                base = .allocate(capacity: max(tags, 1))
                base.initialize(repeating: .nan)
                self.sources = .allocate(capacity: max(sources, 1))
                self.sources.initialize(repeating: .nan)
                leaves = .allocate(capacity: max(trees, 1))
                leaves.initialize(repeating: 0)
                features = .allocate(capacity: max(count, 1))
                features.initialize(repeating: 0)
                categories = .allocate(capacity: max(c, 1))
                categories.initialize(repeating: .nan)
            }
            deinit {
                features.deallocate(); categories.deallocate(); leaves.deallocate(); base.deallocate(); sources.deallocate()
                pooledRows.deallocate(); pooledRaw.deallocate()
            }
        }

        /// The hot loop (see the notes at the top of `ModelScorer`). A mutating method, so the builder is
        /// used in place, never copied.
        mutating func run(_ sc: ModelScorer, _ x: UnsafeBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<Double>) {
            if sc.hasStacked { builder.prepare(row: x) }
            let fb = scratch.features
            let fr = UnsafeBufferPointer(fb)
            let base = scratch.base
            if let b = sc.base {
                let src = scratch.sources
                for k in 0..<sc.plans.count {
                    var m = 0
                    for j in sc.baseSources[k] { src[m] = j >= 0 ? x[j] : .nan; m += 1 }
                    base[k] = b.score(tag: k, sources: UnsafeBufferPointer(rebasing: src[0..<m]))
                }
            }
            @inline(__always) func begin(_ s: Start, _ k: Int) -> Double {
                switch s {
                case .ownLogit: return clippedLogit(x[sc.ownColumn[k]])
                case .baseLogit: return clippedLogit(base[k])
                case .constant(let v): return v
                }
            }
            for k in 0..<sc.plans.count {
                switch sc.plans[k] {
                case .raw:
                    out[k] = sc.base == nil ? x[sc.ownColumn[k]] : base[k]
                case let .quick(i, start):
                    builder.features(tag: k, into: fb)
                    var raw = begin(start, k)
                    sc.quick[i].accumulate(fr, leaves: scratch.leaves.baseAddress!, into: &raw)
                    out[k] = sigmoid(raw)
                case let .trees(i, start):
                    builder.features(tag: k, into: fb)
                    var raw = begin(start, k)
                    sc.packed[i].accumulateOne(fr, into: &raw)
                    out[k] = sigmoid(raw)
                case let .linear(i):
                    builder.features(tag: k, into: fb)
                    out[k] = sigmoid(sc.linears[i].rawScore(fr))
                case .pooled:
                    break
                }
            }
            if let trees = sc.pooledTrees, let pooledScratch = scratch.pooled {
                let rows = scratch.pooledRows.baseAddress!, raw = scratch.pooledRaw.baseAddress!
                let w = sc.pooledWidth
                for (s, k) in sc.pooledTags.enumerated() {
                    builder.features(tag: k, into: UnsafeMutableBufferPointer(start: rows + s * w, count: w))
                    raw[s] = begin(sc.pooledStart, k)
                }
                trees.accumulate(rows: rows, stride: max(w, 1), into: raw, scratch: pooledScratch)
                for (s, k) in sc.pooledTags.enumerated() { out[k] = sigmoid(raw[s]) }
            }
        }
    }

    /// A fresh workspace; make one per thread and reuse it for every row.
    public func makeWorkspace() -> Workspace {
        Workspace(builder: builder, scratch: Workspace.Scratch(count: model.features?.count ?? 0, categories: categoryColumn.count, trees: maxQuickTrees,
                                                               tags: model.tags.count, sources: 1 + (base?.networks.count ?? 0),
                                                               pooledRows: pooledTags.count * max(pooledWidth, 1), pooledTags: pooledTags.count,
                                                               pooled: pooledTrees?.makeScratch()))
    }

    /// Probabilities for one row given in the model's input column order (`model.inputColumns`): the fast path.
    ///
    /// - Parameters:
    ///   - x: `model.inputColumns.count` values.
    ///   - out: receives one probability per tag (`model.labels.tags` order).
    ///   - workspace: from `makeWorkspace()`, reused across rows by one thread.
    public func probabilities(inputRow x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                              workspace: inout Workspace) {
        scores(inputRow: x, into: out, workspace: &workspace)
        calibrate(out)
    }

    /// Every tag's score for one row (model input order): what the thresholds and the decision rule compare,
    /// before calibration (`calibrate(_:)` turns scores into the probabilities written out). With a one-label
    /// stage, the stage's probabilities (the decider takes their argmax; no tag is calibrated).
    public func scores(inputRow x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
                       workspace: inout Workspace) {
        precondition(x.count >= model.inputColumns.count && out.count >= plans.count,
                     "ModelScorer: \(x.count) inputs for \(model.inputColumns.count) columns, \(out.count) outputs for \(plans.count) tags")
        if hasStacked || base != nil {
            workspace.run(self, x, out)
        } else {
            for k in 0..<plans.count { out[k] = x[ownColumn[k]] }   // every tag raw
        }
        oneLabel?.apply(x, UnsafeMutableBufferPointer(rebasing: out[0..<plans.count]))
    }

    /// One row's scores (one per tag) turned in place into the probabilities written out: each tag's
    /// calibration, or its score clamped to [0, 1].
    public func calibrate(_ row: UnsafeMutableBufferPointer<Double>) {
        for k in 0..<calibrations.count { row[k] = outputProbability(row[k], calibrations[k]) }
    }

    /// Probabilities and decisions for one track given in the model's input column order, with the model's
    /// decision rule (category columns read from the row when the rule needs them): the single-track hot path,
    /// allocation-free with a reused workspace. This is what a service (or a latency benchmark) calls per track.
    ///
    /// - Parameters:
    ///   - x: `model.inputColumns.count` values (see `columnMapping(for:)` to lay out a caller's row).
    ///   - probabilities: receives one probability per tag; `decisions`: one 0/1 per tag.
    public func decide(inputRow x: UnsafeBufferPointer<Double>, probabilities: UnsafeMutableBufferPointer<Double>,
                       decisions: UnsafeMutableBufferPointer<UInt8>, workspace: inout Workspace) {
        // The buffer holds each tag's score while the decider compares it with its threshold, then the
        // probability written out (calibrated in place).
        scores(inputRow: x, into: probabilities, workspace: &workspace)
        if decider.needsCategoryColumns {
            let c = workspace.scratch.categories
            for g in 0..<categoryColumn.count { c[g] = categoryColumn[g] >= 0 ? x[categoryColumn[g]] : .nan }
            decider.decide(UnsafeBufferPointer(probabilities), categoryScores: UnsafeBufferPointer(rebasing: c[0..<categoryColumn.count]), into: decisions)
        } else {
            decider.decide(UnsafeBufferPointer(probabilities), into: decisions)
        }
        calibrate(probabilities)
    }

    /// Probabilities for one row given in the model's input column order (`model.inputColumns`).
    ///
    /// - Throws: `ModelError.invalid` when `row` does not have one value per input column.
    public func probabilities(row: [Double]) throws -> [Double] {
        guard row.count == model.inputColumns.count else {
            throw ModelError.invalid("row has \(row.count) values; the model reads \(model.inputColumns.count) input columns")
        }
        var out = [Double](repeating: 0, count: model.tags.count)
        var ws = makeWorkspace()
        row.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { probabilities(inputRow: xp, into: $0, workspace: &ws) } }
        return out
    }

    /// Probabilities for one row given by column name (extra names are ignored).
    ///
    /// - Throws: `ModelError.missingColumns` naming every input column the row lacks.
    public func probabilities(named row: [String: Double]) throws -> [Double] {
        try probabilities(row: inputRow(named: row))
    }

    /// Decisions (0/1 per tag) for one row in the model's input column order, with the model's decision rule.
    public func decisions(row: [Double]) throws -> [UInt8] {
        guard row.count == model.inputColumns.count else {
            throw ModelError.invalid("row has \(row.count) values; the model reads \(model.inputColumns.count) input columns")
        }
        var p = [Double](repeating: 0, count: model.tags.count)
        var ws = makeWorkspace()
        row.withUnsafeBufferPointer { xp in p.withUnsafeMutableBufferPointer { scores(inputRow: xp, into: $0, workspace: &ws) } }
        let cats = categoryColumn.map { $0 >= 0 ? row[$0] : .nan }
        return decider.decide(rows: 1, scores: p, categoryScores: decider.needsCategoryColumns ? cats : nil)
    }

    /// Decisions for one row given by column name.
    public func decisions(named row: [String: Double]) throws -> [UInt8] {
        try decisions(row: inputRow(named: row))
    }

    /// A row by name laid out as `model.inputColumns`; throws `ModelError.missingColumns` for absent names.
    public func inputRow(named row: [String: Double]) throws -> [Double] {
        var missing: [String] = []
        let x = model.inputColumns.map { name -> Double in
            if let v = row[name] { return v }
            missing.append(name); return .nan
        }
        if !missing.isEmpty { throw ModelError.missingColumns(missing) }
        return x
    }

    /// Probabilities and decisions of many rows, rows × tags, row-major.
    public struct BatchResult: Sendable {
        public var rows: Int
        public var tags: [String]
        /// `probabilities[i * tags.count + k]`: row `i`, tag `k`.
        public var probabilities: [Double]
        /// `decisions[i * tags.count + k]`: 0 or 1.
        public var decisions: [UInt8]
    }

    /// Scores many rows: `values` is row-major, `values.count / columns.count` rows laid out as `columns`
    /// (any order; extra columns are ignored). Rows are split over `threads` threads (default: every core);
    /// the result does not depend on the thread count.
    ///
    /// - Throws: `ModelError.missingColumns` naming absent input columns; `ModelError.invalid` when
    ///   `values.count` is not a multiple of `columns.count`.
    public func score(values: [Double], columns: [String],
                      threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> BatchResult {
        guard !columns.isEmpty, values.count % columns.count == 0 else {
            throw ModelError.invalid("\(values.count) values do not make whole rows of \(columns.count) columns")
        }
        let mapping = try columnMapping(for: columns)
        let rows = values.count / columns.count
        let r = score(rows: rows, columns: columns.count, values: values, mapping: mapping, threads: threads)
        return BatchResult(rows: rows, tags: model.labels.tags, probabilities: r.probabilities,
                           decisions: decider.decide(rows: rows, scores: r.scores, categoryScores: r.categoryScores))
    }

    /// Scores of many rows: what decisions compare, and what is written out.
    public struct RowScores: Sendable {
        /// Rows × tags, row-major: each tag's score before calibration (thresholds and the decision rule
        /// compare these; `decider.decide(rows:scores:categoryScores:)` takes them).
        public var scores: [Double]
        /// Rows × tags: the probabilities written out (`calibrate(_:)` of the scores).
        public var probabilities: [Double]
        /// Rows × categories when the decision rule reads category columns, else nil.
        public var categoryScores: [Double]?
    }

    /// Scores and probabilities (rows × tags, row-major) and, when the decision rule reads category columns,
    /// category scores (rows × categories) for rows laid out as `mapping` describes (from
    /// `columnMapping(for:)`). Rows are split over `threads` threads; the result does not depend on the
    /// thread count.
    public func score(rows: Int, columns: Int, values: [Double], mapping: [Int], threads: Int = 1) -> RowScores {
        let t = model.tags.count, m = mapping.count, c = categoryColumn.count
        var out = [Double](repeating: 0, count: rows * t)
        var cats: [Double]? = decider.needsCategoryColumns ? [Double](repeating: .nan, count: rows * c) : nil
        let chunks = max(1, min(threads, rows / 64))
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                let o = o
                parallelChunks(rows, chunks: chunks) { _, range in
                    var ws = makeWorkspace()
                    var x = [Double](repeating: 0, count: m)
                    x.withUnsafeMutableBufferPointer { xb in
                        for i in range {
                            for j in 0..<m { xb[j] = v[i * columns + mapping[j]] }
                            scores(inputRow: UnsafeBufferPointer(xb), into: UnsafeMutableBufferPointer(rebasing: o[(i * t)..<((i + 1) * t)]), workspace: &ws)
                        }
                    }
                }
            }
        }
        if cats != nil {
            for i in 0..<rows { for g in 0..<c where categoryColumn[g] >= 0 { cats![i * c + g] = values[i * columns + mapping[categoryColumn[g]]] } }
        }
        var p = out
        p.withUnsafeMutableBufferPointer { pb in
            for i in 0..<rows { calibrate(UnsafeMutableBufferPointer(rebasing: pb[(i * t)..<((i + 1) * t)])) }
        }
        return RowScores(scores: out, probabilities: p, categoryScores: cats)
    }
}

