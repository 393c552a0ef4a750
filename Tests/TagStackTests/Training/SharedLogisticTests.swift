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
                                           lambda: 1, threads: 1, derivatives: true)
        XCTAssertLessThan(abs(at.gw[0]), 1e-6, "slope \(fit.weights[0]), loss \(at.loss)")
        for k in 0..<t { XCTAssertLessThan(abs(at.gb[k]), 1e-6, "tag \(k): loss \(at.loss)") }
    }
}
