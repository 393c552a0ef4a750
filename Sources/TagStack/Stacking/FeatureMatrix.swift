// Per-tag feature matrices for the training rows, computed with the model library's FeatureBuilder so that
// training and scoring compute every feature with the same code.

import Foundation
import TagStackModel

/// The per-tag features of the training rows, computed a block of tags at a time (`block(_:rows:)`): every
/// tag's features at once are tags × features × rows Doubles (7.7 × X on Mewo's layout), a block is bounded
/// (`blockSize`). Plus the shared input columns (`--features all`), stored once for all tags.
struct FeatureMatrix: Sendable {
    let set: FeatureSet
    /// Shared columns (`set.sharedColumns`), one value per row each.
    var shared: [[Double]]
    let rowCount: Int
    let tagCount: Int
    /// Tags per block at most: a block's features stay within max(X / 16, 16 MiB) (one tag a thread at least).
    let blockSize: Int
    private let x: FeatureTable
    private let builder: FeatureBuilder
    private let threads: Int
    /// The recomputed out-of-fold columns' kept blocks, shared by every copy of the matrix (RecomputedScores.swift).
    let recomputedBlocks: RecomputedBlocks

    /// One block of tags' per-tag features on some rows: `value(tag, feature, r)` for the block's `r`-th row.
    struct Block: Sendable {
        let tags: Range<Int>
        let rows: Int
        let kinds: Int
        /// [(tag - tags.lowerBound) × kinds + feature][row]: one array a column, so that a tag's columns are
        /// handed to its fit without a copy (a copy a thread was 1 / 36 × X at 100,000 rows).
        let values: [[Double]]

        /// Tag `t`'s features (one column per feature, one value per row of the block), not copied.
        func columns(tag t: Int) -> [[Double]] {
            let base = (t - tags.lowerBound) * kinds
            return Array(values[base..<(base + kinds)])
        }

        @inline(__always) func value(tag t: Int, feature f: Int, row r: Int) -> Double {
            values[(t - tags.lowerBound) * kinds + f][r]
        }
    }

    /// The default feature set for `data`: row statistics, the category score when any category column
    /// exists, every extra network's score for the tag and, with extra networks, the rank-normalised mean.
    static func defaultSet(for data: TrainingData, mode: FeatureMode) -> FeatureSet {
        var kinds: [FeatureKind] = [.score, .logit, .classRank, .classZ, .classMax, .classMean, .gapToClassMax,
                                    .categoryMeanOthers, .categoryMaxOthers]
        let columns = Set(data.x.columns)
        if data.labels.categories.contains(where: columns.contains) { kinds.append(.categoryScore) }
        let networks = detectNetworks(columns: data.x.columns, labels: data.labels)
        kinds += networks.map { .network($0) }
        var quantiles: [String: QuantileMap] = [:]
        if !networks.isEmpty {
            kinds.append(.meanQuantile)
            let sources = [""] + networks.map { $0 + ":" }
            for prefix in sources {
                for t in data.labels.tags {
                    guard let j = data.x.columnIndex(prefix + t) else { continue }
                    quantiles[prefix + t] = QuantileMap(values: data.x.column(j))
                }
            }
        }
        let shared = mode == .all ? data.x.columns : []
        return FeatureSet(kinds: kinds, sharedColumns: shared, networks: networks, quantiles: quantiles)
    }

    /// Prefixes `NET` of columns `NET:tag` naming a tag, in order of first appearance.
    static func detectNetworks(columns: [String], labels: LabelSet) -> [String] {
        let tags = Set(labels.tags)
        var seen = Set<String>(), out: [String] = []
        for c in columns {
            guard let colon = c.firstIndex(of: ":") else { continue }
            let prefix = String(c[..<colon]), rest = String(c[c.index(after: colon)...])
            if !prefix.isEmpty, tags.contains(rest), seen.insert(prefix).inserted { out.append(prefix) }
        }
        return out
    }

    init(data: TrainingData, set: FeatureSet, threads: Int) throws {
        self.set = set
        let n = data.x.rowCount, k = set.kinds.count
        rowCount = n
        tagCount = data.labels.count
        x = data.x
        self.threads = threads
        builder = try FeatureBuilder(set: FeatureSet(kinds: set.kinds, networks: set.networks, quantiles: set.quantiles),
                                     labels: data.labels, inputColumns: data.x.columns)
        let budget = max(n * data.x.columnCount * 8 / 16, 16 << 20), perTag = max(n * k * 8, 1)
        blockSize = max(1, min(tagCount, budget / perTag))
        shared = set.sharedColumns.map { name in data.x.column(data.x.columnIndex(name)!) }
        recomputedBlocks = RecomputedBlocks(bytes: max(n * data.x.columnCount * 8 / 8, 4 << 20))
    }

    /// The blocks of tags, in order: the first `blockSize` tags, later blocks smaller in step with the tags
    /// left, down to one tag a thread. A learner that holds every finished tag's out-of-fold scores (tags × rows
    /// Doubles, 0.86 × X on Mewo's layout; the boosted and pooled learners: the logistic learner's are
    /// recomputed when read, RecomputedScores.swift) while it computes the next block, so the block shrinks as
    /// they grow and the two together stay near the larger of them (Benchmarks/bench_catalogue.sh).
    var blocks: [Range<Int>] { Self.blocks(tags: tagCount, blockSize: blockSize, threads: threads) }

    static func blocks(tags: Int, blockSize: Int, threads: Int) -> [Range<Int>] {
        var out: [Range<Int>] = [], start = 0
        while start < tags {
            let left = tags - start
            let size = max(1, min(left, blockSize, max(threads, blockSize * left / tags)))
            out.append(start..<(start + size))
            start += size
        }
        return out
    }

    /// The per-tag features of `tags` on `rows` (every row when nil), rows in parallel; the same values
    /// whatever the block, rows or thread count (each row's features are computed from that row alone).
    func block(_ tags: Range<Int>, rows: [Int32]? = nil) -> Block {
        let m = rows?.count ?? rowCount, k = set.kinds.count, b = tags.count
        var flat = [Double](repeating: 0, count: b * k * m)   // [tag][feature][row]
        let chunks = max(1, min(threads, m / 256))
        compute(into: &flat, chunks: chunks, tags: tags) { c, features, out in
            for r in (m * c / chunks)..<(m * (c + 1) / chunks) {
                let i = rows.map { Int($0[r]) } ?? r
                for tag in tags {
                    let one = features(i, tag), base = (tag - tags.lowerBound) * k * m
                    for f in 0..<k { out[base + f * m + r] = one[f] }
                }
            }
        }
        // Split into columns before the fits run: the flat copy is freed on return.
        return Block(tags: tags, rows: m, kinds: k, values: (0..<(b * k)).map { q in Array(flat[(q * m)..<((q + 1) * m)]) })
    }

    /// The per-tag features of the (row, tag) pairs `ids` (`id = row × tagCount + tag`, rows never
    /// decreasing), column-major (`[feature × ids.count + pair]`): the values `block` gives those pairs, each
    /// row prepared once and only its pairs' tags computed (pairs in parallel, split at row boundaries).
    func pairValues(_ ids: [Int]) -> [Double] {
        let p = ids.count, k = set.kinds.count, t = tagCount
        var flat = [Double](repeating: 0, count: k * p)   // [feature][pair]
        let chunks = max(1, min(threads, p / 4096))
        // Chunk c starts at the first pair of the row after the one at c·p/chunks (no row spans two chunks).
        let starts = (0...chunks).map { c -> Int in
            var s = p * c / chunks
            while s > 0 && s < p && ids[s] / t == ids[s - 1] / t { s += 1 }
            return s
        }
        compute(into: &flat, chunks: chunks) { c, features, out in
            for q in starts[c]..<starts[c + 1] {
                let one = features(ids[q] / t, ids[q] % t)
                for f in 0..<k { out[f * p + q] = one[f] }
            }
        }
        return flat
    }

    /// σ(raw score) of each tag of `tags` on each row of `rows` (every row when nil) under `models` (the tags' fold
    /// models, packed in `tags`' order) and `fold` (each row's; nil: every row's model 0), `[tag index × rows + row
    /// index]`, rows in parallel chunks. The vector scored is the tag's per-tag features then the shared columns, as
    /// `rowMajor` lays it out for the fit, so each value is the one the logistic learner computed for its
    /// out-of-fold scores, bit for bit. `prepared`: each row prepared for those tags only (they must include
    /// `tags`; nil: for every tag), as `block` does.
    func linearScores(tags: [Int], rows: [Int]?, prepared: Range<Int>?, models: PackedLinearModels, fold: [Int]?) -> [Double] {
        let m = rows?.count ?? rowCount, k = set.kinds.count, d = set.count, b = tags.count
        var flat = [Double](repeating: 0, count: b * m)   // [tag][row]
        let chunks = max(1, min(threads, m / 256))
        compute(into: &flat, chunks: chunks, tags: prepared) { c, features, out in
            let v = UnsafeMutableBufferPointer<Double>.allocate(capacity: d)
            defer { v.deallocate() }
            v.initialize(repeating: 0)
            models.values.withUnsafeBufferPointer { params in
                for r in (m * c / chunks)..<(m * (c + 1) / chunks) {
                    let i = rows?[r] ?? r, f = fold?[i] ?? 0
                    for (s, col) in shared.enumerated() { v[k + s] = col[i] }
                    for (q, tag) in tags.enumerated() {
                        let one = features(i, tag)
                        for j in 0..<k { v[j] = one[j] }
                        out[q * m + r] = sigmoid(models.rawScore(tag: q, fold: f, UnsafeBufferPointer(v), params))
                    }
                }
            }
        }
        return flat
    }

    /// Runs `body(chunk, features, out)` for `chunks` chunks in parallel over `flat`: `features(row, tag)` is
    /// that tag's features on that input row (a builder of the chunk's own, prepared again only when the
    /// row changes; with `tags`, prepared for those tags only: `FeatureBuilder.prepare(row:tags:)`).
    private func compute(into flat: inout [Double], chunks: Int, tags: Range<Int>? = nil,
                         _ body: (Int, (Int, Int) -> UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void) {
        let k = set.kinds.count, w = x.columnCount
        x.values.withUnsafeBufferPointer { xv in
            flat.withUnsafeMutableBufferPointer { out in
                let out = out
                parallelFor(chunks, threads: chunks) { c in
                    var bld = builder
                    let one = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
                    defer { one.deallocate() }
                    one.initialize(repeating: 0)
                    var prepared = -1
                    body(c, { row, tag in
                        if row != prepared {
                            let x = UnsafeBufferPointer(rebasing: xv[(row * w)..<((row + 1) * w)])
                            if let tags = tags { bld.prepare(row: x, tags: tags) } else { bld.prepare(row: x) }
                            prepared = row
                        }
                        Self.features(&bld, tag: tag, into: one)
                        return UnsafeBufferPointer(one)
                    }, out)
                }
            }
        }
    }

    /// `b.features(tag:into:)`, given `b` in place: called on the captured builder itself, the method was given a
    /// copy of it (every array of the builder retained and released for each value computed).
    @inline(__always) private static func features(_ b: inout FeatureBuilder, tag: Int, into out: UnsafeMutableBufferPointer<Double>) {
        b.features(tag: tag, into: out)
    }

    /// A tag's features for the given rows, row-major (per-tag features `columns`, then shared columns).
    func rowMajor(_ columns: [[Double]], rows: [Int32]) -> [Double] {
        let k = set.kinds.count, m = set.count
        var out = [Double](repeating: 0, count: rows.count * m)
        for (r, i) in rows.enumerated() {
            for f in 0..<k { out[r * m + f] = columns[f][Int(i)] }
            for (s, col) in shared.enumerated() { out[r * m + k + s] = col[Int(i)] }
        }
        return out
    }
}
