import XCTest
@testable import TagStackModel

final class FeatureBuilderTests: XCTestCase {
    // Class G: rock, jazz, pop (category g1: rock, jazz; g2: pop); class I: piano (category i1).
    let labels = try! LabelSet(tags: ["rock", "jazz", "piano", "pop"], categories: ["g1", "g1", "i1", "g2"],
                               classes: ["G", "G", "I", "G"])
    let all: [FeatureKind] = [.score, .logit, .classRank, .classZ, .classMax, .classMean, .gapToClassMax,
                              .categoryMeanOthers, .categoryMaxOthers, .categoryScore, .network("n2"), .meanQuantile]

    func features(_ set: FeatureSet, columns: [String], row: [Double], tag: Int) throws -> [Double] {
        var b = try FeatureBuilder(set: set, labels: labels, inputColumns: columns)
        var out = [Double](repeating: -99, count: set.count)
        row.withUnsafeBufferPointer { b.prepare(row: $0) }
        out.withUnsafeMutableBufferPointer { b.features(tag: tag, into: $0) }
        return out
    }

    func testDefinitionsOnAHandComputedRow() throws {
        let cols = ["rock", "jazz", "piano", "pop", "g1", "n2:rock", "extra"]
        let row = [0.5, 0.2, 0.9, 0.5, 0.7, 0.25, 3.0]
        let set = FeatureSet(kinds: all, sharedColumns: ["extra"], networks: ["n2"],
                             quantiles: ["rock": QuantileMap(knots: [0, 1]), "n2:rock": QuantileMap(knots: [0, 0.5])])
        let f = try features(set, columns: cols, row: row, tag: 0)   // rock
        let mean = 1.2 / 3, sd = ((0.5 - mean) * (0.5 - mean) * 2 + (0.2 - mean) * (0.2 - mean)) / 3
        let expected: [Double] = [0.5, 0, 0, (0.5 - mean) / sd.squareRoot(), 0.5, mean, 0, 0.2, 0.2, 0.7, 0.25, (0.5 + 0.5) / 2, 3.0]
        XCTAssertEqual(f.count, expected.count)
        for (k, (a, b)) in zip(f, expected).enumerated() { XCTAssertEqual(a, b, accuracy: 1e-12, "feature \(set.names[k])") }
        // jazz: two class members score higher; pop has no category column and no n2 column.
        let jazz = try features(set, columns: cols, row: row, tag: 1)
        XCTAssertEqual(jazz[2], 1.0)
        XCTAssertEqual(jazz[8], 0.5, "max of the other tags of g1")
        let pop = try features(set, columns: cols, row: row, tag: 3)
        XCTAssertTrue(pop[9].isNaN && pop[10].isNaN, "absent category and network columns are NaN")
        XCTAssertEqual(pop[7], 0, "alone in its category")
        // piano is alone in its class: rank 0, z-score 0.
        let piano = try features(set, columns: cols, row: row, tag: 2)
        XCTAssertEqual(piano[2], 0); XCTAssertEqual(piano[3], 0)
    }

    /// `prepare(row:tags:)` (training's block of tags) gives each tag of the block the features `prepare(row:)`
    /// gives it, bit for bit: small and large blocks (direct counts, the sorted class), classes over and under
    /// 32 members, ties and NaN scores.
    func testPrepareForSomeTagsMatchesFullPrepare() throws {
        let n = 60
        let l = try LabelSet(tags: (0..<n).map { "t\($0)" }, categories: (0..<n).map { "c\($0 % 7)" },
                             classes: (0..<n).map { $0 < 40 ? "G" : ($0 < 50 ? "I" : "M") })
        let set = FeatureSet(kinds: [.score, .logit, .classRank, .classZ, .classMax, .classMean, .gapToClassMax,
                                     .categoryMeanOthers, .categoryMaxOthers])
        var full = try FeatureBuilder(set: set, labels: l, inputColumns: l.tags)
        var some = full
        var row = (0..<n).map { Double(($0 * 37) % 11) / 10 }
        row[5] = .nan; row[44] = .nan
        var a = [Double](repeating: 0, count: set.count), b = a
        row.withUnsafeBufferPointer { full.prepare(row: $0) }
        for tags in [0..<1, 3..<9, 35..<45, 38..<60, 0..<60, 59..<60] {
            row.withUnsafeBufferPointer { some.prepare(row: $0, tags: tags) }
            for t in tags {
                a.withUnsafeMutableBufferPointer { full.features(tag: t, into: $0) }
                b.withUnsafeMutableBufferPointer { some.features(tag: t, into: $0) }
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "tag \(t), block \(tags)")
            }
        }
    }

    func testClassRankOnLargeClassesMatchesCounting() throws {
        // More than 32 members takes the sorted path; compare with direct counting.
        let n = 50
        let l = try LabelSet(tags: (0..<n).map { "t\($0)" }, categories: (0..<n).map { "c\($0 % 7)" }, classes: .init(repeating: "G", count: n))
        var b = try FeatureBuilder(set: FeatureSet(kinds: [.classRank]), labels: l, inputColumns: l.tags)
        let row = (0..<n).map { Double(($0 * 37) % 11) / 10 }
        row.withUnsafeBufferPointer { b.prepare(row: $0) }
        for t in 0..<n {
            var out = [0.0]
            out.withUnsafeMutableBufferPointer { b.features(tag: t, into: $0) }
            XCTAssertEqual(out[0], Double(row.filter { $0 > row[t] }.count) / Double(n - 1))
        }
    }

    func testMissingColumnsAreNamed() {
        XCTAssertThrowsError(try FeatureBuilder(set: FeatureSet(kinds: [.score], sharedColumns: ["x"]), labels: labels,
                                                inputColumns: ["rock", "jazz", "pop"])) {
            XCTAssertEqual($0 as? ModelError, .missingColumns(["piano", "x"]))
        }
    }

    func testQuantileMap() {
        let q = QuantileMap(knots: [0, 1, 1, 3])
        XCTAssertEqual(q(-1), 0); XCTAssertEqual(q(0), 0); XCTAssertEqual(q(0.5), 1.0 / 6)
        XCTAssertEqual(q(1), 2.0 / 3, "ties go to the top knot"); XCTAssertEqual(q(2), 2.5 / 3); XCTAssertEqual(q(3), 1)
        let fitted = QuantileMap(values: (0..<1001).map(Double.init), count: 11)
        XCTAssertEqual(fitted.knots, (0...10).map { Double($0 * 100) })
    }

    func testFeatureSetCodableRoundTrip() throws {
        let set = FeatureSet(kinds: all, sharedColumns: ["a"], networks: ["n2"], quantiles: ["rock": QuantileMap(knots: [0, 0.5, 1])])
        let data = try JSONEncoder().encode(set)
        XCTAssertEqual(try JSONDecoder().decode(FeatureSet.self, from: data), set)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"class_rank\""))
    }

    /// Missing scores in a class of more than 32 tags (the sorted path): a NaN is never higher than another
    /// score, as in the plain count, and a missing score's logit stays missing.
    func testClassRankWithMissingScoresInALargeClass() throws {
        let n = 40
        let tags = (0..<n).map { "t\($0)" }
        let big = try LabelSet(tags: tags, categories: tags.map { _ in "c" }, classes: tags.map { _ in "K" })
        var b = try FeatureBuilder(set: FeatureSet(kinds: [.classRank, .logit]), labels: big, inputColumns: tags)
        var rng = SystemRandomNumberGenerator()
        let row = (0..<n).map { i -> Double in i % 5 == 0 ? .nan : Double(Int.random(in: 0..<10, using: &rng)) / 10 }
        row.withUnsafeBufferPointer { b.prepare(row: $0) }
        for t in 0..<n {
            var f = [Double](repeating: 0, count: 2)
            f.withUnsafeMutableBufferPointer { b.features(tag: t, into: $0) }
            let higher = (0..<n).filter { row[$0] > row[t] }.count
            XCTAssertEqual(f[0], Double(higher) / Double(n - 1), "tag \(t) (score \(row[t]))")
            XCTAssertEqual(f[1].isNaN, row[t].isNaN)
        }
    }
}
