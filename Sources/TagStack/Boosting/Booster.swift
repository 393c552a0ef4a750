// Gradient boosting with binary log loss on a shared BinnedMatrix: one tag (`trainBinary`) or many tags in
// parallel (`trainBinaryMany`). Models are `TreeEnsemble`s from TagStackModel, scored on raw values.

import Foundation
import TagStackModel

/// A trained model for one binary target, with what training learned about it.
public struct TrainedBooster: Sendable, Equatable {
    /// The model: `baseScore` plus the trees (already truncated to the best iteration).
    public var ensemble: TreeEnsemble
    /// Number of trees kept: the best iteration with early stopping, else the number of rounds boosted
    /// (boosting stops early when a round can neither split nor shift the scores).
    public var bestIteration: Int
    /// Per feature, the sum of the gains of the splits on it in the kept trees (LightGBM's "gain" importance).
    public var gainImportance: [Double]
    /// Validation log loss after each round (empty without validation rows).
    public var validationLoss: [Double]

    /// The trees.
    public var trees: [Tree] { ensemble.trees }
    /// The constant added to rows trained without an initial score: the prior log-odds of the training
    /// labels (LightGBM's boost_from_average), or 0 when training used initial scores.
    public var baseScore: Double { ensemble.baseScore }
}

/// Trains one boosted binary model (log loss) on rows of a shared binned matrix.
///
/// - Parameters:
///   - matrix: the binned features of all rows; never copied.
///   - labels: 0/1 per matrix row (length `matrix.rowCount`).
///   - initScores: per matrix row, the raw score (logit) boosting starts from, e.g. a first-stage network's
///     logit; nil starts every row from the prior log-odds of the training labels. With initial scores the
///     model's `baseScore` is 0 and scoring must be given the same kind of initial score.
///   - trainRows: the rows to train on (any order, no duplicates); nil means all rows. Histograms add
///     rows in increasing row order whatever order is given.
///   - validRows: rows whose log loss is tracked each round; needed when `earlyStoppingRounds > 0`.
///   - weights: per matrix row, a finite weight > 0 multiplying the row's gradient, hessian and validation
///     loss (the validation loss is then the weighted mean), e.g. the inverse sampling rate of subsampled
///     rows; nil weighs every row 1. `minDataInLeaf` still counts rows, as in LightGBM.
///   - parameters: see `BoostingParameters`; `parameters.seed` seeds bagging and feature sampling.
///   - threads: threads used inside this model (features are shared among them). The result does not
///     depend on it.
/// - Returns: the model truncated to its best iteration when early stopping is on.
/// - Throws: `BoostingError` for a bad parameter or inconsistent inputs, naming the bad value.
public func trainBinary(matrix: BinnedMatrix, labels: [UInt8], initScores: [Double]? = nil,
                        trainRows: [Int32]? = nil, validRows: [Int32]? = nil, weights: [Double]? = nil,
                        parameters: BoostingParameters, threads: Int = 1,
                        onRound: (@Sendable (Int) -> Void)? = nil) throws -> TrainedBooster {
    let (train, valid) = try checkInputs(matrix: matrix, labels: [labels], initScores: initScores.map { [$0] },
                                         trainRows: trainRows, validRows: validRows, parameters: parameters)
    if let w = weights {
        guard w.count == matrix.rowCount else { throw BoostingError.invalidInput("weights: \(w.count) values for \(matrix.rowCount) rows") }
        if let r = w.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw BoostingError.invalidInput("weights: row \(r) has \(w[r]), expected a finite number > 0")
        }
    }
    return matrix.bins.withUnsafeBufferPointer { bins in
        let grower = TreeGrower(bins: bins.baseAddress!, rowCount: matrix.rowCount, upperBounds: matrix.upperBounds,
                                capacity: train.count, parameters: parameters, threads: threads)
        return boost(matrix: matrix, bins: bins.baseAddress!, grower: grower, labels: labels, initScores: initScores,
                     train: train, valid: valid, weights: weights, parameters: parameters, onRound: onRound)
    }
}

/// Trains one model per tag on the same rows of a shared binned matrix, tags in parallel.
///
/// Workers (`threads` of them) take whole tags from a shared counter. Tag `t` is trained with the seed
/// `SplitMix64.derive(parameters.seed, t)`, so results depend on neither the thread count nor scheduling
/// (and tag `t`'s model equals `trainBinary` with that seed). With fewer tags than threads the spare threads
/// work inside the tags.
///
/// - Parameters: as `trainBinary`, with `labels[t]` and `initScores?[t]` per tag.
public func trainBinaryMany(matrix: BinnedMatrix, labels: [[UInt8]], initScores: [[Double]]? = nil,
                            trainRows: [Int32]? = nil, validRows: [Int32]? = nil,
                            parameters: BoostingParameters, threads: Int = 1) throws -> [TrainedBooster] {
    let (train, valid) = try checkInputs(matrix: matrix, labels: labels, initScores: initScores,
                                         trainRows: trainRows, validRows: validRows, parameters: parameters)
    let tags = labels.count
    if tags == 0 { return [] }
    let workers = max(1, min(threads, tags))
    let inner = max(1, threads / workers)
    var out = [TrainedBooster?](repeating: nil, count: tags)
    matrix.bins.withUnsafeBufferPointer { bins in
        out.withUnsafeMutableBufferPointer { outP in
            let outP = outP
            let counter = WorkCounter()
            parallelFor(workers, threads: workers) { _ in
                // One grower (and its buffers) per worker, reused for every tag it trains.
                let grower = TreeGrower(bins: bins.baseAddress!, rowCount: matrix.rowCount, upperBounds: matrix.upperBounds,
                                        capacity: train.count, parameters: parameters, threads: inner)
                while true {
                    let t = counter.next()
                    if t >= tags { break }
                    var p = parameters
                    p.seed = SplitMix64.derive(parameters.seed, t)
                    outP[t] = boost(matrix: matrix, bins: bins.baseAddress!, grower: grower, labels: labels[t],
                                    initScores: initScores?[t], train: train, valid: valid, weights: nil, parameters: p)
                }
            }
        }
    }
    return out.map { $0! }
}

// MARK: - Internals

/// Validates parameters and inputs; returns the training rows sorted and the validation rows.
private func checkInputs(matrix: BinnedMatrix, labels: [[UInt8]], initScores: [[Double]]?,
                         trainRows: [Int32]?, validRows: [Int32]?, parameters: BoostingParameters) throws -> ([Int32], [Int32]) {
    try parameters.validate()
    let n = matrix.rowCount
    for (t, y) in labels.enumerated() {
        guard y.count == n else { throw BoostingError.invalidInput("labels of tag \(t): \(y.count) values for \(n) rows") }
        if let r = y.firstIndex(where: { $0 > 1 }) {
            throw BoostingError.invalidInput("labels of tag \(t): row \(r) has label \(y[r]), expected 0 or 1")
        }
    }
    if let s = initScores {
        guard s.count == labels.count else { throw BoostingError.invalidInput("initScores: \(s.count) tags, labels have \(labels.count)") }
        for (t, v) in s.enumerated() {
            guard v.count == n else { throw BoostingError.invalidInput("initScores of tag \(t): \(v.count) values for \(n) rows") }
            if let r = v.firstIndex(where: { !$0.isFinite }) {
                throw BoostingError.invalidInput("initScores of tag \(t): row \(r) has \(v[r]), expected a finite number")
            }
        }
    }
    func check(_ rows: [Int32], _ name: String) throws -> [Int32] {
        let sorted = rows.sorted()
        for (i, r) in sorted.enumerated() {
            guard r >= 0 && Int(r) < n else { throw BoostingError.invalidInput("\(name): row \(r) is outside 0..<\(n)") }
            if i > 0 && sorted[i - 1] == r { throw BoostingError.invalidInput("\(name): row \(r) appears twice") }
        }
        return sorted
    }
    let train = try trainRows.map { try check($0, "trainRows") } ?? (0..<Int32(n)).map { $0 }
    let valid = try validRows.map { try check($0, "validRows") } ?? []
    if train.isEmpty { throw BoostingError.invalidInput("trainRows is empty: nothing to train on") }
    if parameters.earlyStoppingRounds > 0 && valid.isEmpty {
        throw BoostingError.invalidParameter(name: "earlyStoppingRounds", value: "\(parameters.earlyStoppingRounds)",
                                             requirement: "needs validation rows (validRows is empty)")
    }
    return (train, valid)
}

/// Log loss of one row given its raw score `s` and label `y`, computed without overflow.
@inline(__always)
func logLoss(rawScore s: Double, label y: Double) -> Double {
    max(s, 0) - y * s + log1p(exp(-abs(s)))
}

/// The boosting loop for one model (inputs already checked), at LightGBM's seams: gradients, bagging and the
/// tree's features (`Round`), one tree, the score update, then validation and early stopping.
private func boost(matrix: BinnedMatrix, bins: UnsafePointer<UInt8>, grower: TreeGrower, labels: [UInt8],
                   initScores: [Double]?, train: [Int32], valid: [Int32], weights: [Double]?,
                   parameters p: BoostingParameters, onRound: (@Sendable (Int) -> Void)? = nil) -> TrainedBooster {
    let n = matrix.rowCount, m = matrix.featureCount
    let base = initScores == nil ? priorLogOdds(labels: labels, rows: train, weights: weights) : 0
    var score = initScores ?? [Double](repeating: base, count: n)
    var round = Round(rowCount: n, featureCount: m, trainCount: train.count, parameters: p)
    var validation = Validation(rows: valid, scores: score, weights: weights)
    var trees: [BinnedTree] = []
    let valueBins = matrix.upperBounds.map(\.count)
    let allRows = train.count == n            // train is sorted and unique, so it is 0..<n

    for r in 0..<p.numRounds {
        // Progress (pooled learner): called before each round, from the thread training this model.
        onRound?(r)
        round.gradients(scores: score, labels: labels, rows: train, weights: weights, threads: grower.threads)
        if grower.isQuantized {
            train.withUnsafeBufferPointer { rows in
                grower.quantize(rows: rows, gradients: round.grad, hessians: round.hess, round: r, seed: round.roundingSeed)
            }
        }
        let bagCount = round.bag(train: train, into: grower.indices)
        let features = round.drawFeatures()
        let tree = round.grad.withUnsafeBufferPointer { g in
            round.hess.withUnsafeBufferPointer { h in
                grower.grow(bagCount: bagCount, allRowsInOrder: allRows && bagCount == n, gradients: g.baseAddress!,
                            hessians: h.baseAddress!, features: features)
            }
        }
        // A round whose drawn features allow no split still takes its Newton step on every row: a constant
        // tree (XGBoost keeps it too). LightGBM stops at the first such round, which with feature fraction
        // below 1 is a matter of the draw, and leaves a model boosted from a miscalibrated start (a
        // first-stage network's logit) far from calibrated. Boosting stops when such a step moves the
        // log-odds by less than 1e-6 (nothing left to learn; Float gradients leave ~1e-8 at the optimum).
        if tree.feature.isEmpty && abs(tree.leafValue[0]) < 1e-6 { break }
        trees.append(tree)
        valueBins.withUnsafeBufferPointer { vb in
            updateScores(&score, tree: tree, grower: grower, train: train, inBag: bagCount < train.count ? round.inBag : nil,
                         bins: bins, rowCount: n, valueBins: vb.baseAddress!)
            validation.add(tree, labels: labels, bins: bins, rowCount: n, valueBins: vb.baseAddress!, trees: trees.count,
                           threads: grower.threads)
        }
        if validation.shouldStop(trees: trees.count, patience: p.earlyStoppingRounds) { break }
    }
    var bestIter = validation.bestIter
    if p.earlyStoppingRounds > 0 && p.truncateToBest { trees.removeSubrange(bestIter...) }
    else if valid.isEmpty || p.earlyStoppingRounds == 0 { bestIter = trees.count }

    var importance = [Double](repeating: 0, count: m)
    for t in trees { for (f, g) in zip(t.feature, t.gain) { importance[Int(f)] += g } }
    return TrainedBooster(ensemble: TreeEnsemble(baseScore: base, trees: trees.map { $0.toTree(upperBounds: matrix.upperBounds) }),
                          bestIteration: bestIter, gainImportance: importance, validationLoss: validation.loss)
}

/// The prior log-odds of the (weighted) labels of `rows` (LightGBM's boost_from_average), clipped to 1e-15.
private func priorLogOdds(labels: [UInt8], rows: [Int32], weights: [Double]?) -> Double {
    var pos = 0.0, total = 0.0
    for r in rows {
        let w = weights?[Int(r)] ?? 1
        total += w
        if labels[Int(r)] == 1 { pos += w }
    }
    let eps = 1e-15
    let avg = min(max(pos / max(total, 1e-300), eps), 1 - eps)
    return log(avg / (1 - avg))
}

/// A round's per-row state: gradients, the bag and the tree's features, drawn from one seeded generator.
private struct Round {
    var rng: SplitMix64
    var grad: [Float], hess: [Float]
    /// Per training row (in `train` order): in this round's bag.
    var inBag: [Bool]
    var featurePool: [Int]
    let featureTarget: Int
    let baggingFraction: Double
    /// Quantized training: the rounding noise is a stream of its own, so bags and feature draws stay those
    /// of exact training.
    let roundingSeed: UInt64

    init(rowCount n: Int, featureCount m: Int, trainCount: Int, parameters p: BoostingParameters) {
        rng = SplitMix64(seed: p.seed)
        grad = [Float](repeating: 0, count: n); hess = [Float](repeating: 0, count: n)
        inBag = [Bool](repeating: true, count: trainCount)
        featurePool = Array(0..<m)
        featureTarget = max(1, Int((p.featureFraction * Double(m)).rounded()))
        baggingFraction = p.baggingFraction
        roundingSeed = SplitMix64.derive(p.seed, 0x5155_414E_5449_5A45)
    }

    /// Gradients of the log loss: g = p - y, h = p(1 - p), times the row's weight, stored as Float. Each row's
    /// values depend on that row alone, so large row sets are split among `threads`.
    mutating func gradients(scores: [Double], labels: [UInt8], rows: [Int32], weights: [Double]?, threads: Int) {
        grad.withUnsafeMutableBufferPointer { gp in
            hess.withUnsafeMutableBufferPointer { hp in
                let (gp, hp) = (gp, hp)
                forRowChunks(rows.count, threads: threads) { lo, hi in
                    if let w = weights {
                        for r32 in rows[lo..<hi] {
                            let r = Int(r32)
                            let prob = sigmoid(scores[r])
                            gp[r] = Float(w[r] * (prob - Double(labels[r])))
                            hp[r] = Float(w[r] * (prob * (1 - prob)))
                        }
                    } else {
                        for r32 in rows[lo..<hi] {
                            let r = Int(r32)
                            let prob = sigmoid(scores[r])
                            gp[r] = Float(prob - Double(labels[r]))
                            hp[r] = Float(prob * (1 - prob))
                        }
                    }
                }
            }
        }
    }

    /// The bag (Bernoulli per row, `inBag`) into `indices`; returns its size.
    mutating func bag(train: [Int32], into indices: UnsafeMutablePointer<Int32>) -> Int {
        guard baggingFraction < 1 else {
            for i in 0..<train.count { indices[i] = train[i] }
            return train.count
        }
        var bagCount = 0
        for i in 0..<train.count {
            let keep = rng.nextDouble() < baggingFraction
            inBag[i] = keep
            if keep { indices[bagCount] = train[i]; bagCount += 1 }
        }
        return bagCount
    }

    /// The features of this tree (a partial Fisher-Yates draw), increasing.
    mutating func drawFeatures() -> [Int] {
        let m = featurePool.count
        guard featureTarget < m else { return featurePool.sorted() }
        for i in 0..<featureTarget { featurePool.swapAt(i, i + rng.nextInt(below: m - i)) }
        return Array(featurePool[0..<featureTarget]).sorted()
    }
}

/// Runs `body(lo, hi)` over consecutive chunks of `0..<count`, one a thread when the rows are many enough to
/// be worth a fork-join (each chunk's work must depend on its own rows only).
private func forRowChunks(_ count: Int, threads: Int, _ body: (Int, Int) -> Void) {
    let chunks = threads > 1 && count >= 20_000 ? threads : 1
    parallelChunks(count, chunks: chunks) { _, r in body(r.lowerBound, r.upperBound) }
}

/// Adds the tree's output to every training row: bag rows from the leaf ranges, the others (`inBag` false)
/// by walking the tree on bins.
private func updateScores(_ score: inout [Double], tree: BinnedTree, grower: TreeGrower, train: [Int32], inBag: [Bool]?,
                          bins: UnsafePointer<UInt8>, rowCount n: Int, valueBins: UnsafePointer<Int>) {
    for leaf in 0..<grower.leaves {
        let v = tree.leafValue[leaf]
        let b = grower.leaf[leaf].begin
        for k in b..<(b + grower.leaf[leaf].count) { score[Int(grower.indices[k])] += v }
    }
    if let inBag {
        for (i, r) in train.enumerated() where !inBag[i] {
            score[Int(r)] += tree.leafValue[tree.leaf(ofRow: Int(r), bins: bins, rowCount: n, valueBins: valueBins)]
        }
    }
}

/// The validation rows' scores (kept apart: validation rows may also be training rows), the (weighted mean)
/// log loss after each round and the best round so far.
private struct Validation {
    let rows: [Int32]
    var scores: [Double]
    let weights: [Double]?
    let totalWeight: Double
    var loss: [Double] = []
    var bestLoss = Double.infinity, bestIter = 0
    /// Per validation row, this round's weighted loss (computed in parallel, added in row order).
    var rowLoss: [Double]

    init(rows: [Int32], scores: [Double], weights: [Double]?) {
        self.rows = rows; self.weights = weights
        self.scores = rows.map { scores[Int($0)] }
        rowLoss = [Double](repeating: 0, count: rows.count)
        totalWeight = weights.map { w in rows.reduce(0.0) { $0 + w[Int($1)] } } ?? Double(rows.count)
    }

    /// Adds the tree's output to every validation row and records the round's loss (`trees`: trees so far).
    /// Rows are scored in chunks on `threads`; their losses are added in row order, as one thread would.
    mutating func add(_ tree: BinnedTree, labels: [UInt8], bins: UnsafePointer<UInt8>, rowCount n: Int,
                      valueBins: UnsafePointer<Int>, trees: Int, threads: Int) {
        guard !rows.isEmpty else { return }
        let (rows, weights) = (rows, weights)
        scores.withUnsafeMutableBufferPointer { sp in
            rowLoss.withUnsafeMutableBufferPointer { lp in
                let (sp, lp) = (sp, lp)
                forRowChunks(rows.count, threads: threads) { lo, hi in
                    for i in lo..<hi {
                        let r = Int(rows[i])
                        sp[i] += tree.leafValue[tree.leaf(ofRow: r, bins: bins, rowCount: n, valueBins: valueBins)]
                        lp[i] = (weights?[r] ?? 1) * logLoss(rawScore: sp[i], label: Double(labels[r]))
                    }
                }
            }
        }
        var sum = 0.0
        for l in rowLoss { sum += l }
        loss.append(sum / totalWeight)
        if loss.last! < bestLoss { bestLoss = loss.last!; bestIter = trees }
    }

    /// Early stopping: `patience` rounds (> 0) without a better loss.
    func shouldStop(trees: Int, patience: Int) -> Bool {
        !rows.isEmpty && patience > 0 && trees - bestIter >= patience
    }
}
