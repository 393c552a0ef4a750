import XCTest
import TagStackModel
@testable import TagStack

final class StackerOptionsTests: XCTestCase {
    func message(_ o: StackerOptions) -> String? {
        do { try o.validate(); return nil } catch { return "\(error)" }
    }

    func testDefaultsAreValid() {
        XCTAssertNil(message(StackerOptions()))
    }

    func testValidateNamesTheBadValue() {
        var o = StackerOptions(); o.folds = 1
        XCTAssertTrue(message(o)?.contains("folds=1") ?? false, message(o) ?? "accepted")
        o = StackerOptions(); o.boosting.leaves = 1
        XCTAssertTrue(message(o)?.contains("boosting.leaves=1 is out of range 2...65536") ?? false, message(o) ?? "accepted")
        o = StackerOptions(); o.boosting.featureFraction = 0
        XCTAssertTrue(message(o)?.contains("boosting.featureFraction=0 is out of range") ?? false, message(o) ?? "accepted")
        o = StackerOptions(); o.guards.confidence = 1.5
        XCTAssertTrue(message(o)?.contains("guards.confidence=1.5") ?? false, message(o) ?? "accepted")
        o = StackerOptions(); o.candidates = []
        XCTAssertTrue(message(o)?.contains("candidates=[] should list at least one learner for auto") ?? false, message(o) ?? "accepted")
        o = StackerOptions(); o.pooled.learningRate = .nan
        XCTAssertTrue(message(o)?.contains("pooled.learningRate=nan") ?? false, message(o) ?? "accepted")
    }

    func testAutoTriesCandidatesSimplestFirst() {
        var o = StackerOptions()
        o.candidates = [.gbdt, .thresholds, .pooled]
        XCTAssertEqual(o.learnersToTry, [.thresholds, .pooled, .gbdt])
        o.learner = .logistic
        XCTAssertEqual(o.learnersToTry, [.logistic])
    }
}
