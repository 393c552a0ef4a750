// The levels decided once for the whole label set: the base score (a blend of the networks) and calibration.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class GlobalLevelsTests: XCTestCase {
    /// Generated data with two extra networks, cut to the tags of the first two categories of each class
    /// (about 20 tags, every network's column kept), so that tests train in seconds.
    static let networks: SyntheticData = try! SyntheticData.generate(SyntheticConfig(trainCount: 1200, testCount: 600, seed: 8, extraNetworks: 2))
        .subset(categoriesPerClass: 2)

    func data() throws -> TrainingData {
        let s = Self.networks.train
        return TrainingData(labels: Self.networks.labels, x: s.X, y: s.y, groups: s.groups,
                            tagColumns: try TrainingData.requireTagColumns(x: s.X, labels: Self.networks.labels, path: "x"))
    }

    func options() -> StackerOptions {
        var o = StackerOptions()
        o.learner = .logistic; o.folds = 3; o.guards.bootstrapDraws = 100
        return o
    }

    /// Three networks of similar strength: a blend of them beats the first network out of fold, and the level
    /// says so; the model records the base and scores it as training did.
    func testTheBaseLevelTakesABlendOfTheNetworksWhereTheyHelp() throws {
        let d = try data()
        let r = try Stacker.train(data: d, options: options())
        let level = try XCTUnwrap(r.levels.first { $0.name == "base score" })
        XCTAssertEqual(level.candidates.map(\.name), ["primary", "mean", "logit_mean", "blend"])
        XCTAssertNotEqual(level.chosen, "primary", "\(level.candidates)")
        XCTAssertEqual(r.model.base?.kind.rawValue, level.chosen)
        let primary = level.candidates[0].score, chosen = level.candidates.first { $0.name == level.chosen }!.score
        XCTAssertGreaterThan(chosen, primary + r.levels.first!.margin!)
        XCTAssertNotNil(r.blendWeights)
        // Raw tags score the base: the scorer's raw-tag scores are the base computed from the row.
        let x = Self.networks.test.X, scorer = try ModelScorer(model: r.model)
        let p = scorer.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try scorer.columnMapping(for: x.columns))
        let base = r.model.base!
        for (k, t) in r.model.tags.enumerated() where t.path == .raw {
            let cols = ([t.name] + base.networks.map { $0 + ":" + t.name }).map { x.columnIndex($0)! }
            for i in stride(from: 0, to: x.rowCount, by: 37) {
                let v = cols.map { x.values[i * x.columnCount + $0] }
                XCTAssertEqual(p.scores[i * r.model.tags.count + k], v.withUnsafeBufferPointer { base.score(tag: k, sources: $0) })
            }
        }
    }

    /// A network that carries nothing (pure noise) gets a weight near zero in the shared blend.
    func testTheBlendGivesANoiseNetworkNoWeight() throws {
        let d = try data()
        let n = d.x.rowCount, t = d.labels.count
        var rng = SplitMix64(seed: 11)
        let labels = d.labelColumns
        let z: [[[Double]]] = (0..<t).map { k in
            let own = d.x.column(d.tagColumns[k]).map(clippedLogit)
            let noise = (0..<n).map { _ in clippedLogit(rng.nextUnit()) }
            return [own, noise]
        }
        let fit = SharedLogistic.fit(z: z, labels: labels, rows: (0..<n).map(Int32.init), lambda: 1, threads: 2)
        XCTAssertGreaterThan(fit.weights[0], 0.2)
        XCTAssertLessThan(abs(fit.weights[1]), 0.05, "\(fit.weights)")
        // The same fit whatever the thread count.
        let one = SharedLogistic.fit(z: z, labels: labels, rows: (0..<n).map(Int32.init), lambda: 1, threads: 1)
        XCTAssertEqual(one.weights, fit.weights)
        XCTAssertEqual(one.intercepts, fit.intercepts)
    }

    /// A poor start (scores far below the rest, as the calibration logit of a mean of networks below 0 gives,
    /// so the first Newton steps are 10⁴–10⁵ long) still reaches the optimum: the gradient vanishes. Before, step
    /// halving gave up at a scale of 1e-6 of such a step and the fit stayed near its start (a loss 7× the optimum).
    func testSharedLogisticReachesTheOptimumFromAPoorStart() {
        func frac(_ x: Double) -> Double { x - x.rounded(.down) }
        let n = 2000, t = 4
        var z = [[[Double]]](repeating: [[Double](repeating: 0, count: n)], count: t)
        var labels = [[UInt8]](repeating: [UInt8](repeating: 0, count: n), count: t)
        for k in 0..<t {
            for i in 0..<n {
                let a = Double(i), b = Double(k)
                let q = 0.001 + 0.2 * frac(a * 0.6180339887 + b * 0.4142135624)
                labels[k][i] = frac(a * 0.7548776662 + b * 0.5698402910) < q ? 1 : 0
                z[k][0][i] = frac(a * 0.3819660113 + b * 0.2360679775) < 0.3 ? -30 - 5 * frac(a * 0.1415926536 + b * 0.7182818285) : log(q / (1 - q))
            }
        }
        let rows = (0..<n).map(Int32.init)
        let fit = SharedLogistic.fit(z: z, labels: labels, rows: rows, lambda: 1, threads: 2)
        let at = SharedLogistic.accumulate(tags: t, z: { z[$0] }, labels: labels, rows: rows, w: fit.weights, b: fit.intercepts,
                                           lambda: 1, threads: 1, derivatives: true)
        XCTAssertLessThan(abs(at.gw[0]), 1e-6, "slope \(fit.weights[0]), loss \(at.loss)")
        for k in 0..<t { XCTAssertLessThan(abs(at.gb[k]), 1e-6, "tag \(k): loss \(at.loss)") }
    }

    /// Calibration changes the probabilities written out, never a decision, and keeps every tag's ranking.
    func testCalibrationChangesNoDecision() throws {
        let d = try data()
        var o = options()
        o.calibration = .platt
        let calibrated = try Stacker.train(data: d, options: o).model
        o.calibration = .none
        let plain = try Stacker.train(data: d, options: o).model
        XCTAssertTrue(calibrated.tags.allSatisfy { $0.calibration != nil })
        XCTAssertTrue(plain.tags.allSatisfy { $0.calibration == nil })
        let x = Self.networks.test.X
        let a = try ModelScorer(model: calibrated), b = try ModelScorer(model: plain)
        let ra = try a.score(values: x.values, columns: x.columns), rb = try b.score(values: x.values, columns: x.columns)
        XCTAssertEqual(ra.decisions, rb.decisions)
        XCTAssertNotEqual(ra.probabilities, rb.probabilities)
        XCTAssertTrue(ra.probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
        let t = calibrated.tags.count
        for k in 0..<t {
            let pa = (0..<x.rowCount).map { ra.probabilities[$0 * t + k] }, pb = (0..<x.rowCount).map { rb.probabilities[$0 * t + k] }
            let y = (0..<x.rowCount).map { Self.networks.test.y[$0, k] }
            if y.contains(1) && y.contains(0) {
                XCTAssertEqual(Metrics.rocAUC(labels: y, scores: pa)!, Metrics.rocAUC(labels: y, scores: pb)!, accuracy: 1e-12, calibrated.tags[k].name)
            }
            // The threshold mapped through the calibration is where the probability turns the tag on.
            if let c = calibrated.tags[k].calibration, let th = calibrated.tags[k].threshold {
                XCTAssertEqual(c.threshold!, c.probability(th))
            }
        }
    }

    /// The levels are deterministic whatever the thread count (the blend sums tags in tag order).
    func testBlendAndCalibrationAreDeterministicWhateverTheThreadCount() throws {
        let d = try data()
        var o = options()
        o.base = .blend; o.calibration = .shared
        o.threads = 1
        let one = try Stacker.train(data: d, options: o).model.encoded()
        o.threads = 2
        XCTAssertEqual(try Stacker.train(data: d, options: o).model.encoded(), one)
    }

    /// A per-fold model's thresholds come from its own training rows: with the same scores for every fold it
    /// is the usual cross-fitted weighted F1.
    func testCrossFitWithOneModelPerFoldReducesToTheUsualOne() throws {
        let d = try data()
        let n = d.x.rowCount, t = d.labels.count
        let fold = Folds.assign(rowCount: n, k: 3, groups: d.groups?.values, seed: 1)
        let labels = d.labelColumns
        let raw = (0..<t).map { d.x.column(d.tagColumns[$0]) }
        let usual = CrossFit.weightedF1(data: d, probabilities: ScoreColumns(x: d.x, values: raw), rule: .thresholds, fold: fold, k: 3)
        // X's own columns read in place are the same scores.
        XCTAssertEqual(CrossFit.weightedF1(data: d, probabilities: ScoreColumns(x: d.x, inputs: d.tagColumns), rule: .thresholds, fold: fold, k: 3),
                       usual)
        let perFold = CrossFit.weightedF1(labels: labels, fold: fold, k: 3, threads: 2) { _, k in raw[k] }
        XCTAssertEqual(perFold, usual, accuracy: 1e-12)
        // A per-tag shift that differs between folds moves each fold's thresholds with it: no penalty.
        let shifted = CrossFit.weightedF1(labels: labels, fold: fold, k: 3, threads: 2) { f, k in raw[k].map { $0 * 0.5 + 0.1 * Double(f) } }
        XCTAssertEqual(shifted, usual, accuracy: 1e-12)
    }

    /// `--report` reasons say why a tag kept its base score.
    func testReportsSayWhy() throws {
        let d = try data()
        var o = options()
        o.guards.minPositives = 40
        let r = try Stacker.train(data: d, options: o)
        for rep in r.reports {
            if rep.support < 40 { XCTAssertEqual(rep.reason, "support \(rep.support) < 40") }
            else { XCTAssertTrue(["learned", "margin", "no skill", "average precision lower"].contains(rep.reason) || rep.reason.hasPrefix("bootstrap ")
                                 || rep.reason.hasPrefix("every tag"), rep.reason) }
        }
    }

    /// The calibration map is strictly increasing on every score, also outside [1e-7, 1 − 1e-7] where a
    /// clipped logit would tie scores (and move ROC-AUC and PR-AUC); the mean does not overflow.
    func testCalibrationKeepsEveryRankingAndTheMeanDoesNotOverflow() {
        let c = Calibration(slope: 0.7, intercept: 0.3)
        let q: [Double] = [-5, -1, -1e-9, 0, 1e-15, 1e-12, 1e-9, 1e-7, 0.3, 1 - 1e-7, 1 - 1e-9, 1, 1.5, 40]
        let p = q.map(c.probability)
        for (a, b) in zip(p, p.dropFirst()) { XCTAssertLessThan(a, b, "\(p)") }
        XCTAssertTrue(p.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertEqual(calibrationLogit(0.3), clippedLogit(0.3))
        let mean = BaseScore(kind: .mean, networks: ["n2"])
        XCTAssertEqual([1e308, 1e308].withUnsafeBufferPointer { mean.score(tag: 0, sources: $0) }, 1e308)
        XCTAssertEqual([0.2, .nan].withUnsafeBufferPointer { mean.score(tag: 0, sources: $0) }, 0.2)
    }

    /// The pooled learner's pair features (`pairValues`: each sampled row prepared once, only its pairs'
    /// tags computed) are the values the per-tag blocks give those pairs, at any thread count.
    func testPairFeaturesEqualTheBlocksValues() throws {
        let d = try data()
        let set = FeatureMatrix.defaultSet(for: d, mode: .own)
        var rng = SplitMix64(seed: 4)
        let t = d.labels.count, n = d.x.rowCount
        let ids = (0..<(n * t)).filter { _ in rng.nextDouble() < 0.5 }
        XCTAssertGreaterThan(ids.count, 4096 * 2, "enough pairs for several chunks")
        for threads in [1, 3] {
            let features = try FeatureMatrix(data: d, set: set, threads: threads)
            let values = features.pairValues(ids)
            XCTAssertEqual(values.count, set.kinds.count * ids.count)
            let block = features.block(0..<t)
            for (p, id) in ids.enumerated() {
                for f in 0..<set.kinds.count where values[f * ids.count + p].bitPattern != block.value(tag: id % t, feature: f, row: id / t).bitPattern {
                    XCTFail("pair \(p) (row \(id / t), tag \(id % t)), feature \(f), \(threads) threads"); return
                }
            }
        }
    }

    /// Feature blocks cover the tags in order without gaps: the first at the budget, later ones shrinking with
    /// the tags left (out-of-fold scores grow as blocks shrink), never below one tag a thread.
    func testFeatureBlocksShrinkWithTheTagsLeft() {
        XCTAssertEqual(FeatureMatrix.blocks(tags: 5, blockSize: 8, threads: 2), [0..<5])
        XCTAssertEqual(FeatureMatrix.blocks(tags: 10, blockSize: 4, threads: 2), [0..<4, 4..<6, 6..<8, 8..<10])
        XCTAssertEqual(FeatureMatrix.blocks(tags: 3, blockSize: 1, threads: 2), [0..<1, 1..<2, 2..<3])
        for (t, b, threads) in [(248, 7, 2), (248, 7, 1), (56, 17, 2), (248, 1, 4)] {
            let blocks = FeatureMatrix.blocks(tags: t, blockSize: b, threads: threads)
            XCTAssertEqual(blocks.first?.count, b)
            XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<t))
            XCTAssertTrue(blocks.allSatisfy { $0.count <= b })
            XCTAssertTrue(zip(blocks, blocks.dropFirst()).allSatisfy { $0.count >= $1.count })
            XCTAssertTrue(blocks.dropLast().allSatisfy { $0.count >= min(threads, b) })
        }
    }
}
