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

    /// The hierarchical rule's category thresholds (one read of the scores for every row set; counts by binary
    /// search) are those of the plain search: every candidate's objective counted row by row.
    func testCategoryThresholdsEqualThePlainSearch() throws {
        let d = try data()
        let n = d.x.rowCount, t = d.labels.count
        let scores = ScoreColumns(x: d.x, inputs: d.tagColumns)
        let thresholds: [[Double?]] = [(0..<t).map { k in ThresholdSearch.best(scores: scores[k], labels: d.labelColumns[k]).threshold },
                                       (0..<t).map { k in k % 3 == 0 ? nil : 0.3 }]
        let rows: [[Int]?] = [nil, (0..<n).filter { $0 % 3 != 0 }]
        let fitted = DecisionSearch.fitHierarchies(data: d, scores: scores, thresholds: thresholds, rows: rows)
        let groups = d.labels.tagIndicesByCategory, cats = DecisionSearch.categoryColumns(d)
        let columns = (0..<t).map { scores[$0] }
        var some = 0
        for s in 0..<2 {
            let setRows = rows[s] ?? Array(0..<n)
            for (g, members) in groups.enumerated() {
                let score = setRows.map { i in cats.map { d.x[i, $0[g]] } ?? members.map { columns[$0][i] }.max()! }
                func objective(_ th: Double?) -> Double {
                    var sum = 0.0
                    for k in members {
                        var tp = 0, pred = 0, sup = 0
                        for (r, i) in setRows.enumerated() {
                            let y = d.labelColumns[k][i] != 0
                            let on = thresholds[s][k].map { columns[k][i] >= $0 } ?? false && (th.map { score[r] >= $0 } ?? true)
                            if y { sup += 1; if on { tp += 1 } }
                            if on { pred += 1 }
                        }
                        if sup > 0 { sum += f1Score(truePositives: tp, support: sup, predicted: pred) * Double(sup) }
                    }
                    return sum
                }
                let sorted = score.filter { !$0.isNaN }.sorted()
                var best: Double? = nil, bestValue = objective(nil)
                let candidates = (1..<64).map { sorted[Int(Double($0) / 64 * Double(sorted.count - 1))] }
                for th in Array(Set(candidates)).sorted() {
                    let v = objective(th)
                    if v > bestValue { bestValue = v; best = th }
                }
                XCTAssertEqual(fitted[s].thresholds[g], best, "set \(s) category \(g)")
                if best != nil { some += 1 }
            }
        }
        XCTAssertGreaterThan(some, 0, "some category gated")
    }
}
