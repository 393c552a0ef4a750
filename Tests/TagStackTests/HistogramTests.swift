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

    func testFourFeatureKernelEqualsPlainTwinExactly() {
        let s = setup(seed: 7, n: 999, binCount: 50)
        var rng = SplitMix64(seed: 8)
        let cols = (0..<4).map { _ in (0..<999).map { _ in UInt8(rng.nextInt(below: 50)) } }
        let nb = [50, 37, 50, 12].map { $0 }
        let colsClamped = (0..<4).map { f in cols[f].map { min($0, UInt8(nb[f] - 1)) } }
        for useRows in [true, false] {
            let rows = useRows ? s.rows : (0..<999).map { Int32($0) }
            let offsets = [0, nb[0], nb[0] + nb[1], nb[0] + nb[1] + nb[2]].map { $0 * 3 }
            let flat = UnsafeMutablePointer<Double>.allocate(capacity: nb.reduce(0, +) * 3)
            defer { flat.deallocate() }
            flat.initialize(repeating: .nan, count: nb.reduce(0, +) * 3)
            var ordered = [Float](repeating: 0, count: 2 * rows.count)
            rows.withUnsafeBufferPointer { r in
                HistogramKernel.gather(rows: r.baseAddress!, count: r.count, gradients: s.grad, hessians: s.hess, ordered: &ordered)
            }
            colsClamped[0].withUnsafeBufferPointer { c0 in colsClamped[1].withUnsafeBufferPointer { c1 in
            colsClamped[2].withUnsafeBufferPointer { c2 in colsClamped[3].withUnsafeBufferPointer { c3 in
            rows.withUnsafeBufferPointer { r in
                HistogramKernel.build4(columns: (c0.baseAddress!, c1.baseAddress!, c2.baseAddress!, c3.baseAddress!),
                                       hists: (flat + offsets[0], flat + offsets[1], flat + offsets[2], flat + offsets[3]),
                                       binCounts: (nb[0], nb[1], nb[2], nb[3]), rows: useRows ? r.baseAddress! : nil,
                                       ordered: ordered, gradients: s.grad, hessians: s.hess, count: rows.count)
            } } } } }
            let hs = (0..<4).map { Array(UnsafeBufferPointer(start: flat + offsets[$0], count: nb[$0] * 3)) }
            for f in 0..<4 {
                XCTAssertEqual(hs[f], HistogramKernel.buildPlain(column: colsClamped[f], rows: rows, gradients: s.grad, hessians: s.hess, binCount: nb[f]),
                               "feature \(f), rows given: \(useRows)")
            }
        }
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
