// Out-of-fold probabilities of per-tag linear models, recomputed from the fold models when read instead of held.
// Held, a learner's finished out-of-fold columns are tags × rows Doubles (0.86 × X on Mewo's layout): with X
// itself that kept `train --learner logistic` at 2.35 × X at 100,000 rows (README, Large catalogues). A tag's
// features are row-local statistics of X (FeatureMatrix.swift) and its fold models are a few dozen Doubles, so
// row i's out-of-fold score of tag k is σ(fold model of i's fold · features of k on row i), computed with the
// same feature code and the same dot product (`LinearModel.rawScore` on the vector the fit scored): the values
// the learner computed, bit for bit (RecomputedScoresTests compares them).
//
// Readers read a column (`column(_:)`, computed with the other tags of its block; `RecomputedBlocks` keeps the two
// latest: readers go through tags in order, from up to two threads) or a chunk of rows across tags (`values`, what
// `ScoreColumns.forEachRow` and `forEachChunk` read), never one value at a time. A chunk of rows prepares each row
// once for every tag; a column prepares every row once for each block of tags, so the stages after the learner
// read rows where they can (the calibration's fits and log losses, the decision rules).

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

    init(features: FeatureMatrix, fold: [Int]?, models: [[LinearModel]?]) {
        self.features = features; self.fold = fold; self.models = models
        blockSize = max(1, min(models.count, features.recomputedBlocks.bytes / 2 / (max(features.rowCount, 1) * 8)))
    }

    /// Tag `k`'s value on every row (`models[k]` must not be nil).
    func column(_ k: Int) -> [Double] {
        let b = k / blockSize, n = features.rowCount
        let range = (b * blockSize)..<min(models.count, (b + 1) * blockSize)
        let tags = range.filter { models[$0] != nil }
        let offset = tags.firstIndex(of: k)! * n
        return features.recomputedBlocks.column(owner: ObjectIdentifier(self), block: b, offset: offset, count: n) {
            self.features.linearScores(tags: tags, rows: nil, prepared: range, models: self.packed(tags), fold: self.fold)
        }
    }

    /// The values of `tags` (each recomputed) on `rows`, `[tag index × rows.count + row index]`.
    func values(tags: [Int], rows: [Int]) -> [Double] {
        // Readers of rows are not readers of columns: the kept blocks would only add to what rows read.
        features.recomputedBlocks.release()
        return features.linearScores(tags: tags, rows: rows, prepared: nil, models: packed(tags), fold: fold)
    }

    /// The models of `tags` (each recomputed), packed.
    func packed(_ tags: [Int]) -> PackedLinearModels { PackedLinearModels(tags.map { models[$0]! }) }
}

/// The blocks of recomputed columns kept, the two latest of every `RecomputedScores` of a training together (a
/// learner's runs, such as the logistic learner's and its every-tag alternative, are read in turn): readers go
/// through tags in order, from up to two threads, so a column's block is usually one of them. A read of rows
/// drops them (training's stages read columns or rows in turn, never both at once).
final class RecomputedBlocks: @unchecked Sendable {
    /// What the two blocks may hold together: max(X / 8, 4 MiB).
    let bytes: Int
    private let lock = NSLock()
    /// Most recent last: `values[recomputed tag of the block][row]`, flat.
    private var kept: [(owner: ObjectIdentifier, block: Int, values: [Double])] = []

    init(bytes: Int) { self.bytes = bytes }

    /// Drops the kept blocks.
    func release() {
        lock.lock(); defer { lock.unlock() }
        kept.removeAll()
    }

    /// `count` values from `offset` of `owner`'s block `block`, computed by `compute` (the block's values) unless
    /// kept; a block computed is kept, the least recent of two dropped before it is computed.
    func column(owner: ObjectIdentifier, block: Int, offset: Int, count: Int, compute: () -> [Double]) -> [Double] {
        lock.lock(); defer { lock.unlock() }
        if let hit = kept.firstIndex(where: { $0.owner == owner && $0.block == block }) {
            let entry = kept.remove(at: hit)
            kept.append(entry)
            return Array(entry.values[offset..<(offset + count)])
        }
        if kept.count == 2 { kept.removeFirst() }
        let values = compute()
        kept.append((owner, block, values))
        return Array(values[offset..<(offset + count)])
    }
}

/// Linear models by tag and fold, their parameters in one array (intercept, then each feature's weight, mean and
/// scale): scoring a value reads them in place, where a `LinearModel` taken out of an array retained and released
/// its three arrays for every value (contended between threads).
struct PackedLinearModels {
    let width: Int, folds: Int
    /// `[tag][fold][1 + 3 × width]`.
    let values: [Double]

    init(_ models: [[LinearModel]]) {
        let width = models.first?.first?.weights.count ?? 0, folds = models.first?.count ?? 0
        self.width = width; self.folds = folds
        var v: [Double] = []
        v.reserveCapacity(models.count * folds * (1 + 3 * width))
        for byFold in models {
            precondition(byFold.count == folds && byFold.allSatisfy { $0.weights.count == width })
            for model in byFold {
                v.append(model.intercept)
                for j in 0..<width { v.append(model.weights[j]); v.append(model.means[j]); v.append(model.scales[j]) }
            }
        }
        values = v
    }

    /// `LinearModel.rawScore` of tag `q`'s fold `f` model (the same operations in the same order, so the same
    /// value bit for bit: RecomputedScoresTests), `p` being `values`' storage.
    @inline(__always) func rawScore(tag q: Int, fold f: Int, _ x: UnsafeBufferPointer<Double>, _ p: UnsafeBufferPointer<Double>) -> Double {
        let base = (q * folds + f) * (1 + 3 * width)
        var z = p[base]
        for j in 0..<width where x[j].isFinite {
            let w = p[base + 1 + 3 * j], mean = p[base + 2 + 3 * j], scale = p[base + 3 + 3 * j]
            let d = x[j] - mean
            z += d.isFinite ? w * d / scale : w * (x[j] / scale - mean / scale)
        }
        return z
    }
}
