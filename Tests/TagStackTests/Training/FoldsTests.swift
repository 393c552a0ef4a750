import XCTest
import TagStackModel
@testable import TagStack

final class FoldsTests: XCTestCase {
    func testGroupsAreNeverSplitAcrossEitherColumn() {
        var g = SplitMix64(seed: 5)
        let n = 3000
        // Albums nest in artists mostly, but some albums are shared by two artists (compilations).
        let artist = (0..<n).map { _ in "a\(Int(pow(g.nextUnit(), 3) * 150))" }
        let album = (0..<n).map { i in g.nextInt(20) == 0 ? "comp\(g.nextInt(5))" : artist[i] + "-l\(g.nextInt(3))" }
        let fold = Folds.assign(rowCount: n, k: 5, groups: [artist, album], seed: 9)
        for column in [artist, album] {
            var foldOf: [String: Int] = [:]
            for (i, v) in column.enumerated() {
                if let f = foldOf[v] { XCTAssertEqual(f, fold[i], "group \(v) split") } else { foldOf[v] = fold[i] }
            }
        }
        let sizes = (0..<5).map { f in fold.filter { $0 == f }.count }
        XCTAssertTrue(sizes.allSatisfy { $0 > 0 }, "\(sizes)")
        XCTAssertEqual(Folds.assign(rowCount: n, k: 5, groups: [artist, album], seed: 9), fold, "deterministic")
    }

    func testUngroupedFoldsAreBalancedAndSeeded() {
        let a = Folds.assign(rowCount: 103, k: 5, seed: 1)
        let sizes = (0..<5).map { f in a.filter { $0 == f }.count }
        XCTAssertEqual(sizes.max()! - sizes.min()!, 1)
        XCTAssertNotEqual(Folds.assign(rowCount: 103, k: 5, seed: 2), a)
    }

    func testComponentsJoinRowsThatShareAnyValue() {
        let c = Folds.components(rowCount: 5, groups: [["x", "y", "x", "z", "w"], ["1", "2", "3", "2", "4"]])
        XCTAssertEqual(c, [0, 1, 0, 1, 2])
    }

    func testSplitsPartitionRows() {
        let fold = [0, 1, 2, 0, 1]
        let s = Folds.splits(fold: fold, k: 3)
        XCTAssertEqual(s[0].valid, [0, 3]); XCTAssertEqual(s[0].train, [1, 2, 4])
    }
}

final class LogisticTests: XCTestCase {
    func problem(d: Int, n: Int, seed: UInt64) -> ([[Double]], [UInt8]) {
        var g = SplitMix64(seed: seed)
        let truth = (0..<d).map { _ in g.nextGaussian() }
        var cols = (0..<d).map { j in (0..<n).map { _ in g.nextGaussian() * Double(j + 1) + Double(j) } }
        let y: [UInt8] = (0..<n).map { i in
            var z = -1.0
            for j in 0..<d { z += truth[j] * (cols[j][i] - Double(j)) / Double(j + 1) }
            return g.nextUnit() < 1 / (1 + exp(-z)) ? 1 : 0
        }
        cols[0][3] = .nan
        return (cols, y)
    }

    /// At the optimum the gradient of the penalised loss (in standardised coordinates) vanishes.
    func assertStationary(_ m: LinearModel, _ cols: [[Double]], _ y: [UInt8], lambda: Double, file: StaticString = #filePath, line: UInt = #line) {
        let n = y.count, d = cols.count
        var g0 = 0.0
        var g = [Double](repeating: 0, count: d)
        for i in 0..<n {
            let x = (0..<d).map { cols[$0][i] }
            let p = x.withUnsafeBufferPointer { sigmoid(m.rawScore($0)) }
            let r = p - Double(y[i])
            g0 += r
            for j in 0..<d where !x[j].isNaN { g[j] += r * (x[j] - m.means[j]) / m.scales[j] }
        }
        for j in 0..<d { g[j] += lambda * m.weights[j] }
        XCTAssertLessThan(abs(g0), 1e-5, file: file, line: line)
        XCTAssertLessThan(g.map(abs).max()!, 1e-5, "\(g)", file: file, line: line)
    }

    func testNewtonReachesTheOptimum() {
        let (cols, y) = problem(d: 6, n: 2000, seed: 3)
        let m = Logistic.train(columns: cols, labels: y, rows: (0..<2000).map(Int32.init))
        assertStationary(m, cols, y, lambda: 1)
    }

    func testLBFGSAgreesWithNewton() {
        let (cols, y) = problem(d: 12, n: 1500, seed: 4)
        let rows = (0..<1500).map(Int32.init)
        let a = Logistic.train(columns: cols, labels: y, rows: rows, parameters: .init(), solver: .newton)
        let b = Logistic.train(columns: cols, labels: y, rows: rows, parameters: .init(), solver: .lbfgs)
        assertStationary(b, cols, y, lambda: 1)
        for (u, v) in zip(a.weights, b.weights) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        XCTAssertEqual(a.intercept, b.intercept, accuracy: 1e-5)
    }

    /// The SIMD pass (row pairs, lower triangle by chunks) against its plain twin, for widths on and off the
    /// 4-Double chunk boundary and an odd row count (the unpaired last row).
    func testKernelPassMatchesPlainTwin() {
        var g = SplitMix64(seed: 11)
        for width in [1, 2, 4, 5, 8, 13, 17] {
            let n = 101
            var design = LogisticDesign(rows: n, width: width)
            for i in 0..<n {
                for a in 0..<width { design.values[i * design.chunks + a / 4][a % 4] = a == 0 ? 1 : g.nextGaussian() * Double(a) }
            }
            let y = (0..<n).map { _ in g.nextUnit() < 0.3 ? 1.0 : 0.0 }
            let beta = (0..<width).map { _ in g.nextGaussian() * 0.5 }
            for withHessian in [false, true] {
                let fast = LogisticKernel.pass(design, y: y, beta: beta, hessian: withHessian)
                let plain = LogisticKernel.passPlain(design, y: y, beta: beta, hessian: withHessian)
                XCTAssertEqual(fast.loss, plain.loss, accuracy: 1e-9 * max(1, abs(plain.loss)), "width \(width)")
                XCTAssertEqual(fast.gradient.count, width)
                for (u, v) in zip(fast.gradient, plain.gradient) { XCTAssertEqual(u, v, accuracy: 1e-9 * max(1, abs(v)), "width \(width)") }
                XCTAssertEqual(fast.hessian.count, withHessian ? width * width : 0)
                for (u, v) in zip(fast.hessian, plain.hessian) { XCTAssertEqual(u, v, accuracy: 1e-9 * max(1, abs(v)), "width \(width)") }
                if withHessian {
                    // Symmetric, and the intercept's own entry is the sum of the weights (positive).
                    for a in 0..<width { for b in 0..<width { XCTAssertEqual(fast.hessian[a * width + b], fast.hessian[b * width + a]) } }
                    XCTAssertGreaterThan(fast.hessian[0], 0)
                }
            }
        }
    }

    /// A start from another fit (another standardisation: other rows) reaches the same optimum.
    func testWarmStartReachesTheSameOptimum() {
        let (cols, y) = problem(d: 8, n: 3000, seed: 9)
        let all = (0..<3000).map(Int32.init), some = (0..<2000).map(Int32.init)
        let other = Logistic.train(columns: cols, labels: y, rows: some)
        let cold = Logistic.train(columns: cols, labels: y, rows: all)
        let warm = Logistic.train(columns: cols, labels: y, rows: all, start: other)
        assertStationary(warm, cols, y, lambda: 1)
        for (u, v) in zip(cold.weights, warm.weights) { XCTAssertEqual(u, v, accuracy: 1e-7) }
        XCTAssertEqual(cold.intercept, warm.intercept, accuracy: 1e-7)
        XCTAssertEqual(cold.means, warm.means)
    }

    func testRowSubsetAndDegenerateLabels() {
        let (cols, y) = problem(d: 3, n: 500, seed: 6)
        let none = Logistic.train(columns: cols, labels: [UInt8](repeating: 0, count: 500), rows: (0..<500).map(Int32.init))
        XCTAssertTrue(none.weights.allSatisfy { $0 == 0 })
        XCTAssertLessThan(sigmoid(none.intercept), 1e-5)
        let half = Logistic.train(columns: cols, labels: y, rows: (0..<250).map(Int32.init))
        let sub = Logistic.train(columns: cols.map { Array($0[0..<250]) }, labels: Array(y[0..<250]), rows: (0..<250).map(Int32.init))
        XCTAssertEqual(half, sub)
    }
}
