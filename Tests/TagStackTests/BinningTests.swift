@testable import TagStack
import XCTest

final class BinningTests: XCTestCase {
    func testFewDistinctValuesGetMidpointBounds() throws {
        let col: [Double] = [3, 1, 2, 2, 1, 3, 5, .nan]
        let m = try BinnedMatrix(columns: [col], options: BinningOptions(minDataInBin: 1))
        XCTAssertEqual(m.upperBounds[0], [1.5, 2.5, 4, .infinity])
        XCTAssertEqual(m.bins, [2, 0, 1, 1, 0, 2, 3, 4])   // NaN -> missing bin 4 = valueBinCount
        XCTAssertEqual(m.valueBinCount(0), 4)
    }

    func testMinDataInBinMergesRareValues() {
        // counts: 1:1, 2:1, 3:5, 4:5 -> with min 3 the first bound comes after value 3.
        let v: [Double] = [1, 2] + Array(repeating: 3, count: 5) + Array(repeating: 4, count: 5)
        XCTAssertEqual(BinnedMatrix.findBounds(sortedValues: v, maxBins: 255, minDataInBin: 3), [3.5, .infinity])
    }

    func testManyDistinctValuesGiveAtMostMaxBinsQuantiles() throws {
        let d = ToyData(rows: 5000, cols: 2, seed: 3)
        let m = try d.matrix(maxBins: 63)
        for f in 0..<2 {
            let ub = m.upperBounds[f]
            XCTAssertLessThanOrEqual(ub.count, 63)
            XCTAssertGreaterThan(ub.count, 55)
            XCTAssertEqual(ub.last, .infinity)
            XCTAssertTrue(zip(ub, ub.dropFirst()).allSatisfy { $0 < $1 })
            // Roughly equal counts per bin.
            var counts = [Int](repeating: 0, count: ub.count + 1)
            for r in 0..<d.rows { counts[Int(m.bins[f * d.rows + r])] += 1 }
            XCTAssertLessThan(counts.max()!, 2 * 5000 / 63)
        }
    }

    func testBinContractValueAtMostBoundGoesToThatBin() throws {
        let d = ToyData(rows: 2000, cols: 3, seed: 5, nanFeature: 2)
        let m = try d.matrix()
        for f in 0..<3 {
            let ub = m.upperBounds[f]
            for r in 0..<d.rows {
                let v = d.x[r * 3 + f], b = Int(m.bins[f * d.rows + r])
                if v.isNaN { XCTAssertEqual(b, ub.count); continue }
                XCTAssertLessThanOrEqual(v, ub[b])
                if b > 0 { XCTAssertGreaterThan(v, ub[b - 1]) }
            }
        }
    }

    func testApplyingBoundsToNewRowsMatchesOwnBins() throws {
        let d = ToyData(rows: 500, cols: 4, seed: 9)
        let m = try d.matrix()
        let again = try m.applyingBounds(toRowMajor: d.x, rowCount: d.rows)
        XCTAssertEqual(again, m)
    }

    func testAllNaNAndConstantColumns() throws {
        let m = try BinnedMatrix(columns: [[.nan, .nan, .nan], [7, 7, 7]])
        XCTAssertEqual(m.upperBounds[0], [.infinity])
        XCTAssertEqual(m.upperBounds[1], [.infinity])
        XCTAssertEqual(m.bins, [1, 1, 1, 0, 0, 0])
    }

    func testBadOptionsNameTheValue() {
        XCTAssertThrowsError(try BinnedMatrix(columns: [[1, 2]], options: BinningOptions(maxBins: 256))) { e in
            XCTAssertEqual("\(e)", "maxBins=256 should not be larger than 255")
        }
        XCTAssertThrowsError(try BinnedMatrix(columns: [[1, 2], [1]])) { e in
            XCTAssertEqual("\(e)", "BinnedMatrix: column 1 has 1 rows, column 0 has 2")
        }
    }

    func testParallelBinningEqualsSerial() throws {
        let d = ToyData(rows: 3000, cols: 7, seed: 11, nanFeature: 3)
        let a = try BinnedMatrix(values: d.x, rowCount: d.rows, columnCount: d.cols, rowMajor: true, threads: 1)
        let b = try BinnedMatrix(values: d.x, rowCount: d.rows, columnCount: d.cols, rowMajor: true, threads: 2)
        XCTAssertEqual(a, b)
    }
}
