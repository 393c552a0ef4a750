import Foundation
@testable import TagStackModel
import XCTest

final class TreeTests: XCTestCase {
    /// root: x0 <= 0.5 ? (x1 <= 2 ? leaf0 : leaf2) : leaf1; NaN at root goes right, at node 1 left.
    func smallTree() throws -> Tree {
        try Tree(splitFeature: [0, 1], threshold: [0.5, 2], leftChild: [1, ~0], rightChild: [~1, ~2],
                 defaultLeft: [false, true], leafValue: [10, 20, 30])
    }

    func testComparisonRuleAndNaNRouting() throws {
        let t = try smallTree()
        XCTAssertEqual(t.predict([0.5, 2]), 10)          // value <= threshold goes left, at both nodes
        XCTAssertEqual(t.predict([0.5, 2.0000001]), 30)
        XCTAssertEqual(t.predict([0.6, 0]), 20)
        XCTAssertEqual(t.predict([.nan, 0]), 20)         // default right at the root
        XCTAssertEqual(t.predict([0, .nan]), 10)         // default left at node 1
        XCTAssertEqual(t.requiredFeatureCount, 2)
        XCTAssertEqual(Tree(constant: 3).predict([]), 3)
    }

    func testInvalidTreesAreRefusedWithTheBadValue() {
        XCTAssertThrowsError(try Tree(splitFeature: [0], threshold: [1], leftChild: [~0], rightChild: [~5], defaultLeft: [true], leafValue: [1, 2])) {
            XCTAssertEqual("\($0)", "tree: node 0 has child leaf 5 out of range 0..<2")
        }
        XCTAssertThrowsError(try Tree(splitFeature: [0], threshold: [.infinity], leftChild: [~0], rightChild: [~1], defaultLeft: [true], leafValue: [1, 2]))
        XCTAssertThrowsError(try Tree(splitFeature: [0], threshold: [1], leftChild: [~0], rightChild: [~1], defaultLeft: [true], leafValue: [1]))
        let bad = #"{"split_feature":[0],"threshold":[1],"left_child":[0],"right_child":[-2],"default_left":[true],"leaf_value":[1,2]}"#
        XCTAssertThrowsError(try JSONDecoder().decode(Tree.self, from: Data(bad.utf8)))
    }

    func testCodableRoundTripWithSnakeCaseKeys() throws {
        let e = TreeEnsemble(baseScore: -1.25, trees: [try smallTree(), Tree(constant: 0.5)])
        let data = try JSONEncoder().encode(e)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["base_score", "split_feature", "threshold", "left_child", "right_child", "default_left", "leaf_value"] {
            XCTAssertTrue(text.contains("\"\(key)\""), key)
        }
        XCTAssertEqual(try JSONDecoder().decode(TreeEnsemble.self, from: data), e)
    }

    func testBatchScoringEqualsPlainTwinExactly() throws {
        var seed: UInt64 = 1
        func next() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) * 0x1.0p-53 }
        // Random trees of depth up to 4 over 5 features.
        func randomTree() throws -> Tree {
            var f: [Int32] = [], th: [Double] = [], l: [Int32] = [], r: [Int32] = [], dl: [Bool] = [], leaves: [Double] = []
            func make(_ depth: Int) -> Int32 {
                if depth == 0 || next() < 0.2 { leaves.append(next() - 0.5); return ~Int32(leaves.count - 1) }
                let i = f.count
                f.append(Int32(next() * 5)); th.append(next()); l.append(0); r.append(0); dl.append(next() < 0.5)
                let a = make(depth - 1); l[i] = a
                let b = make(depth - 1); r[i] = b
                return Int32(i)
            }
            _ = make(4)
            return try Tree(splitFeature: f, threshold: th, leftChild: l, rightChild: r, defaultLeft: dl, leafValue: leaves)
        }
        let e = TreeEnsemble(baseScore: 0.3, trees: try (0..<30).map { _ in try randomTree() })
        let rows = 700
        let x = (0..<(rows * 5)).map { _ in next() < 0.05 ? Double.nan : next() }
        let fast = e.rawScores(values: x, rowCount: rows, columnCount: 5)
        let initial = (0..<rows).map { Double($0) / 100 }
        let fastInit = e.rawScores(values: x, rowCount: rows, columnCount: 5, initScores: initial)
        for r in 0..<rows {
            let row = Array(x[(r * 5)..<(r * 5 + 5)])
            XCTAssertEqual(fast[r], e.rawScore(row: row))
            XCTAssertEqual(fastInit[r], e.rawScore(row: row, initScore: initial[r]))
        }
        XCTAssertEqual(e.probabilities(values: x, rowCount: rows, columnCount: 5)[0], sigmoid(fast[0]))
        // Specialised to fixed values of features 3 and 4 (pooled tags' tag values): same outputs on rows that
        // carry those values, never more nodes, no split left on the fixed features.
        for _ in 0..<20 {
            let fixed = [next(), next()]
            let s = e.trees.map { $0.specialized(from: 3, values: fixed) }
            XCTAssertTrue(s.allSatisfy { $0.splitFeature.allSatisfy { $0 < 3 } })
            XCTAssertTrue(zip(s, e.trees).allSatisfy { $0.nodeCount <= $1.nodeCount })
            for r in 0..<50 {
                let row = Array(x[(r * 5)..<(r * 5 + 3)]) + fixed
                for (a, b) in zip(s, e.trees) { XCTAssertEqual(a.predict(row).bitPattern, b.predict(row).bitPattern) }
            }
        }
        XCTAssertLessThan(e.trees.map { $0.specialized(from: 3, values: [0.5, 0.5]).nodeCount }.reduce(0, +),
                          e.trees.map(\.nodeCount).reduce(0, +), "splits on fixed features are resolved")
    }
}
