import XCTest
@testable import TagStack

/// `tagstack generate --one-label` (Synthetic/OneLabelSynthetic.swift): FMA's shape, one label a track,
/// artists on one side only, deterministic.
final class OneLabelSyntheticTests: XCTestCase {
    func testShapeAndDeterminism() throws {
        let d = try OneLabelSynthetic.generate(train: 3000, test: 800, seed: 4, networks: 3)
        XCTAssertEqual(d.labels.tags.count, 16)
        XCTAssertEqual(OneLabelSynthetic.genres.reduce(0) { $0 + $1.tracks }, 25_000)
        XCTAssertEqual(d.train.X.rowCount, 3000)
        XCTAssertEqual(d.test.X.rowCount, 800)
        XCTAssertEqual(d.train.X.columns.count, 48)
        XCTAssertTrue(d.train.X.columns.contains("n3:Easy Listening"))
        let t = 16
        for split in [d.train, d.test] {
            for i in 0..<split.y.ids.count { XCTAssertEqual(split.y.values[(i * t)..<((i + 1) * t)].reduce(0) { $0 + Int($1) }, 1) }
            XCTAssertTrue(split.X.values.allSatisfy { $0 > 0 && $0 < 1 })
        }
        // Rock is the most frequent label, Easy Listening among the rarest.
        let counts = (0..<t).map { k in (0..<3000).filter { d.train.y.values[$0 * t + k] == 1 }.count }
        XCTAssertEqual(counts.firstIndex(of: counts.max()!), 0)
        XCTAssertLessThan(counts[7], counts[0] / 50)
        XCTAssertTrue(Set(d.train.groups.values[0]).isDisjoint(with: Set(d.test.groups.values[0])), "no artist on both sides")
        XCTAssertEqual(try OneLabelSynthetic.generate(train: 3000, test: 800, seed: 4, networks: 3), d)
        XCTAssertNotEqual(try OneLabelSynthetic.generate(train: 3000, test: 800, seed: 5, networks: 3), d)
    }
}
