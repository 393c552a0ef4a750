import Foundation
import XCTest
@testable import TagStack

final class ThresholdSearchTests: XCTestCase {
    // MARK: - Plain twin

    /// The plain O(n²) twin of `ThresholdSearch.best`: tries every distinct score `v` as the cut `score >= v`,
    /// counting from scratch each time, and keeps the best F1 (exact fraction), preferring the highest cut.
    /// Returns the lowest included score (nil: never) and the F1.
    static func bruteForceBest(scores: [Double], labels: [UInt8]) -> (cut: Double?, f1: Double) {
        let p = labels.filter { $0 != 0 }.count
        guard p > 0 else { return (nil, 0) }
        let cuts = Array(Set(scores)).sorted(by: >)
        var best: (cut: Double?, num: Int, den: Int) = (nil, 0, 1)
        for v in cuts {
            var tp = 0, pred = 0
            for i in 0..<scores.count where scores[i] >= v {
                pred += 1
                if labels[i] != 0 { tp += 1 }
            }
            let num = 2 * tp, den = p + pred
            if num * best.den > best.num * den { best = (v, num, den) }
        }
        return (best.cut, Double(best.num) / Double(best.den))
    }

    static func randomColumn(_ n: Int, decimals: Double, prevalence: Double, _ g: inout SplitMix64) -> ([Double], [UInt8]) {
        var s: [Double] = [], y: [UInt8] = []
        for _ in 0..<n {
            let pos = g.nextUnit() < prevalence
            let raw = min(1, max(0, g.nextUnit() * 0.8 + (pos ? 0.25 : 0)))
            s.append((raw * decimals).rounded() / decimals)   // coarse grid: many ties across classes
            y.append(pos ? 1 : 0)
        }
        return (s, y)
    }

    // MARK: - Against the twin

    func testAgreesWithBruteForceOnRandomDataWithTies() {
        let seed: UInt64 = 7_2024
        print("ThresholdSearchTests seed \(seed)")
        var g = SplitMix64(seed: seed)
        for trial in 0..<300 {
            let n = 1 + g.nextInt(60)
            let decimals = [2.0, 5.0, 10.0, 100.0, 1e6][g.nextInt(5)]
            let prevalence = [0.0, 0.05, 0.3, 0.7, 1.0][g.nextInt(5)]
            let (s, y) = Self.randomColumn(n, decimals: decimals, prevalence: prevalence, &g)
            let fast = ThresholdSearch.best(scores: s, labels: y)
            let slow = Self.bruteForceBest(scores: s, labels: y)
            XCTAssertEqual(fast.f1, slow.f1, "trial \(trial)")
            guard let cut = slow.cut else {
                XCTAssertNil(fast.threshold, "trial \(trial)"); continue
            }
            guard let t = fast.threshold else { XCTFail("trial \(trial): nil threshold"); continue }
            // Same decisions as the twin's cut; the threshold sits in (next lower distinct score, cut].
            XCTAssertEqual(s.map { $0 >= t }, s.map { $0 >= cut }, "trial \(trial)")
            XCTAssertLessThanOrEqual(t, cut)
            if let below = s.filter({ $0 < cut }).max() { XCTAssertGreaterThan(t, below) } else { XCTAssertEqual(t, cut) }
            XCTAssertEqual(ThresholdSearch.f1(scores: s, labels: y, threshold: t), fast.f1, "trial \(trial)")
            XCTAssertEqual(fast.predicted, s.filter { $0 >= t }.count)
            XCTAssertEqual(fast.truePositives, zip(s, y).filter { $0.0 >= t && $0.1 == 1 }.count)
        }
    }

    // MARK: - Edges

    func testMidpointAndLowestScore() {
        // Best cut includes 0.9 and 0.7 (both positive): threshold midway to 0.4.
        let r = ThresholdSearch.best(scores: [0.9, 0.7, 0.4, 0.1], labels: [1, 1, 0, 0])
        XCTAssertEqual(r.threshold, 0.7 / 2 + 0.4 / 2)
        XCTAssertEqual(r.f1, 1)
        XCTAssertEqual(r.predicted, 2)
        // Every row positive: all rows included, threshold is the lowest score itself.
        let all = ThresholdSearch.best(scores: [0.3, 0.2, 0.8], labels: [1, 1, 1])
        XCTAssertEqual(all.threshold, 0.2)
        XCTAssertEqual(all.f1, 1)
    }

    func testEqualF1PrefersHighestThreshold() {
        // Descending labels 1,0,0,1 (P = 2): including 1 row gives 2/3, including all 4 gives 4/6 = 2/3.
        let r = ThresholdSearch.best(scores: [0.9, 0.6, 0.5, 0.2], labels: [1, 0, 0, 1])
        XCTAssertEqual(r.threshold, 0.9 / 2 + 0.6 / 2)
        XCTAssertEqual(r.predicted, 1)
        XCTAssertEqual(r.f1, 2.0 / 3.0)
    }

    func testTiedScoresMoveTogether() {
        let r = ThresholdSearch.best(scores: [0.5, 0.5, 0.5, 0.5], labels: [1, 0, 0, 0])
        XCTAssertEqual(r.threshold, 0.5)
        XCTAssertEqual(r.predicted, 4)
        XCTAssertEqual(r.f1, 2.0 / 5.0)
        // A tie between a positive and a negative at the top: both are included or neither.
        let t = ThresholdSearch.best(scores: [0.8, 0.8, 0.3], labels: [1, 0, 1])
        let d = [0.8, 0.8, 0.3].map { $0 >= t.threshold! }
        XCTAssertEqual(d[0], d[1])
    }

    func testNoPositiveIsNeverPredicted() {
        let r = ThresholdSearch.best(scores: [0.9, 0.1], labels: [0, 0])
        XCTAssertNil(r.threshold)
        XCTAssertEqual(r.f1, 0)
        XCTAssertEqual(r.predicted, 0)
        XCTAssertNil(ThresholdSearch.best(scores: [Double](), labels: [UInt8]()).threshold)
        XCTAssertEqual(ThresholdSearch.f1(scores: [0.9, 0.1], labels: [0, 0], threshold: nil), 0)
        XCTAssertEqual(ThresholdSearch.f1(scores: [0.9, 0.1], labels: [1, 0], threshold: nil), 0)
        let json = String(decoding: try! JSONEncoder().encode(r), as: UTF8.self)
        XCTAssertTrue(json.contains("\"threshold\":null"), json)
    }

    func testAdjacentDoublesAndInfinities() {
        let a = 0.5, b = 0.5.nextDown
        let r = ThresholdSearch.best(scores: [a, b], labels: [1, 0])
        XCTAssertEqual(r.threshold, a)   // no double strictly between: the cut is `a` itself
        XCTAssertEqual(r.f1, 1)
        let inf = ThresholdSearch.best(scores: [.infinity, 1], labels: [1, 0])
        XCTAssertEqual(inf.threshold, .infinity)
        XCTAssertEqual(inf.predicted, 1)
        let negInf = ThresholdSearch.best(scores: [1, -.infinity], labels: [1, 0])
        XCTAssertEqual(negInf.threshold, 1)
        let huge = ThresholdSearch.best(scores: [.greatestFiniteMagnitude, -.greatestFiniteMagnitude], labels: [1, 0])
        XCTAssertEqual(huge.threshold, 0)
    }

    func testRowOrderDoesNotMatter() {
        var g = SplitMix64(seed: 99)
        let (s, y) = Self.randomColumn(200, decimals: 10, prevalence: 0.3, &g)
        let perm = Array(0..<200).shuffled(using: &g)
        XCTAssertEqual(ThresholdSearch.best(scores: s, labels: y),
                       ThresholdSearch.best(scores: perm.map { s[$0] }, labels: perm.map { y[$0] }))
    }

    func testMatrixVariantMatchesColumns() {
        var g = SplitMix64(seed: 5)
        let n = 80, t = 4
        var cols: [([Double], [UInt8])] = []
        for j in 0..<t { cols.append(Self.randomColumn(n, decimals: 20, prevalence: [0.0, 0.1, 0.5, 0.9][j], &g)) }
        var s = [Double](repeating: 0, count: n * t), y = [UInt8](repeating: 0, count: n * t)
        for i in 0..<n { for j in 0..<t { s[i * t + j] = cols[j].0[i]; y[i * t + j] = cols[j].1[i] } }
        let all = ThresholdSearch.best(scores: s, labels: y, rowCount: n, tagCount: t)
        XCTAssertEqual(all, cols.map { ThresholdSearch.best(scores: $0.0, labels: $0.1) })
        XCTAssertNil(all[0].threshold)
        // Decisions from the thresholds reproduce the search's F1, as sklearn's per-tag F1 sees it.
        let d = ThresholdSearch.decisions(scores: s, thresholds: all.map(\.threshold), rowCount: n)
        let report = try! Metrics.evaluate(truth: y, decisions: d, rowCount: n, tags: ["a", "b", "c", "d"])
        XCTAssertEqual(report.perTag!.map(\.f1), all.map(\.f1))
    }
}
