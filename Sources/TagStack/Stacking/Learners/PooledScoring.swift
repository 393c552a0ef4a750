// Hot loop: the pooled learner's scores of many rows (each fold's ensemble on its validation rows, and the
// final ensemble in sample without folds), every tag of a row at once.
//
// Notes
// - Rows go in blocks of `rowBlock`, blocks pulled by the workers from a shared counter; each worker has its
//   own `PooledTrees.Scratch` and buffers. Per block the per-tag features of every tag are computed once
//   (`FeatureMatrix.block`, the values the per-tag blocks give), then per row the tags' feature vectors are laid
//   side by side (`tag × kinds`) and the shared ensemble is walked once for all the tags
//   (`PooledTrees.accumulate`, PooledTrees.swift: one walk per tree and track, tag-level splits resolved once
//   per call, not per row).
// - Reads the features, the base scores and the ensemble (read-only); writes only its own buffers and each
//   row's column of the output (`[tag][row]`, disjoint per row), so the result depends on neither the thread
//   count nor the scheduling.
// - Each probability is `sigmoid(clippedLogit(base) + Σ trees)`, the trees added in tree order, so it equals
//   the plain twin `probabilitiesPlain` (tag by tag through `TreeEnsemble.rawScores`, the former path) bit for
//   bit (PooledScoringTests).
// - Cost: the former path walked every tree once per (row, tag) pair (248 tags: 248 walks of every tree per
//   row) and rebuilt the ensemble's batch layout for every tag; this walks each tree once per row
//   (README, "Where the time goes", for the measured CPU).

import TagStackModel

enum PooledScoring {
    /// Rows whose features are computed together (all tags: rows × tags × kinds Doubles, ~1.5 MB at 248 tags).
    static let rowBlock = 64

    /// Probabilities of every tag on `rows` with `ensemble` (over the per-tag features then the tag values
    /// `tagValues[tag]`), each row starting from the logit of its base score `base`: `[tag][r]` for the `r`-th
    /// of `rows`.
    static func probabilities(_ ensemble: TreeEnsemble, features: FeatureMatrix, tagValues: [[Double]], rows: [Int32],
                              base: ScoreColumns, threads: Int) -> [[Double]] {
        let t = features.tagCount, k = features.set.kinds.count, m = rows.count
        guard t > 0, m > 0 else { return [[Double]](repeating: [], count: t) }
        let trees = PooledTrees(ensemble.trees, featureCount: k, tagValues: tagValues)
        let blocks = (m + rowBlock - 1) / rowBlock
        let workers = max(1, min(threads, blocks))
        var out = [Double](repeating: 0, count: t * m)   // [tag][r]
        out.withUnsafeMutableBufferPointer { o in
            let o = o, counter = WorkCounter()
            parallelFor(workers, threads: workers) { _ in
                let scratch = trees.makeScratch()
                let x = UnsafeMutablePointer<Double>.allocate(capacity: t * k), raw = UnsafeMutablePointer<Double>.allocate(capacity: t)
                defer { x.deallocate(); raw.deallocate() }
                while true {
                    let b = counter.next()
                    if b >= blocks { break }
                    let r0 = b * rowBlock, r1 = min(m, r0 + rowBlock)
                    let block = features.block(0..<t, rows: Array(rows[r0..<r1]))
                    for r in r0..<r1 {
                        let i = Int(rows[r])
                        for tag in 0..<t {
                            for f in 0..<k { x[tag * k + f] = block.value(tag: tag, feature: f, row: r - r0) }
                            raw[tag] = clippedLogit(base.value(i, tag))
                        }
                        trees.accumulate(rows: x, stride: k, into: raw, scratch: scratch)
                        for tag in 0..<t { o[tag * m + r] = sigmoid(raw[tag]) }
                    }
                }
            }
        }
        return (0..<t).map { Array(out[($0 * m)..<(($0 + 1) * m)]) }
    }

    // MARK: - Plain twin

    /// Plain twin of `probabilities`: tag by tag, each tag's rows (features, then its tag values) through
    /// `TreeEnsemble.rawScores`.
    static func probabilitiesPlain(_ ensemble: TreeEnsemble, features: FeatureMatrix, tagValues: [[Double]], rows: [Int32],
                                   base: ScoreColumns) -> [[Double]] {
        let block = features.block(0..<features.tagCount, rows: rows)
        return (0..<features.tagCount).map { tag in
            let v = tagValues[tag], k = block.kinds, w = k + v.count, m = block.rows
            var x = [Double](repeating: 0, count: m * w)
            for r in 0..<m {
                for f in 0..<k { x[r * w + f] = block.value(tag: tag, feature: f, row: r) }
                for j in 0..<v.count { x[r * w + k + j] = v[j] }
            }
            let start = rows.map { clippedLogit(base.value(Int($0), tag)) }
            return ensemble.rawScores(values: x, rowCount: m, columnCount: w, initScores: start).map(sigmoid)
        }
    }
}
