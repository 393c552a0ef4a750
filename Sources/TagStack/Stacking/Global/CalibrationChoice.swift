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
        let n = c.rowCount, t = c.tagCount, threads = c.options.threads
        let scores = run.oof
        // The fit reads the calibration logit bounded to ±60 (scores beyond are ~1e-19 from 0 or 1, or far
        // outside [0, 1]): an infinite or enormous logit would otherwise decide the fit alone.
        let z: (Int) -> [Double] = { k in scores[k].map { min(max(calibrationLogit($0), -60), 60) } }
        let tried = c.options.calibration == .auto ? schemes : [c.options.calibration]
        let parts = c.splits.map { $0.map { ($0.train, $0.valid) } } ?? [(c.allRows, c.allRows)]
        /// Tag k's probability of every row: from the calibration fitted on the other folds (on every row without).
        func probabilities(_ k: Int, _ cals: [[Calibration?]]) -> [Double] {
            let s = scores[k]
            var p = s
            for (part, (_, scoredRows)) in parts.enumerated() {
                for r in scoredRows { let i = Int(r); p[i] = outputProbability(s[i], cals[part][k]) }
            }
            return p
        }
        var losses: [(String, Double)] = []
        var fitted: [[[Calibration?]]] = []
        for scheme in tried {
            let cals = parts.map { fit(scheme, tags: t, z: z, labels: c.labels, rows: $0.0, threads: threads) }
            // Mean over tags of each tag's log loss, as `evaluate` computes it (rows with a missing score left out).
            let perTag = parallelMap(t, threads: threads) { k -> Double in
                let s = scores[k], p = probabilities(k, cals)
                let rows = (0..<n).filter { !s[$0].isNaN }
                return Metrics.logLoss(labels: rows.map { c.labels[k][$0] }, scores: rows.map { p[$0] }) ?? 0
            }
            losses.append((scheme.rawValue, perTag.reduce(0, +) / Double(max(t, 1))))
            fitted.append(cals)
        }
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
        var final = fit(chosen, tags: t, z: z, labels: c.labels, rows: c.allRows, threads: threads)
        for k in 0..<t {
            if let cal = final[k] { final[k]!.threshold = run.tags[k].threshold.map(cal.probability) }
        }
        var level = Level(kind: .calibration, metric: "log loss", candidates: losses, chosen: chosen.rawValue,
                          margin: tried.contains(.shared) && tried.contains(.platt) ? sharedMargin : nil, inSample: c.fold == nil,
                          lowerIsBetter: true, note: evidence ? nil : Level.keptSimplest)
        if level.margin != nil { level.marginRule = "Platt replaces none when lower, the shared slope must beat Platt by" }
        let kept = keepProbabilities ? (0..<t).map { probabilities($0, fitted[best]) } : nil
        return Outcome(calibrations: final, level: level, probabilities: kept)
    }

    /// One scheme's calibration of every tag, fitted on `rows` of the score logits `z(tag)` (every row).
    static func fit(_ scheme: CalibrationOption, tags t: Int, z: (Int) -> [Double], labels: [[UInt8]], rows: [Int32],
                    threads: Int) -> [Calibration?] {
        switch scheme {
        case .none, .auto:
            return [Calibration?](repeating: nil, count: t)
        case .platt:
            return parallelMap(t, threads: threads) { k -> Calibration? in
                let zk = z(k)
                let f = SharedLogistic.fit(tags: 1, sources: 1, z: { _ in [zk] }, labels: [labels[k]], rows: rows, lambda: 1, threads: 1)
                return calibration(slope: f.weights[0], intercept: f.intercepts[0])
            }
        case .shared:
            let f = SharedLogistic.fit(tags: t, sources: 1, z: { [z($0)] }, labels: labels, rows: rows, lambda: 1, threads: threads)
            return (0..<t).map { calibration(slope: f.weights[0], intercept: f.intercepts[$0]) }
        case .temperature:
            let a = temperatureSlope(tags: t, z: z, labels: labels, rows: rows, threads: threads)
            return (0..<t).map { _ in calibration(slope: a, intercept: 0) }
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
