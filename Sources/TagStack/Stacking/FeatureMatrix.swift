// Per-tag feature matrices for the training rows, computed with the model library's FeatureBuilder so that
// training and scoring compute every feature with the same code.

import Foundation
import TagStackModel

/// The per-tag features of every training row: `columns[t][f][i]` (tag, feature, row), plus the shared
/// input columns (`--features all`), stored once for all tags.
struct FeatureMatrix: Sendable {
    let set: FeatureSet
    /// Per tag, per per-tag feature, one value per row.
    var perTag: [[[Double]]]
    /// Shared columns (`set.sharedColumns`), one value per row each.
    var shared: [[Double]]
    let rowCount: Int

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
        let n = data.x.rowCount, t = data.labels.count, k = set.kinds.count, w = data.x.columnCount
        rowCount = n
        let builder = try FeatureBuilder(set: FeatureSet(kinds: set.kinds, networks: set.networks, quantiles: set.quantiles),
                                         labels: data.labels, inputColumns: data.x.columns)
        // Row-major scratch per chunk, scattered into per-tag columns.
        var flat = [Double](repeating: 0, count: n * t * k)   // [row][tag][feature]
        let chunks = max(1, min(threads, n / 256))
        data.x.values.withUnsafeBufferPointer { x in
            flat.withUnsafeMutableBufferPointer { out in
                let out = out
                parallelFor(chunks, threads: chunks) { c in
                    var b = builder
                    for i in (n * c / chunks)..<(n * (c + 1) / chunks) {
                        b.prepare(row: UnsafeBufferPointer(rebasing: x[(i * w)..<((i + 1) * w)]))
                        for tag in 0..<t {
                            b.features(tag: tag, into: UnsafeMutableBufferPointer(rebasing: out[((i * t + tag) * k)..<((i * t + tag + 1) * k)]))
                        }
                    }
                }
            }
        }
        perTag = (0..<t).map { tag in (0..<k).map { f in (0..<n).map { i in flat[(i * t + tag) * k + f] } } }
        shared = set.sharedColumns.map { name in data.x.column(data.x.columnIndex(name)!) }
    }

    /// Tag `t`'s features for the given rows, row-major (per-tag features, then shared columns).
    func rowMajor(tag t: Int, rows: [Int32]) -> [Double] {
        let k = set.kinds.count, m = set.count
        var out = [Double](repeating: 0, count: rows.count * m)
        for (r, i) in rows.enumerated() {
            for f in 0..<k { out[r * m + f] = perTag[t][f][Int(i)] }
            for (s, col) in shared.enumerated() { out[r * m + k + s] = col[Int(i)] }
        }
        return out
    }
}

