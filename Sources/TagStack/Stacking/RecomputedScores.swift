// Out-of-fold probabilities of per-tag linear models, recomputed from the fold models when read instead of held.
// Held, a learner's finished out-of-fold columns are tags × rows Doubles (0.86 × X on Mewo's layout): with X
// itself that kept `train --learner logistic` at 2.35 × X at 100,000 rows (README, Large catalogues). A tag's
// features are row-local statistics of X (FeatureMatrix.swift) and its fold models are a few dozen Doubles, so
// row i's out-of-fold score of tag k is σ(fold model of i's fold · features of k on row i), computed with the
// same feature code and the same dot product (`LinearModel.rawScore` on the vector the fit scored): the values
// the learner computed, bit for bit (RecomputedScoresTests compares them).
//
// Readers read a column (`column(_:)`, computed with the other tags of its block, the two latest blocks kept:
// readers go through tags in order, from up to two threads) or a chunk of rows across tags (`values`, what
// `ScoreColumns.forEachRow` reads), never one value at a time.

import Foundation
import TagStackModel

final class RecomputedScores: @unchecked Sendable {
    let features: FeatureMatrix
    /// The fold of each row, whose model scores it; nil: each tag's one model scores every row (no folds).
    let fold: [Int]?
    /// Per tag, its models by fold (one without folds); nil for a tag whose column is not recomputed.
    let models: [[LinearModel]?]
    /// Tags a block of `column(_:)` computes at once (aligned: block b is tags b·blockSize ..< (b+1)·blockSize).
    let blockSize: Int
    private let lock = NSLock()
    /// The latest blocks, most recent last (at most two): `values[recomputed tag of the block][row]`, flat.
    private var cache: [(block: Int, values: [Double])] = []

    init(features: FeatureMatrix, fold: [Int]?, models: [[LinearModel]?]) {
        self.features = features; self.fold = fold; self.models = models
        // Two blocks within max(X / 32, 4 MiB) (X / 16 peaked at 1.49 × X at 100,000 rows, README).
        let n = max(features.rowCount, 1), budget = max(n * features.inputColumnCount * 8 / 32, 4 << 20)
        blockSize = max(1, min(models.count, budget / 2 / (n * 8)))
    }

    /// Tag `k`'s value on every row (`models[k]` must not be nil).
    func column(_ k: Int) -> [Double] {
        let b = k / blockSize, n = features.rowCount
        lock.lock(); defer { lock.unlock() }
        if let hit = cache.firstIndex(where: { $0.block == b }) {
            let offset = ((b * blockSize)..<k).filter { models[$0] != nil }.count * n
            let entry = cache.remove(at: hit)
            cache.append(entry)
            return Array(entry.values[offset..<(offset + n)])
        }
        let range = (b * blockSize)..<min(models.count, (b + 1) * blockSize)
        let tags = range.filter { models[$0] != nil }
        if cache.count == 2 { cache.removeFirst() }   // before computing: two blocks held at most
        let values = features.linearScores(tags: tags, rows: nil, prepared: range) { i, tag in
            self.model(row: i, tag: tag)
        }
        cache.append((b, values))
        let offset = tags.firstIndex(of: k)! * n
        return Array(values[offset..<(offset + n)])
    }

    /// The columns of `tags` (each recomputed, increasing) on every row, computed together (each row prepared
    /// once for them all), not kept: for readers of a few tags scattered over the blocks (a category's).
    func columns(_ tags: [Int]) -> [[Double]] {
        guard let first = tags.first, let last = tags.last else { return [] }
        let n = features.rowCount
        let values = features.linearScores(tags: tags, rows: nil, prepared: first..<(last + 1)) { i, tag in self.model(row: i, tag: tag) }
        return tags.indices.map { q in Array(values[(q * n)..<((q + 1) * n)]) }
    }

    /// The values of `tags` (each recomputed) on `rows`, `[tag index × rows.count + row index]`.
    func values(tags: [Int], rows: [Int]) -> [Double] {
        features.linearScores(tags: tags, rows: rows, prepared: nil) { i, tag in self.model(row: i, tag: tag) }
    }

    @inline(__always) func model(row i: Int, tag k: Int) -> LinearModel { models[k]![fold?[i] ?? 0] }
}
