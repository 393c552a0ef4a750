import Foundation
import XCTest
@testable import TagStack

/// The one-label metrics of `evaluate` against scikit-learn 1.9.1's, pinned in Fixtures/metrics/one_label.json
/// (`python3 Scripts/sklearn_metrics.py one_label_fixtures Tests/TagStackTests/Fixtures/metrics/one_label.json`).
final class OneLabelMetricsTests: XCTestCase {
    struct File: Decodable { var sklearn_version: String; var cases: [Case] }
    struct Case: Decodable {
        var rows, tags: Int
        var classes, decided: [Int]
        var scores: [Double]
        var log_loss, accuracy, top_3_accuracy, macro_f1, weighted_f1: Double
        var confusion: [[Int]]
    }

    func testMatchesSklearn() throws {
        guard let url = Bundle.module.url(forResource: "one_label", withExtension: "json", subdirectory: "Fixtures/metrics") else {
            throw XCTSkip("fixture Fixtures/metrics/one_label.json missing from the test bundle")
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        XCTAssertEqual(file.sklearn_version, "1.9.1")
        XCTAssertEqual(file.cases.count, 3)
        for c in file.cases {
            func oneHot(_ v: [Int]) -> [UInt8] {
                var m = [UInt8](repeating: 0, count: c.rows * c.tags)
                for (i, k) in v.enumerated() { m[i * c.tags + k] = 1 }
                return m
            }
            let r = try Metrics.evaluate(truth: oneHot(c.classes), decisions: oneHot(c.decided), scores: c.scores,
                                         rowCount: c.rows, tags: (0..<c.tags).map { "t\($0)" })
            let one = try XCTUnwrap(r.oneLabel)
            XCTAssertEqual(try XCTUnwrap(one.logLoss), c.log_loss, accuracy: 1e-9)
            XCTAssertEqual(one.accuracy, c.accuracy, accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(one.top3Accuracy), c.top_3_accuracy, accuracy: 1e-12)
            XCTAssertEqual(r.macroF1, c.macro_f1, accuracy: 1e-12)
            XCTAssertEqual(r.weightedF1, c.weighted_f1, accuracy: 1e-12)
            XCTAssertEqual(one.confusion, c.confusion)
        }
    }

    func testAbsentUnlessOneLabelARow() throws {
        let truth: [UInt8] = [1, 0, 0, 1], decisions: [UInt8] = [1, 1, 0, 1]
        XCTAssertNil(try Metrics.evaluate(truth: truth, decisions: decisions, rowCount: 2, tags: ["a", "b"]).oneLabel)
        XCTAssertNotNil(try Metrics.evaluate(truth: truth, decisions: [0, 1, 0, 1], rowCount: 2, tags: ["a", "b"]).oneLabel)
    }
}
