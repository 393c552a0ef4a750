import Foundation
import XCTest
@testable import TagStackModel

enum Fixtures {
    static func labels() throws -> LabelSet {
        try LabelSet(tags: ["rock", "jazz", "piano", "sad"], categories: ["g-a", "g-a", "i-k", "m-x"],
                     classes: ["Genres", "Genres", "Instruments", "Moods"])
    }

    static func model(_ rule: DecisionRule = .thresholds) throws -> StackerModel {
        let l = try labels()
        return StackerModel(learner: "thresholds", labels: l, inputColumns: l.tags,
                            tags: [TagModel(name: "rock", form: .raw, threshold: 0.5),
                                   TagModel(name: "jazz", form: .raw, threshold: 0.25),
                                   TagModel(name: "piano", form: .raw, threshold: nil),
                                   TagModel(name: "sad", form: .raw, threshold: 0.1)],
                            decision: rule, training: ["seed": "1"])
    }
}

final class ModelFileTests: XCTestCase {
    func model(_ rule: DecisionRule = .thresholds) throws -> StackerModel { try Fixtures.model(rule) }

    func testRoundTripIsExactAndDeterministic() throws {
        let m = try model(.atLeastOnePerClass)
        let data = try m.encoded()
        let back = try StackerModel.decode(from: data)
        XCTAssertEqual(back, m)
        XCTAssertEqual(try back.encoded(), data, "same model, same bytes")
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"threshold\":null"), "never-predicted tags are null")
    }

    func testRefusesNewerVersionAndOtherFiles() throws {
        var text = String(decoding: try model().encoded(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"format_version\":3", with: "\"format_version\":5")
        XCTAssertThrowsError(try StackerModel.decode(from: Data(text.utf8))) {
            XCTAssertEqual($0 as? ModelError, .unsupportedVersion(found: 5, supported: 1...4))
        }
        XCTAssertThrowsError(try StackerModel.decode(from: Data("{\"format\":\"x\"}".utf8))) {
            guard case .notAModel = $0 as? ModelError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try StackerModel.decode(from: Data("[1,".utf8))) {
            guard case .malformed = $0 as? ModelError else { return XCTFail("\($0)") }
        }
    }

    func testMissingFieldIsNamed() throws {
        let obj = try JSONSerialization.jsonObject(with: try model().encoded()) as! [String: Any]
        var broken = obj
        broken.removeValue(forKey: "decision")
        XCTAssertThrowsError(try StackerModel.decode(from: JSONSerialization.data(withJSONObject: broken))) {
            XCTAssertEqual($0 as? ModelError, .missingField("decision"))
        }
        var tags = obj["tags"] as! [[String: Any]]
        tags[1].removeValue(forKey: "path")
        broken = obj; broken["tags"] = tags
        XCTAssertThrowsError(try StackerModel.decode(from: JSONSerialization.data(withJSONObject: broken))) {
            XCTAssertEqual($0 as? ModelError, .missingField("tags.[1].path"))
        }
    }

    func testTagsMustMatchLabels() throws {
        var m = try model()
        m.tags.swapAt(0, 1)
        XCTAssertThrowsError(try StackerModel.decode(from: m.encoded()))
    }

    func testScorerNamesMissingColumns() throws {
        let s = try ModelScorer(model: model())
        XCTAssertThrowsError(try s.columnMapping(for: ["rock", "extra"])) {
            XCTAssertEqual($0 as? ModelError, .missingColumns(["jazz", "piano", "sad"]))
        }
        XCTAssertEqual(try s.columnMapping(for: ["sad", "x", "piano", "jazz", "rock"]), [4, 3, 2, 0])
        XCTAssertEqual(try s.probabilities(named: ["rock": 0.1, "jazz": 0.2, "piano": 0.3, "sad": 0.4]), [0.1, 0.2, 0.3, 0.4])
    }
}

final class DecisionTests: XCTestCase {
    func decide(_ rule: DecisionRule, _ p: [Double]) throws -> [UInt8] {
        let m = try Fixtures.model(rule)
        return Decider(model: m).decide(rows: 1, scores: p)
    }

    func testThresholdsAreInclusiveAndNilNeverPredicts() throws {
        XCTAssertEqual(try decide(.thresholds, [0.5, 0.2, 1.0, 0.1]), [1, 0, 0, 1])
    }

    func testAtLeastOnePerTrackPicksLargestRatio() throws {
        // Ratios: 0.4/0.5 = 0.8, 0.2/0.25 = 0.8 (tie: first wins), piano never, 0.05/0.1 = 0.5.
        XCTAssertEqual(try decide(.atLeastOnePerTrack, [0.4, 0.2, 0.9, 0.05]), [1, 0, 0, 0])
        XCTAssertEqual(try decide(.atLeastOnePerTrack, [0.1, 0.2, 0.9, 0.05]), [0, 1, 0, 0])
        XCTAssertEqual(try decide(.atLeastOnePerTrack, [0.1, 0.2, 0.9, 0.09]), [0, 0, 0, 1])
        XCTAssertEqual(try decide(.atLeastOnePerTrack, [0.9, 0.2, 0.9, 0.05]), [1, 0, 0, 0], "something passed: unchanged")
    }

    func testAtLeastOnePerClass() throws {
        // Genres: nothing passes → jazz (0.24/0.25 > 0.1/0.5); Instruments: piano is never predicted → none;
        // Moods: sad passes already.
        XCTAssertEqual(try decide(.atLeastOnePerClass, [0.1, 0.24, 0.9, 0.2]), [0, 1, 0, 1])
    }
}
