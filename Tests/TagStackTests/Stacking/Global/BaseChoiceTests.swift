// The base score level (Global/BaseChoice.swift): a blend of the networks where it helps.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class BaseChoiceTests: XCTestCase, TrainsOnNetworks {
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
}
