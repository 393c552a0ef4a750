// L2-regularised logistic regression on standardised features: minimises
//   Σ_i logloss(y_i, σ(b + w·x̃_i)) + (λ/2)·‖w‖²      (x̃ = (x − μ)/σ; the intercept b is not penalised)
// as scikit-learn's LogisticRegression(C = 1/λ) does. Newton's method (Cholesky solve, step halving) when
// there are at most 64 features; L-BFGS with an Armijo line search above that.

import Foundation
import TagStackModel

public struct LogisticParameters: Sendable, Equatable {
    public var lambda: Double = 1
    public var maxIterations: Int = 100
    public var tolerance: Double = 1e-8
    public init(lambda: Double = 1, maxIterations: Int = 100, tolerance: Double = 1e-8) {
        self.lambda = lambda; self.maxIterations = maxIterations; self.tolerance = tolerance
    }
}

public enum Logistic {
    /// Fits on `rows` of a column-major feature matrix (`columns[j][i]`); NaN is imputed by the column mean.
    enum Solver { case automatic, newton, lbfgs }

    /// `start`: a model of the same features to start from (e.g. the fit of another fold of the same data),
    /// taken as the same function in this fit's standardisation; nil starts from the prior log-odds. The
    /// optimum is the same (within `parameters.tolerance`); a start near it saves Newton iterations.
    public static func train(columns: [[Double]], labels: [UInt8], rows: [Int32], parameters: LogisticParameters = .init(),
                             start: LinearModel? = nil) -> LinearModel {
        train(columns: columns, labels: labels, rows: rows, parameters: parameters, solver: .automatic, start: start)
    }

    static func train(columns: [[Double]], labels: [UInt8], rows: [Int32], parameters: LogisticParameters, solver: Solver,
                      start: LinearModel? = nil) -> LinearModel {
        let d = columns.count
        let n = rows.count
        // Standardise on the training rows.
        var means = [Double](repeating: 0, count: d), scales = [Double](repeating: 1, count: d)
        let useNewton = solver == .newton || (solver == .automatic && d <= 64)
        // Newton: one row-major design [1, z] (LogisticKernel.swift); L-BFGS: standardised columns.
        var design = LogisticDesign(rows: useNewton ? n : 0, width: d + 1)
        var z = [[Double]](repeating: [], count: useNewton ? 0 : d)   // standardised, row order of `rows`
        if useNewton { for r in 0..<n { design.values[r * design.chunks][0] = 1 } }
        for j in 0..<d {
            let col = columns[j]
            let (mu, sd) = moments(col, rows: rows)
            means[j] = mu; scales[j] = sd > 1e-12 ? sd : 1
            let scale = scales[j]
            @inline(__always) func standardised(_ v: Double) -> Double {
                guard v.isFinite else { return 0 }
                let dv = v - mu
                return dv.isFinite ? dv / scale : v / scale - mu / scale
            }
            if useNewton {
                let a = j + 1, chunk = a / 4, lane = a % 4, c = design.chunks
                design.values.withUnsafeMutableBufferPointer { dv in
                    for (r, i) in rows.enumerated() { dv[r * c + chunk][lane] = standardised(col[Int(i)]) }
                }
            } else {
                z[j] = rows.map { standardised(col[Int($0)]) }
            }
        }
        let y = rows.map { Double(labels[Int($0)]) }
        let positives = y.reduce(0, +)
        // Start from the prior log-odds.
        var beta = [Double](repeating: 0, count: d + 1)   // [b, w...]
        let prior = min(max(positives / Double(max(n, 1)), 1e-6), 1 - 1e-6)
        beta[0] = Foundation.log(prior / (1 - prior))
        if positives == 0 || positives == Double(n) {
            return LinearModel(intercept: beta[0], weights: .init(repeating: 0, count: d), means: means, scales: scales)
        }
        if let m = start, m.weights.count == d, let restated = restate(m, means: means, scales: scales) { beta = restated }
        let lambda = parameters.lambda
        if useNewton {
            newton(&beta, design: design, y: y, lambda: lambda, parameters: parameters)
            return LinearModel(intercept: beta[0], weights: Array(beta[1...]), means: means, scales: scales)
        }
        lbfgs(&beta, parameters: parameters) { b, gradient in objective(b, &gradient, z: z, y: y, lambda: lambda) }
        return LinearModel(intercept: beta[0], weights: Array(beta[1...]), means: means, scales: scales)
    }

    /// Mean and standard deviation (population) of a column's finite values on `rows`. Missing values (NaN, and
    /// infinities, which a feature built from extreme inputs can hold) are left out: the fit imputes them by the
    /// mean, as `LinearModel.rawScore` does.
    static func moments(_ col: [Double], rows: [Int32]) -> (mean: Double, sd: Double) {
        var sum = 0.0, cnt = 0
        for r in rows { let v = col[Int(r)]; if v.isFinite { sum += v; cnt += 1 } }
        var mu = cnt > 0 ? sum / Double(cnt) : 0
        var ss = 0.0
        for r in rows { let v = col[Int(r)]; if v.isFinite { ss += (v - mu) * (v - mu) } }
        var sd = cnt > 0 ? (ss / Double(cnt)).squareRoot() : 0
        if !mu.isFinite || !sd.isFinite {
            // Values near ±1.8e308 overflow the sums: redo them on values divided by the largest magnitude.
            var m = 0.0
            for r in rows { let v = col[Int(r)]; if v.isFinite { m = max(m, abs(v)) } }
            var s = 0.0
            for r in rows { let v = col[Int(r)]; if v.isFinite { s += v / m } }
            let mus = s / Double(cnt)
            var q = 0.0
            for r in rows { let v = col[Int(r)]; if v.isFinite { q += (v / m - mus) * (v / m - mus) } }
            mu = mus * m
            sd = min((q / Double(cnt)).squareRoot() * m, Double.greatestFiniteMagnitude)
        }
        return (mu, sd)
    }

    /// A model of the same features restated in this fit's standardisation (μ', σ'), as [b', w'...]:
    /// b + Σ w_j (x_j − μ_j)/σ_j = b' + Σ w'_j (x_j − μ'_j)/σ'_j with w'_j = w_j σ'_j/σ_j, b' = b + Σ w_j (μ'_j − μ_j)/σ_j.
    /// Nil when that is not finite.
    static func restate(_ m: LinearModel, means: [Double], scales: [Double]) -> [Double]? {
        var b = m.intercept, w = [Double](repeating: 0, count: means.count)
        for j in 0..<means.count {
            w[j] = m.weights[j] * scales[j] / m.scales[j]
            b += m.weights[j] * (means[j] - m.means[j]) / m.scales[j]
        }
        return b.isFinite && w.allSatisfy(\.isFinite) ? [b] + w : nil
    }

    /// L-BFGS's objective on standardised columns `z` (row order of `y`): the penalised log loss at `b` = [b, w...],
    /// and its gradient when `gradient` is non-nil.
    static func objective(_ b: [Double], _ gradient: inout [Double]?, z: [[Double]], y: [Double], lambda: Double) -> Double {
        let d = z.count, n = y.count
        var eta = [Double](repeating: b[0], count: n)
        for j in 0..<d where b[j + 1] != 0 { let w = b[j + 1]; let zj = z[j]; for i in 0..<n { eta[i] += w * zj[i] } }
        var loss = 0.0
        var resid = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let e = eta[i]
            // log(1 + exp(e)) − y·e, stably.
            loss += (e > 0 ? e + Foundation.log1p(Foundation.exp(-e)) : Foundation.log1p(Foundation.exp(e))) - y[i] * e
            resid[i] = sigmoid(e) - y[i]
        }
        for j in 1...d { loss += 0.5 * lambda * b[j] * b[j] }
        if gradient != nil {
            var g = [Double](repeating: 0, count: d + 1)
            g[0] = resid.reduce(0, +)
            for j in 0..<d { var s = 0.0; let zj = z[j]; for i in 0..<n { s += resid[i] * zj[i] }; g[j + 1] = s + lambda * b[j + 1] }
            gradient = g
        }
        return loss
    }

    /// Newton's method with step halving on [1, z] (`design`, LogisticKernel.swift): each iteration one pass
    /// gives the objective, gradient and Hessian (Xᵀ W X + λ I, intercept unpenalised) at the current point.
    static func newton(_ beta: inout [Double], design: LogisticDesign, y: [Double], lambda: Double, parameters: LogisticParameters) {
        let m = design.width
        func evaluate(_ b: [Double]) -> LogisticKernel.Pass {
            var p = LogisticKernel.pass(design, y: y, beta: b, hessian: true)
            for j in 1..<m {
                p.loss += 0.5 * lambda * b[j] * b[j]
                p.gradient[j] += lambda * b[j]
                p.hessian[j * m + j] += lambda
            }
            return p
        }
        var current = evaluate(beta)
        for _ in 0..<parameters.maxIterations {
            guard let step = choleskySolve(current.hessian, current.gradient, m) else { break }
            var t = 1.0
            var improved = false
            for _ in 0..<30 {
                let candidate = zip(beta, step).map { $0 - t * $1 }
                let next = evaluate(candidate)
                if next.loss <= current.loss {
                    let change = step.map { abs($0) * t }.max() ?? 0
                    beta = candidate; current = next; improved = true
                    if change < parameters.tolerance { return }
                    break
                }
                t *= 0.5
            }
            if !improved { return }
        }
    }

    /// Solves `A x = b` for symmetric positive definite `A` (row-major m×m); nil if not positive definite.
    static func choleskySolve(_ a: [Double], _ b: [Double], _ m: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0...i {
                var s = a[i * m + j]
                for k in 0..<j { s -= l[i * m + k] * l[j * m + k] }
                if i == j { guard s > 0 else { return nil }; l[i * m + i] = s.squareRoot() }
                else { l[i * m + j] = s / l[j * m + j] }
            }
        }
        var y = [Double](repeating: 0, count: m)
        for i in 0..<m { var s = b[i]; for k in 0..<i { s -= l[i * m + k] * y[k] }; y[i] = s / l[i * m + i] }
        var x = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) {
            var s = y[i]; for k in (i + 1)..<m { s -= l[k * m + i] * x[k] }; x[i] = s / l[i * m + i]
        }
        return x
    }

    static func lbfgs(_ x: inout [Double], parameters: LogisticParameters, memory: Int = 10,
                      objective: ([Double], inout [Double]?) -> Double) {
        var g: [Double]? = []
        var f = objective(x, &g)
        var sList: [[Double]] = [], yList: [[Double]] = []
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        for _ in 0..<parameters.maxIterations * 5 {
            // Two-loop recursion for the direction −H·g.
            var q = g!
            var alphas: [Double] = []
            for (s, yv) in zip(sList, yList).reversed() {
                let a = dot(s, q) / dot(yv, s); alphas.append(a)
                q = zip(q, yv).map { $0 - a * $1 }
            }
            if let s = sList.last, let yv = yList.last { let gamma = dot(s, yv) / dot(yv, yv); q = q.map { $0 * gamma } }
            for ((s, yv), a) in zip(zip(sList, yList), alphas.reversed()) {
                let bcoef = dot(yv, q) / dot(yv, s)
                q = zip(q, s).map { $0 + (a - bcoef) * $1 }
            }
            let dir = q.map { -$0 }
            let slope = dot(g!, dir)
            if slope >= 0 { sList.removeAll(); yList.removeAll(); continue }
            var t = 1.0
            var accepted = false
            for _ in 0..<40 {
                let cand = zip(x, dir).map { $0 + t * $1 }
                var g2: [Double]? = []
                let f2 = objective(cand, &g2)
                if f2 <= f + 1e-4 * t * slope {
                    let s = zip(cand, x).map { $0 - $1 }, yv = zip(g2!, g!).map { $0 - $1 }
                    if dot(s, yv) > 1e-12 { sList.append(s); yList.append(yv); if sList.count > memory { sList.removeFirst(); yList.removeFirst() } }
                    let change = s.map(abs).max() ?? 0
                    x = cand; f = f2; g = g2; accepted = true
                    if change < parameters.tolerance { return }
                    break
                }
                t *= 0.5
            }
            if !accepted { return }
            if (g!.map(abs).max() ?? 0) < 1e-9 { return }
        }
    }
}
