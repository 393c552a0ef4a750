// Per-tag features computed from one track's first-stage outputs. The same code runs in training and in
// every service that scores, so a model's features are computed identically everywhere.
// docs/MODEL_FORMAT.md defines each feature; the definitions below are the reference.

import Foundation

/// One per-tag feature, defined relative to the tag `t` being scored (class `c`, category `g`).
///
/// Scores are the input columns named like the tags. Let `s_t` be `t`'s score, `C` the tags of class `c`
/// (including `t`), `G` the tags of category `g`.
public enum FeatureKind: Hashable, Sendable {
    /// `s_t`.
    case score
    /// `log(p / (1 − p))` with `p = min(max(s_t, 1e-7), 1 − 1e-7)`.
    case logit
    /// Share of the class's other tags scoring strictly higher: `#{u ∈ C : s_u > s_t} / max(|C| − 1, 1)`.
    /// 0 is the top of the class; ties share the better rank.
    case classRank
    /// `(s_t − mean_C) / sd_C` with the population standard deviation; 0 when `sd_C < 1e-12`.
    case classZ
    /// `max_{u ∈ C} s_u`.
    case classMax
    /// `mean_{u ∈ C} s_u`.
    case classMean
    /// `max_{u ∈ C} s_u − s_t` (0 for the class's top tag).
    case gapToClassMax
    /// Mean of the other tags of the category, `mean_{u ∈ G, u ≠ t} s_u`; 0 when `t` is alone in `G`.
    case categoryMeanOthers
    /// Max of the other tags of the category; 0 when `t` is alone in `G`.
    case categoryMaxOthers
    /// The category's own score: the input column named like `g`. NaN when the input has no such column
    /// (missing values are routed by the trees; linear models use the training mean).
    case categoryScore
    /// Network `name`'s score for `t`: the input column `name:t`. NaN when absent.
    case network(String)
    /// Mean over the primary network and every extra network of the empirical CDF of the tag's column,
    /// each CDF taken from the training rows (`FeatureSet.quantiles`): rank-normalised averaging.
    case meanQuantile

    /// The name used in model files.
    public var name: String {
        switch self {
        case .score: return "score"
        case .logit: return "logit"
        case .classRank: return "class_rank"
        case .classZ: return "class_z"
        case .classMax: return "class_max"
        case .classMean: return "class_mean"
        case .gapToClassMax: return "gap_to_class_max"
        case .categoryMeanOthers: return "category_mean_others"
        case .categoryMaxOthers: return "category_max_others"
        case .categoryScore: return "category_score"
        case .network(let n): return "net:" + n
        case .meanQuantile: return "mean_quantile"
        }
    }

    /// Parses a name written by `name`.
    public init?(name: String) {
        if name.hasPrefix("net:") { self = .network(String(name.dropFirst(4))); return }
        let all: [FeatureKind] = [.score, .logit, .classRank, .classZ, .classMax, .classMean, .gapToClassMax,
                                  .categoryMeanOthers, .categoryMaxOthers, .categoryScore, .meanQuantile]
        guard let k = all.first(where: { $0.name == name }) else { return nil }
        self = k
    }
}

/// A piecewise-linear empirical CDF: `knots` are training quantiles at probabilities `0, 1/K, ..., 1`.
///
/// `F(x) = 0` for `x < q_0`, `1` for `x >= q_K`; otherwise with `i = max{j : q_j <= x}`,
/// `F(x) = (i + (x − q_i) / (q_{i+1} − q_i)) / K`, where the fraction is 0 when `q_{i+1} = q_i`.
public struct QuantileMap: Codable, Sendable, Equatable {
    public var knots: [Double]

    public init(knots: [Double]) { self.knots = knots }

    /// Knots at `count` evenly spaced probabilities of `values` (nearest rank on the sorted values).
    public init(values: [Double], count: Int = 101) {
        let v = values.filter { !$0.isNaN }.sorted()
        guard !v.isEmpty else { knots = [0, 1]; return }
        let k = max(count, 2)
        knots = (0..<k).map { j in v[Int((Double(j) / Double(k - 1) * Double(v.count - 1)).rounded())] }
    }

    public func callAsFunction(_ x: Double) -> Double {
        let k = knots.count - 1
        if x.isNaN { return .nan }
        if x < knots[0] { return 0 }
        if x >= knots[k] { return 1 }
        // Largest j with knots[j] <= x (knots are sorted).
        var lo = 0, hi = k
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if knots[mid] <= x { lo = mid } else { hi = mid }
        }
        let span = knots[lo + 1] - knots[lo]
        let frac = span > 0 ? (x - knots[lo]) / span : 0
        return (Double(lo) + frac) / Double(k)
    }
}

/// Which features a model uses: per-tag kinds, then (optionally) input columns shared by every tag.
public struct FeatureSet: Codable, Sendable, Equatable {
    /// Per-tag features, in order.
    public var kinds: [FeatureKind]
    /// Input columns appended unchanged after the per-tag features (`--features all`), by name.
    public var sharedColumns: [String]
    /// Extra networks, by prefix (`NET` of the columns `NET:tag`), in the order their features use.
    public var networks: [String]
    /// Empirical CDFs of input columns, by column name (for `mean_quantile`).
    public var quantiles: [String: QuantileMap]

    public init(kinds: [FeatureKind], sharedColumns: [String] = [], networks: [String] = [], quantiles: [String: QuantileMap] = [:]) {
        self.kinds = kinds; self.sharedColumns = sharedColumns; self.networks = networks; self.quantiles = quantiles
    }

    /// Feature names in order: per-tag kinds, then `col:<name>` for shared columns.
    public var names: [String] { kinds.map(\.name) + sharedColumns.map { "col:" + $0 } }
    public var count: Int { kinds.count + sharedColumns.count }

    enum CodingKeys: String, CodingKey { case kinds = "per_tag", sharedColumns = "shared_columns", networks, quantiles }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let names = try c.decode([String].self, forKey: .kinds)
        kinds = try names.enumerated().map { k, n in
            guard let kind = FeatureKind(name: n) else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.kinds],
                                                        debugDescription: "unknown feature '\(n)' at per_tag[\(k)]"))
            }
            return kind
        }
        sharedColumns = try c.decode([String].self, forKey: .sharedColumns)
        networks = try c.decode([String].self, forKey: .networks)
        quantiles = try c.decode([String: QuantileMap].self, forKey: .quantiles)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kinds.map(\.name), forKey: .kinds)
        try c.encode(sharedColumns, forKey: .sharedColumns)
        try c.encode(networks, forKey: .networks)
        try c.encode(quantiles, forKey: .quantiles)
    }
}

/// Computes per-tag feature vectors from rows laid out as `inputColumns`.
///
/// Build once per model; `prepare(row:)` computes the row's class and category statistics, then
/// `features(tag:into:)` fills one tag's vector. Not thread-safe: give each thread its own copy.
///
/// Notes for the hot loop (`prepare` and `features` run once per scored track, `features` once per stacked tag):
/// - the feature kinds are resolved once, at init, into `ops` (network names → column indices), and only the
///   statistics some kind reads are computed;
/// - row state lives in buffers allocated at init and overwritten by each `prepare` (no per-row allocation);
/// - every statistic is summed in the same order as the plain definitions in docs/MODEL_FORMAT.md, so
///   training, scoring and the reference scorers agree bit for bit.
public struct FeatureBuilder: Sendable {
    public let set: FeatureSet
    public let labels: LabelSet
    /// A feature kind with its lookups resolved.
    enum Op: Sendable {
        case score, logit, classRank, classZ, classMax, classMean, gapToClassMax
        case categoryMeanOthers, categoryMaxOthers, categoryScore, meanQuantile
        case network(Int)
    }
    let ops: [Op]
    let needsClassStats: Bool, needsRank: Bool, needsCategoryStats: Bool
    let tagCol: [Int]                  // input index of each tag's score
    let classOf: [Int], categoryOf: [Int]
    let classMembers: [[Int]], categoryMembers: [[Int]]
    let categoryCol: [Int]             // input index of each category's column, -1 when absent
    let networkCol: [[Int]]            // [network][tag] input index, -1 when absent
    let sharedCol: [Int]
    let quantileOfTag: [[QuantileMap?]]  // [source][tag]: source 0 = primary, then networks
    // Row state
    var s: [Double]
    var classMax: [Double], classMean: [Double], classSD: [Double]
    var catSum: [Double], catMax1: [Double], catMax2: [Double], catArgMax: [Int]
    var rank: [Double]
    var row: [Double]
    var sortScratch: [Double]

    /// - Throws: `ModelError.missingColumns` when `inputColumns` lacks a tag's score column or a shared column.
    public init(set: FeatureSet, labels: LabelSet, inputColumns: [String]) throws {
        self.set = set; self.labels = labels
        var index: [String: Int] = [:]
        for (j, c) in inputColumns.enumerated() where index[c] == nil { index[c] = j }
        var missing: [String] = []
        tagCol = labels.tags.map { t in index[t] ?? { missing.append(t); return -1 }() }
        sharedCol = set.sharedColumns.map { c in index[c] ?? { missing.append(c); return -1 }() }
        if !missing.isEmpty { throw ModelError.missingColumns(missing) }
        let classes = labels.classes, cats = labels.categories
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let catIndex = Dictionary(uniqueKeysWithValues: cats.enumerated().map { ($1, $0) })
        classOf = labels.tagClasses.map { classIndex[$0]! }
        categoryOf = labels.tagCategories.map { catIndex[$0]! }
        classMembers = labels.tagIndicesByClass
        categoryMembers = labels.tagIndicesByCategory
        categoryCol = cats.map { index[$0] ?? -1 }
        networkCol = set.networks.map { n in labels.tags.map { index[n + ":" + $0] ?? -1 } }
        let sources = [labels.tags] + set.networks.map { n in labels.tags.map { n + ":" + $0 } }
        quantileOfTag = sources.map { names in names.map { set.quantiles[$0] } }
        let networks = set.networks
        ops = try set.kinds.map { kind -> Op in
            switch kind {
            case .score: return .score
            case .logit: return .logit
            case .classRank: return .classRank
            case .classZ: return .classZ
            case .classMax: return .classMax
            case .classMean: return .classMean
            case .gapToClassMax: return .gapToClassMax
            case .categoryMeanOthers: return .categoryMeanOthers
            case .categoryMaxOthers: return .categoryMaxOthers
            case .categoryScore: return .categoryScore
            case .meanQuantile: return .meanQuantile
            case .network(let name):
                guard let n = networks.firstIndex(of: name) else {
                    throw ModelError.invalid("feature 'net:\(name)': '\(name)' is not among features.networks")
                }
                return .network(n)
            }
        }
        needsRank = set.kinds.contains(.classRank)
        needsClassStats = set.kinds.contains { [.classZ, .classMax, .classMean, .gapToClassMax].contains($0) }
        needsCategoryStats = set.kinds.contains { $0 == .categoryMeanOthers || $0 == .categoryMaxOthers }
        let t = labels.count
        s = .init(repeating: 0, count: t); rank = .init(repeating: 0, count: t)
        classMax = .init(repeating: 0, count: classes.count); classMean = classMax; classSD = classMax
        catSum = .init(repeating: 0, count: cats.count); catMax1 = catSum; catMax2 = catSum
        catArgMax = .init(repeating: -1, count: cats.count)
        row = .init(repeating: .nan, count: inputColumns.count)
        sortScratch = .init(repeating: 0, count: classMembers.map(\.count).max() ?? 0)
    }

    /// The input columns (indices into the `inputColumns` given at init, increasing, each once) that
    /// `prepare` and `features` read: every tag's score, each listed network's column of each tag, the
    /// category columns when a `category_score` feature reads them, and the shared columns.
    public var inputsRead: [Int] {
        var used = Set(tagCol)
        for cols in networkCol { for j in cols where j >= 0 { used.insert(j) } }
        if set.kinds.contains(.categoryScore) { for j in categoryCol where j >= 0 { used.insert(j) } }
        for j in sharedCol { used.insert(j) }
        return used.sorted()
    }

    /// Computes the statistics of one input row (laid out as `inputColumns`).
    public mutating func prepare(row x: UnsafeBufferPointer<Double>) {
        load(row: x)
        if needsClassStats || needsRank {
            for c in 0..<classMembers.count { prepareClass(c) }
        }
        prepareCategories()
    }

    /// As `prepare(row:)`, but only what the features of `tags` read: the statistics of their classes and
    /// categories, and the class ranks of those tags alone, each counted directly (no sort of the class). `features(tag:)`
    /// is then valid for `tags` only, with the values `prepare(row:)` gives, bit for bit (the same sums in
    /// the same order; a rank is the same count of members scoring strictly higher). Training builds the
    /// features of a block of tags a row at a time with it (FeatureMatrix.swift).
    public mutating func prepare(row x: UnsafeBufferPointer<Double>, tags: Range<Int>) {
        load(row: x)
        if needsClassStats || needsRank {
            for c in 0..<classMembers.count {
                let inClass = tags.reduce(0) { $0 + (classOf[$1] == c ? 1 : 0) }
                // A few ranks: counted directly; many: the whole class sorted once (`prepare(row:)`'s way), then
                // each of those tags' ranks searched.
                if inClass > 0 { prepareClass(c, only: tags, direct: inClass <= 16) }
            }
        }
        prepareCategories(of: tags)
    }

    private mutating func load(row x: UnsafeBufferPointer<Double>) {
        if row.count != x.count { row = Array(repeating: .nan, count: x.count) }
        row.withUnsafeMutableBufferPointer { r in
            guard let dst = r.baseAddress, let src = x.baseAddress else { return }
            dst.update(from: src, count: x.count)
        }
        s.withUnsafeMutableBufferPointer { sp in
            for k in 0..<tagCol.count { sp[k] = x[tagCol[k]] }
        }
    }

    /// Each category's statistics (with `tags`: those of their categories alone).
    private mutating func prepareCategories(of tags: Range<Int>? = nil) {
        if needsCategoryStats {
            s.withUnsafeBufferPointer { sp in
                for (g, members) in categoryMembers.enumerated() {
                    if let tags, !tags.contains(where: { categoryOf[$0] == g }) { continue }
                    var sum = 0.0, m1 = -Double.infinity, m2 = -Double.infinity, arg = -1
                    for k in members {
                        let v = sp[k]
                        sum += v
                        if v > m1 { m2 = m1; m1 = v; arg = k } else if v > m2 { m2 = v }
                    }
                    catSum[g] = sum; catMax1[g] = m1; catMax2[g] = m2; catArgMax[g] = arg
                }
            }
        }
    }

    /// Class `c`'s statistics and its members' ranks (with `only`: the ranks of those tags of the class alone,
    /// counted one by one when `direct`).
    private mutating func prepareClass(_ c: Int, only: Range<Int>? = nil, direct: Bool = false) {
        let members = classMembers[c]
        var rk = rank; rank = []                  // take the buffers (no copy), give them back below
        var buf = sortScratch; sortScratch = []
        defer { rank = rk; sortScratch = buf }
        s.withUnsafeBufferPointer { sp in
            if needsClassStats {
                var mx = -Double.infinity, sum = 0.0
                for k in members { mx = max(mx, sp[k]); sum += sp[k] }
                let mean = sum / Double(members.count)
                var ss = 0.0
                for k in members { let d = sp[k] - mean; ss += d * d }
                classMax[c] = mx; classMean[c] = mean; classSD[c] = (ss / Double(members.count)).squareRoot()
            }
            guard needsRank else { return }
            // Rank: how many class members score strictly higher.
            let denom = Double(max(members.count - 1, 1))
            rk.withUnsafeMutableBufferPointer { rp in
                if let only = only, direct {
                    for k in only where classOf[k] == c {
                        var higher = 0
                        for u in members where sp[u] > sp[k] { higher += 1 }
                        rp[k] = Double(higher) / denom
                    }
                    return
                }
                if members.count <= 32 {
                    for k in members {
                        var higher = 0
                        for u in members where sp[u] > sp[k] { higher += 1 }
                        rp[k] = Double(higher) / denom
                    }
                    return
                }
                // Sorted scores of the class, NaN left out (a missing score is never higher than another, as
                // in the plain count above), so the binary search sees a totally ordered array.
                var n = 0
                buf.withUnsafeMutableBufferPointer { b in
                    for k in members where !sp[k].isNaN { b[n] = sp[k]; n += 1 }
                    FeatureBuilder.sortDescending(b.baseAddress!, n)
                    if let only {
                        for k in only where classOf[k] == c { rp[k] = Double(FeatureBuilder.higher(than: sp[k], in: b, n)) / denom }
                    } else {
                        for k in members { rp[k] = Double(FeatureBuilder.higher(than: sp[k], in: b, n)) / denom }
                    }
                }
            }
        }
    }

    /// How many of the first `n` values of `b` (sorted largest first, no NaN) are strictly higher than `v`: the
    /// first position whose value is not > v.
    @inline(__always) static func higher(than v: Double, in b: UnsafeMutableBufferPointer<Double>, _ n: Int) -> Int {
        var lo = 0, hi = n
        while lo < hi { let mid = (lo + hi) / 2; if b[mid] > v { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// Sorts `n` values in place, largest first (Shell sort: no allocation; equal values are
    /// indistinguishable, so any correct sort gives the same result).
    static func sortDescending(_ a: UnsafeMutablePointer<Double>, _ n: Int) {
        for gap in [57, 23, 10, 4, 1] where gap < n {
            for i in gap..<n {
                let v = a[i]
                var j = i
                while j >= gap && a[j - gap] < v { a[j] = a[j - gap]; j -= gap }
                a[j] = v
            }
        }
    }

    /// Fills `out` (length `set.count`) with tag `t`'s features for the prepared row.
    public func features(tag t: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let c = classOf[t], g = categoryOf[t]
        var j = 0
        for op in ops {
            let v: Double
            switch op {
            case .score: v = s[t]
            case .logit:
                let p = min(max(s[t], 1e-7), 1 - 1e-7)
                v = Foundation.log(p / (1 - p))
            case .classRank: v = rank[t]
            case .classZ: v = classSD[c] < 1e-12 ? 0 : (s[t] - classMean[c]) / classSD[c]
            case .classMax: v = classMax[c]
            case .classMean: v = classMean[c]
            case .gapToClassMax: v = classMax[c] - s[t]
            case .categoryMeanOthers:
                let n = categoryMembers[g].count
                v = n > 1 ? (catSum[g] - s[t]) / Double(n - 1) : 0
            case .categoryMaxOthers:
                let n = categoryMembers[g].count
                v = n > 1 ? (catArgMax[g] == t ? catMax2[g] : catMax1[g]) : 0
            case .categoryScore:
                v = categoryCol[g] >= 0 ? row[categoryCol[g]] : .nan
            case .network(let n):
                v = networkCol[n][t] >= 0 ? row[networkCol[n][t]] : .nan
            case .meanQuantile:
                var sum = 0.0, count = 0
                for (src, maps) in quantileOfTag.enumerated() {
                    guard let q = maps[t] else { continue }
                    let col = src == 0 ? tagCol[t] : networkCol[src - 1][t]
                    guard col >= 0 else { continue }
                    let x = row[col]
                    if x.isNaN { continue }
                    sum += q(x); count += 1
                }
                v = count > 0 ? sum / Double(count) : .nan
            }
            out[j] = v; j += 1
        }
        for col in sharedCol { out[j] = row[col]; j += 1 }
    }
}
