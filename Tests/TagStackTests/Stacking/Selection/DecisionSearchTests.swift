// Choosing the decision rule (Selection/DecisionSearch.swift) and the rule registry (Selection/DecisionRules.swift).

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class DecisionSearchTests: XCTestCase, TrainsOnNetworks {
    func trained(_ o: StackerOptions) throws -> StackerResult { try Stacker.train(data: data(), options: o) }

    /// `auto` tries every rule simplest first; a later rule replaces the incumbent only by the margin, and only
    /// the hierarchical rule fits parameters of its own (the category thresholds the model keeps).
    func testRulesAreTriedSimplestFirstByTheMargin() throws {
        var o = options()
        o.selection.ruleMargin = 1
        let kept = try trained(o)
        let level = try XCTUnwrap(kept.levels.first { $0.kind == .decisionRule })
        XCTAssertEqual(level.candidates.map(\.name), DecisionRule.byComplexity.map(\.rawValue))
        XCTAssertEqual(kept.model.decision, .thresholds)
        XCTAssertNil(kept.model.hierarchy)
        o.selection.ruleMargin = -1
        let last = try trained(o)
        XCTAssertEqual(last.model.decision, .hierarchical)
        XCTAssertNotNil(last.model.hierarchy)
    }

    /// Every rule has one command-line name, read back to the rule.
    func testOptionNamesRoundTrip() {
        XCTAssertEqual(Set(DecisionRule.allCases.map(\.optionName)).count, DecisionRule.allCases.count)
        for r in DecisionRule.allCases { XCTAssertEqual(DecisionRule(optionName: r.optionName), r) }
        XCTAssertEqual(Set(DecisionRule.byComplexity), Set(DecisionRule.allCases))
    }
}
