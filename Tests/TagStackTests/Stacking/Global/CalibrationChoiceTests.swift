// The calibration level (Global/CalibrationChoice.swift).

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class CalibrationChoiceTests: XCTestCase, TrainsOnNetworks {
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

    /// Temperature scaling recovers the temperature of scores made over- or under-confident: labels drawn with
    /// probability σ(z), scores σ(z / T); the fitted slope is T, every intercept 0, at any thread count.
    func testTemperatureRecoversTheTemperature() {
        for temperature in [0.5, 2.0] {
            var rng = SplitMix64(seed: 7)
            let n = 20_000, t = 3
            var z = [[Double]](repeating: [], count: t), y = [[UInt8]](repeating: [], count: t)
            for k in 0..<t {
                for _ in 0..<n {
                    let v = (rng.nextDouble() * 2 - 1) * 4 + Double(k - 1)
                    y[k].append(rng.nextDouble() < sigmoid(v) ? 1 : 0)
                    z[k].append(v / temperature)
                }
            }
            let rows = (0..<n).map(Int32.init)
            let read = SharedLogistic.reader(z.map { [$0] })
            let one = CalibrationChoice.fit(.temperature, tags: t, z: { z[$0] }, read: read, labels: y, parts: [rows], threads: 1)[0]
            let two = CalibrationChoice.fit(.temperature, tags: t, z: { z[$0] }, read: read, labels: y, parts: [rows], threads: 2)[0]
            XCTAssertEqual(one, two)
            for c in one {
                XCTAssertEqual(c!.slope, temperature, accuracy: 0.05 * temperature)
                XCTAssertEqual(c!.intercept, 0)
            }
        }
    }
}
