import XCTest
@testable import TagStack

final class SharedLogisticTests: XCTestCase {
    /// A poor start (scores far below the rest, as the calibration logit of a mean of networks below 0 gives,
    /// so the first Newton steps are 10⁴–10⁵ long) still reaches the optimum: the gradient vanishes. Before, step
    /// halving gave up at a scale of 1e-6 of such a step and the fit stayed near its start (a loss 7× the optimum).
    func testSharedLogisticReachesTheOptimumFromAPoorStart() {
        func frac(_ x: Double) -> Double { x - x.rounded(.down) }
        let n = 2000, t = 4
        var z = [[[Double]]](repeating: [[Double](repeating: 0, count: n)], count: t)
        var labels = [[UInt8]](repeating: [UInt8](repeating: 0, count: n), count: t)
        for k in 0..<t {
            for i in 0..<n {
                let a = Double(i), b = Double(k)
                let q = 0.001 + 0.2 * frac(a * 0.6180339887 + b * 0.4142135624)
                labels[k][i] = frac(a * 0.7548776662 + b * 0.5698402910) < q ? 1 : 0
                z[k][0][i] = frac(a * 0.3819660113 + b * 0.2360679775) < 0.3 ? -30 - 5 * frac(a * 0.1415926536 + b * 0.7182818285) : log(q / (1 - q))
            }
        }
        let rows = (0..<n).map(Int32.init)
        let fit = SharedLogistic.fit(z: z, labels: labels, rows: rows, lambda: 1, threads: 2)
        let at = SharedLogistic.accumulate(tags: t, z: { z[$0] }, labels: labels, rows: rows, w: fit.weights, b: fit.intercepts,
                                           lambda: 1, threads: 1)
        XCTAssertLessThan(abs(at.gw[0]), 1e-6, "slope \(fit.weights[0]), loss \(at.loss)")
        for k in 0..<t { XCTAssertLessThan(abs(at.gb[k]), 1e-6, "tag \(k): loss \(at.loss)") }
    }

    /// Deterministic test data: `t` tags, `m` sources, `n` rows; tag 0 has no positive (left out of the fit).
    private func problem(n: Int, t: Int, m: Int) -> (z: [[[Double]]], labels: [[UInt8]]) {
        func frac(_ x: Double) -> Double { x - x.rounded(.down) }
        var z = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: n), count: m), count: t)
        var labels = [[UInt8]](repeating: [UInt8](repeating: 0, count: n), count: t)
        for k in 0..<t {
            for i in 0..<n {
                for j in 0..<m { z[k][j][i] = 4 * frac(Double(i) * 0.3819660113 + Double(k * m + j) * 0.2360679775) - 2 }
                let q = 1 / (1 + exp(-(z[k][0][i] - 1.5)))
                labels[k][i] = k > 0 && frac(Double(i) * 0.7548776662 + Double(k) * 0.5698402910) < q ? 1 : 0
            }
        }
        return (z, labels)
    }

    /// A pass by rows (`sweep`, chunks of 1,024 rows, tags split among threads) gives each tag's sums of the plain
    /// twin (`tagSums`, a column at a time) bit for bit, at 1 and 3 threads, on two row sets at once.
    func testTheSweepByRowsEqualsThePlainTwin() {
        let n = 2500, t = 5, m = 2
        let (z, labels) = problem(n: n, t: t, m: m)
        let parts: [[Int32]] = [(0..<Int32(n)).filter { $0 % 3 != 0 }, (0..<Int32(n)).map { $0 }]
        let w = [0.7, -0.2], b = (0..<t).map { 0.1 * Double($0) - 1 }
        for threads in [1, 3] {
            let swept = SharedLogistic.sweep(.sums, parts: parts, active: [true, true], informative: parts.map { _ in [Bool](repeating: true, count: t) },
                                             weights: [w, w], intercepts: [b, b], tags: t, sources: m, labels: labels,
                                             read: SharedLogistic.reader(z), threads: threads)
            for (p, rows) in parts.enumerated() {
                for k in 0..<t {
                    let plain = SharedLogistic.tagSums(zk: z[k], y: labels[k], rows: rows, w: w, b: b[k])
                    let s = swept[p][k]
                    XCTAssertEqual([s.loss, s.gb, s.d].map(\.bitPattern), [plain.loss, plain.gb, plain.d].map(\.bitPattern), "part \(p) tag \(k)")
                    XCTAssertEqual((s.gw + s.a + s.bk).map(\.bitPattern), (plain.gw + plain.a + plain.bk).map(\.bitPattern))
                }
            }
        }
    }

    /// Row sets fitted in lock step give each the fit it gets alone; a tag without positives is left out (its
    /// intercept the clipped prior's log-odds less the mean shared term), the others reach the optimum, and the
    /// fit stops well before its iteration limit.
    func testPartsInLockStepEqualFitsAloneAndATagWithoutPositivesIsLeftOut() {
        let n = 3000, t = 4, m = 1
        let (z, labels) = problem(n: n, t: t, m: m)
        let parts: [[Int32]] = [(0..<Int32(n)).filter { $0 % 4 != 1 }, (0..<Int32(n)).map { $0 }]
        let together = SharedLogistic.fit(parts: parts, tags: t, sources: m, read: SharedLogistic.reader(z), labels: labels, lambda: 1, threads: 2)
        for (p, rows) in parts.enumerated() {
            let alone = SharedLogistic.fit(z: z, labels: labels, rows: rows, lambda: 1, threads: 1)
            XCTAssertEqual((together[p].weights + together[p].intercepts).map(\.bitPattern), (alone.weights + alone.intercepts).map(\.bitPattern))
            // The objective of the tags fitted (tag 0 left out): its gradient vanishes.
            let at = SharedLogistic.accumulate(tags: t - 1, z: { z[$0 + 1] }, labels: Array(labels[1...]), rows: rows, w: alone.weights,
                                               b: Array(alone.intercepts[1...]), lambda: 1, threads: 1)
            for k in 0..<(t - 1) { XCTAssertLessThan(abs(at.gb[k]), 1e-8, "part \(p) tag \(k + 1)") }
            XCTAssertLessThan(abs(at.gw[0]), 1e-8, "part \(p)")
            let mean = rows.reduce(0.0) { $0 + z[0][0][Int($1)] } / Double(rows.count)
            XCTAssertEqual(alone.intercepts[0], log(1e-4 / (1 - 1e-4)) - alone.weights[0] * mean, accuracy: 1e-9)
        }
        let limited = SharedLogistic.fit(parts: parts, tags: t, sources: m, read: SharedLogistic.reader(z), labels: labels, lambda: 1,
                                         threads: 2, maxIterations: 12)
        XCTAssertEqual(limited.map(\.weights), together.map(\.weights), "converged within 12 Newton steps")
    }
}
