// The last level, decided once for the whole label set: how every tag's final score becomes the probability
// written out. Schemes: none (the score, clamped to [0, 1]), Platt scaling per tag (σ(a_t·logit(s) + b_t)),
// and one slope shared by every tag with a per-tag intercept, judged by cross-fitted log loss (each fold's
// calibration fitted on the other folds' out-of-fold scores; mean over tags of each tag's mean log loss):
// Platt replaces none when it is lower, the shared slope replaces Platt only by `sharedMargin` (Platt scaling
// of the score is what a user would do by hand: the reference never to lose to). One choice for every tag: a per-tag "keep where it helps" test is
// noisy on a few dozen positives (on MTG-Jamendo it kept the base score on tags whose test log loss Platt
// scaling cuts, README). Decisions compare the score before calibration with the
// threshold, so no decision changes; each map is strictly increasing (slope > 0), so no ranking changes.

import Foundation
import TagStackModel

enum CalibrationChoice {
    struct Outcome {
        /// Per tag, its calibration (nil: none).
        var calibrations: [Calibration?]
        var level: Level?
        /// Per tag, every row's probability under the chosen scheme, cross-fitted (in-sample without folds);
        /// nil unless asked for.
        var probabilities: [[Double]]?
    }

    /// The schemes `auto` tries, in this order (`temperature` only when asked for).
    static let schemes: [CalibrationOption] = [.none, .platt, .shared]
    /// How much lower (mean log loss) the shared slope must be than Platt per tag to replace it (what
    /// MTG-Jamendo's out-of-fold and test log losses support, README).
    static let sharedMargin = 0.001
    /// The smallest slope a calibration keeps (a score that ranks against its labels still maps increasingly).
    static let minimumSlope = 1e-3

    /// Chooses the scheme. Per tag, its scores, their logits and probabilities are computed when needed and
    /// dropped (nothing tags × rows is kept beyond the run's own scores); `keepProbabilities` keeps the
    /// chosen scheme's probabilities of every tag (the training report draws them).
    static func choose(run: LearnerRun, context c: FoldContext, keepProbabilities: Bool = true) -> Outcome {
        let t = c.tagCount, threads = c.options.threads
        let scores = run.oof
        // The fit reads the calibration logit bounded to ±60 (scores beyond are ~1e-19 from 0 or 1, or far
        // outside [0, 1]): an infinite or enormous logit would otherwise decide the fit alone.
        func bounded(_ s: Double) -> Double { min(max(calibrationLogit(s), -60), 60) }
        let z: (Int) -> [Double] = { k in scores[k].map(bounded) }
        // The same logits a chunk of rows at a time (the shared slope's fit reads rows: SharedLogisticSweep.swift).
        let read: SharedLogistic.Reader = { body in
            scores.forEachChunk { rows, v in v.map(bounded).withUnsafeBufferPointer { body(rows, $0) } }
        }
        let tried = c.options.calibration == .auto ? schemes : [c.options.calibration]
        // Each scheme is fitted on each fold's training rows and on every row (the model's) together: a tag's
        // scores are read once for all of them (a logistic learner's are recomputed when read, RecomputedScores.swift).
        let scored = c.splits.map { $0.map(\.valid) } ?? [c.allRows]
        let fitRows = (c.splits.map { $0.map(\.train) } ?? []) + [c.allRows]
        let fitted = tried.map { fit($0, tags: t, z: z, read: read, labels: c.labels, parts: fitRows, threads: threads) }   // [scheme][part][tag]
        let perTag = logLosses(scores, fitted: fitted, scored: scored, labels: c.labels, threads: threads)
        let losses = tried.indices.map { i in (tried[i].rawValue, perTag[i].reduce(0, +) / Double(max(t, 1))) }
        // none, then Platt per tag, then the shared slope: Platt scaling (the reference a user compares with)
        // replaces none when it lowers the log loss; the shared slope replaces Platt only by `sharedMargin`.
        var best = 0
        // Without folds every loss is in-sample, which Platt scaling always lowers: auto keeps none then.
        let evidence = c.fold != nil || c.options.calibration != .auto
        for (i, l) in losses.enumerated() where evidence {
            let needed = tried[best] == .platt && tried[i] == .shared ? sharedMargin : 0
            if l.1 < losses[best].1 - needed { best = i }
        }
        let chosen = tried[best]
        var final = fitted[best].last!
        for k in 0..<t {
            if let cal = final[k] { final[k]!.threshold = run.tags[k].threshold.map(cal.probability) }
        }
        var level = Level(kind: .calibration, metric: "log loss", candidates: losses, chosen: chosen.rawValue,
                          margin: tried.contains(.shared) && tried.contains(.platt) ? sharedMargin : nil, inSample: c.fold == nil,
                          lowerIsBetter: true, note: evidence ? nil : Level.keptSimplest)
        if level.margin != nil { level.marginRule = "Platt replaces none when lower, the shared slope must beat Platt by" }
        let kept = keepProbabilities
            ? parallelMap(t, threads: threads) { k in probabilities(scores[k], scored: scored, fitted[best].map { $0[k] }) } : nil
        return Outcome(calibrations: final, level: level, probabilities: kept)
    }

    /// A tag's probability of every row from its scores `s`: the rows of `scored[part]` from the calibration of
    /// that part, `cals[part]` (fitted on the other folds; on every row without folds).
    static func probabilities(_ s: [Double], scored: [[Int32]], _ cals: [Calibration?]) -> [Double] {
        var p = s
        for (part, rows) in scored.enumerated() {
            for r in rows { let i = Int(r); p[i] = outputProbability(s[i], cals[part]) }
        }
        return p
    }

    /// Per scheme of `fitted` (`[scheme][part][tag]`), each tag's mean log loss as `Metrics.logLoss` computes it
    /// (rows with a missing score left out; each row of `scored[part]` calibrated by that part's map), every
    /// scheme's from one read of the rows.
    static func logLosses(_ scores: ScoreColumns, fitted: [[[Calibration?]]], scored: [[Int32]], labels: [[UInt8]], threads: Int) -> [[Double]] {
        let t = scores.count, n = scores.rowCount, schemes = fitted.count
        var part = [Int](repeating: -1, count: n)
        for (p, rows) in scored.enumerated() { for r in rows { part[Int(r)] = p } }
        // [scheme × tags + tag]: the sum of the terms, and the rows counted (per tag, the same for every scheme).
        var sums = [Double](repeating: 0, count: schemes * t), counts = [Int](repeating: 0, count: t)
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                let (sums, counts) = (sums, counts)
                scores.forEachChunk { rows, v in
                    parallelChunks(t, chunks: max(1, min(threads, t))) { _, tags in
                        for k in tags {
                            for i in rows {
                                let s = v[(i - rows.lowerBound) * t + k]
                                guard !s.isNaN else { continue }
                                counts[k] += 1
                                for q in 0..<schemes {
                                    let p = part[i] < 0 ? s : outputProbability(s, fitted[q][part[i]][k])
                                    sums[q * t + k] += Metrics.logLossTerm(label: labels[k][i], probability: p)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<schemes).map { q in (0..<t).map { k in counts[k] > 0 ? sums[q * t + k] / Double(counts[k]) : 0 } }
    }

    /// One scheme's calibration of every tag on each row set of `parts` (`[part][tag]`), fitted on the score
    /// logits `z(tag)` (every row), the parts together (each tag's logits computed once a pass).
    /// (`z(tag)`: a tag's logits; `read`: the same by rows, what the shared slope's fit reads).
    static func fit(_ scheme: CalibrationOption, tags t: Int, z: (Int) -> [Double], read: SharedLogistic.Reader, labels: [[UInt8]],
                    parts: [[Int32]], threads: Int) -> [[Calibration?]] {
        switch scheme {
        case .none, .auto:
            return parts.map { _ in [Calibration?](repeating: nil, count: t) }
        case .platt:
            let perTag = parallelMap(t, threads: threads) { k -> [Calibration?] in
                return SharedLogistic.fit(parts: parts, tags: 1, sources: 1, read: SharedLogistic.reader([[z(k)]]), labels: [labels[k]],
                                          lambda: 1, threads: 1)
                    .map { calibration(slope: $0.weights[0], intercept: $0.intercepts[0]) }
            }
            return parts.indices.map { p in perTag.map { $0[p] } }
        case .shared:
            return SharedLogistic.fit(parts: parts, tags: t, sources: 1, read: read, labels: labels, lambda: 1, threads: threads)
                .map { f in (0..<t).map { calibration(slope: f.weights[0], intercept: f.intercepts[$0]) } }
        case .temperature:
            return parts.map { rows in
                let a = temperatureSlope(tags: t, z: z, labels: labels, rows: rows, threads: threads)
                return (0..<t).map { _ in calibration(slope: a, intercept: 0) }
            }
        }
    }

    /// Temperature scaling's slope: the `a` minimising the summed log loss of σ(a·z) over every tag's `rows`
    /// plus a²/2 (the L2 of the other schemes), by Newton's method from 1 (a convex problem in one variable;
    /// each step kept within [minimumSlope, 100]). Sums run per tag, then over tags in order: the same at any
    /// thread count. Rows whose logit is NaN add nothing.
    static func temperatureSlope(tags t: Int, z: (Int) -> [Double], labels: [[UInt8]], rows: [Int32], threads: Int) -> Double {
        var a = 1.0
        for _ in 0..<50 {
            let parts = parallelMap(t, threads: threads) { k -> (gradient: Double, hessian: Double) in
                let zk = z(k), y = labels[k]
                var g = 0.0, h = 0.0
                for r in rows {
                    let v = zk[Int(r)]
                    guard !v.isNaN else { continue }
                    let p = sigmoid(a * v)
                    g += (p - Double(y[Int(r)])) * v
                    h += p * (1 - p) * v * v
                }
                return (g, h)
            }
            let g = parts.reduce(a) { $0 + $1.gradient }, h = parts.reduce(1) { $0 + $1.hessian }
            let next = min(max(a - g / h, minimumSlope), 100)
            if abs(next - a) <= 1e-12 * max(1, abs(a)) { return next }
            a = next
        }
        return a
    }

    /// A fitted map, its slope at least `minimumSlope`; none when the fit did not give finite numbers.
    static func calibration(slope: Double, intercept: Double) -> Calibration? {
        guard slope.isFinite && intercept.isFinite else { return nil }
        return Calibration(slope: max(slope, minimumSlope), intercept: intercept)
    }
}
