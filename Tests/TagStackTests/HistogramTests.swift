@testable import TagStack
import XCTest

final class HistogramTests: XCTestCase {
    struct Setup {
        var column: [UInt8], grad: [Float], hess: [Float], rows: [Int32], binCount: Int
    }

    func setup(seed: UInt64, n: Int = 3000, binCount: Int = 40) -> Setup {
        var rng = SplitMix64(seed: seed)
        let column = (0..<n).map { _ in UInt8(rng.nextInt(below: binCount)) }
        let grad = (0..<n).map { _ in Float(rng.nextDouble() - 0.5) }
        let hess = (0..<n).map { _ in Float(rng.nextDouble() * 0.25) }
        let rows = (0..<n).filter { _ in rng.nextDouble() < 0.4 }.map { Int32($0) }
        return Setup(column: column, grad: grad, hess: hess, rows: rows, binCount: binCount)
    }

    func kernelBuild(_ s: Setup, rows: [Int32]) -> [Double] {
        var hist = [Double](repeating: .nan, count: s.binCount * 3)
        var ordered = [Float](repeating: 0, count: 2 * rows.count + 2)
        rows.withUnsafeBufferPointer { r in
            HistogramKernel.gather(rows: r.baseAddress!, count: r.count, gradients: s.grad, hessians: s.hess, ordered: &ordered)
            HistogramKernel.build(column: s.column, rows: r.baseAddress!, ordered: ordered, count: r.count, hist: &hist, binCount: s.binCount)
        }
        return hist
    }

    func testKernelEqualsPlainTwinExactly() {
        for seed: UInt64 in [1, 2, 3] {
            let s = setup(seed: seed)
            for rows in [s.rows, Array(s.rows.prefix(1)), Array(s.rows.prefix(7)), []] {
                let plain = HistogramKernel.buildPlain(column: s.column, rows: rows, gradients: s.grad, hessians: s.hess, binCount: s.binCount)
                XCTAssertEqual(kernelBuild(s, rows: rows), plain, "seed \(seed), \(rows.count) rows")
            }
        }
    }

    func testAllRowsKernelEqualsPlainTwinExactly() {
        let s = setup(seed: 4, n: 1001)
        var hist = [Double](repeating: .nan, count: s.binCount * 3)
        HistogramKernel.buildAllRows(column: s.column, gradients: s.grad, hessians: s.hess, count: 1001, hist: &hist, binCount: s.binCount)
        let all = (0..<1001).map { Int32($0) }
        XCTAssertEqual(hist, HistogramKernel.buildPlain(column: s.column, rows: all, gradients: s.grad, hessians: s.hess, binCount: s.binCount))
    }

    func testSubtractionEqualsDirectBuild() {
        let s = setup(seed: 5)
        let parent = s.rows
        let (left, right) = DataPartition.partitionPlain(rows: parent, column: s.column, thresholdBin: 17, missingBin: 39, defaultLeft: true)
        let hp = kernelBuild(s, rows: parent), hl = kernelBuild(s, rows: left), hr = kernelBuild(s, rows: right)
        var derived = hp
        hl.withUnsafeBufferPointer { c in HistogramKernel.subtract(&derived, c.baseAddress!, count: hp.count) }
        XCTAssertEqual(derived, HistogramKernel.subtractPlain(hp, hl))
        for i in 0..<hr.count {
            XCTAssertEqual(derived[i], hr[i], accuracy: 1e-12, "bin value \(i)")
        }
        // Counts are exact.
        for b in 0..<s.binCount { XCTAssertEqual(derived[3 * b + 2], hr[3 * b + 2]) }
    }

    func testPartitionEqualsPlainTwinAndIsStable() {
        let s = setup(seed: 6)
        for (t, def) in [(0, false), (17, true), (38, false), (38, true)] {
            var idx = s.rows, scratch = [Int32](repeating: 0, count: s.rows.count)
            let nl = DataPartition.partition(indices: &idx, scratch: &scratch, begin: 0, count: idx.count, column: s.column,
                                             thresholdBin: t, missingBin: 39, defaultLeft: def)
            let (l, r) = DataPartition.partitionPlain(rows: s.rows, column: s.column, thresholdBin: t, missingBin: 39, defaultLeft: def)
            XCTAssertEqual(nl, l.count)
            XCTAssertEqual(idx, l + r)
        }
    }
}
