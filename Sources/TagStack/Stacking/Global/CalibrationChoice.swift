// The last level, decided once for the whole label set: how every tag's final score becomes the probability
// written out. Schemes: none (the score, clamped to [0, 1]), Platt scaling per tag (σ(a_t·logit(s) + b_t)),
// and one slope shared by every tag with a per-tag intercept, judged by cross-fitted log loss (each fold's
// calibration fitted on the other folds' out-of-fold scores; mean over tags of each tag's mean log loss):
// Platt replaces none when it is lower, the shared slope replaces Platt only by `sharedMargin` (Platt scaling
// of the score is what a user would do by hand: the reference never to lose to). One choice for every tag: a per-tag "keep where it helps" test is
// noisy on a few dozen positives (measured on MTG-Jamendo: it kept the raw score on tags whose test log loss
// Platt scaling cuts by a quarter, README). Decisions compare the score before calibration with the
// threshold, so no decision changes; each map is strictly increasing (slope > 0), so no ranking changes.

import Foundation
import TagStackModel

enum CalibrationChoice {
    struct Outcome {
        /// Per tag, its calibration (nil: none).
        var calibrations: [Calibration?]
        var level: Level?
        /// Per tag, every row's probability under the chosen scheme, cross-fitted (in-sample without folds).
        var probabilities: [[Double]]
    }

    static let schemes: [CalibrationOption] = [.none, .platt, .shared]
    /// How much lower (mean log loss) the shared slope must be than Platt per tag to replace it (measured on
    /// MTG-Jamendo: 0.0005 lower out of fold, 0.0001 higher on test, README).
    static let sharedMargin = 0.001
    /// The smallest slope a calibration keeps (a score that ranks against its labels still maps increasingly).
    static let minimumSlope = 1e-3

    static func choose(run: LearnerRun, context c: FoldContext) -> Outcome {
        let n = c.rowCount, t = c.tagCount, threads = c.options.threads
        let scores = (0..<t).map { k in (0..<n).map { run.oof[$0 * t + k] } }
        // The fit reads the calibration logit bounded to ±60 (scores beyond are ~1e-19 from 0 or 1, or far
        // outside [0, 1]): an infinite or enormous logit would otherwise decide the fit alone.
        let z = scores.map { s in s.map { min(max(calibrationLogit($0), -60), 60) } }
        let tried = c.options.calibration == .auto ? schemes : [c.options.calibration]
        var losses: [(String, Double)] = []
        var probabilities: [[[Double]]] = []
        for scheme in tried {
            // Every row's probability: from the calibration fitted on the other folds (on every row without).
            var p = scores
            let parts = c.splits.map { $0.map { ($0.train, $0.valid) } } ?? [(c.allRows, c.allRows)]
            for (fitRows, scoredRows) in parts {
                let cal = fit(scheme, z: z, labels: c.labels, rows: fitRows, threads: threads)
                for k in 0..<t { for r in scoredRows { let i = Int(r); p[k][i] = outputProbability(scores[k][i], cal[k]) } }
            }
            // Mean over tags of each tag's log loss, as `evaluate` computes it (rows with a missing score left out).
            let loss = (0..<t).reduce(0) { acc, k in
                let rows = (0..<n).filter { !scores[k][$0].isNaN }
                return acc + (Metrics.logLoss(labels: rows.map { c.labels[k][$0] }, scores: rows.map { p[k][$0] }) ?? 0)
            } / Double(max(t, 1))
            losses.append((scheme.rawValue, loss))
            probabilities.append(p)
        }
        // none, then Platt per tag, then the shared slope: Platt scaling (the reference a user compares with)
        // replaces none when it lowers the log loss; the shared slope replaces Platt only by `sharedMargin`.
        var best = 0
        for (i, l) in losses.enumerated() {
            let needed = tried[best] == .platt && tried[i] == .shared ? sharedMargin : 0
            if l.1 < losses[best].1 - needed { best = i }
        }
        let chosen = tried[best]
        var final = fit(chosen, z: z, labels: c.labels, rows: c.allRows, threads: threads)
        for k in 0..<t {
            if let cal = final[k] { final[k]!.threshold = run.tags[k].threshold.map(cal.probability) }
        }
        let level = Level(name: "calibration", metric: "log loss", candidates: losses, chosen: chosen.rawValue,
                          margin: nil, inSample: c.fold == nil, lowerIsBetter: true)
        return Outcome(calibrations: final, level: level, probabilities: probabilities[best])
    }

    /// One scheme's calibration of every tag, fitted on `rows` of the score logits `z[tag][row]`.
    static func fit(_ scheme: CalibrationOption, z: [[Double]], labels: [[UInt8]], rows: [Int32], threads: Int) -> [Calibration?] {
        let t = z.count
        switch scheme {
        case .none, .auto:
            return [Calibration?](repeating: nil, count: t)
        case .platt:
            return (try? parallelMap(t, threads: threads) { k -> Calibration? in
                let f = SharedLogistic.fit(z: [[z[k]]], labels: [labels[k]], rows: rows, lambda: 1, threads: 1)
                return calibration(slope: f.weights[0], intercept: f.intercepts[0])
            }) ?? []
        case .shared:
            let f = SharedLogistic.fit(z: z.map { [$0] }, labels: labels, rows: rows, lambda: 1, threads: threads)
            return (0..<t).map { calibration(slope: f.weights[0], intercept: f.intercepts[$0]) }
        }
    }

    /// A fitted map, its slope at least `minimumSlope`; none when the fit did not give finite numbers.
    static func calibration(slope: Double, intercept: Double) -> Calibration? {
        guard slope.isFinite && intercept.isFinite else { return nil }
        return Calibration(slope: max(slope, minimumSlope), intercept: intercept)
    }
}
