// The hot loop of the logistic learner's Newton solver (Logistic.swift): one pass over the rows of a
// row-major design matrix gives the penalty-free loss, its gradient and its Hessian at once,
//   loss = Σ_i log(1 + e^η_i) − y_i·η_i,   g = Xᵀ(p − y),   H = Xᵀ W X   (η = X β, W = diag(max(p(1 − p), 1e-12))),
// so each Newton iteration reads the rows once (the column loops it replaces read them once per Hessian
// entry pair and once more per objective).
//
// Notes
// - Layout (`LogisticDesign`): each row is `stride` Doubles, a multiple of 4, in chunks of SIMD4<Double>:
//   the intercept's 1, the features, zeros up to the stride. Read-only here.
// - H is accumulated as rank-one updates, two rows at a time (H[a, ·] += w₁x₁ₐ·x₁ + w₂x₂ₐ·x₂), on the lower
//   triangle only, chunk by chunk: for row a the chunks 0…a/4 (entries right of the diagonal inside the last
//   chunk are written too and ignored); `symmetrise` copies the lower triangle up. Elementwise updates, no
//   floating-point reduction to reassociate: the compiler keeps them in vector registers as written.
// - Precision: Double throughout. Sums run in row order (the Hessian by row pairs, η as four partial sums
//   of a SIMD4 dot product), so the result is fixed for a given design, whatever the thread (one fit runs on
//   one thread); it differs from the plain twin `passPlain` (scalar, entry by entry) by rounding only.
// - Written buffers: the pass's own `gradient` and `hessian` arrays.

import Foundation
import TagStackModel

/// A row-major design matrix [1, x̃] for the logistic solver, rows padded to a multiple of 4 Doubles.
struct LogisticDesign {
    let rows: Int
    /// Coefficients: the intercept and the features.
    let width: Int
    /// SIMD4 chunks a row.
    let chunks: Int
    /// rows × chunks.
    var values: [SIMD4<Double>]

    init(rows: Int, width: Int) {
        self.rows = rows; self.width = width
        chunks = (width + 3) / 4
        values = [SIMD4<Double>](repeating: .zero, count: rows * chunks)
    }

    var stride: Int { chunks * 4 }

    /// Entry (i, a).
    func value(_ i: Int, _ a: Int) -> Double { values[i * chunks + a / 4][a % 4] }
}

enum LogisticKernel {
    struct Pass {
        /// Σ log(1 + e^η) − y·η (no penalty).
        var loss: Double
        var gradient: [Double]
        /// width × width, row-major, symmetric (when asked for).
        var hessian: [Double]
    }

    /// Loss, gradient and (when `hessian`) Hessian at `beta` (length `design.width`) with labels `y` (0/1 per
    /// design row).
    static func pass(_ design: LogisticDesign, y: [Double], beta: [Double], hessian withHessian: Bool) -> Pass {
        let c = design.chunks, m = design.width, n = design.rows
        var b = [SIMD4<Double>](repeating: .zero, count: c)
        for a in 0..<m { b[a / 4][a % 4] = beta[a] }
        var g = [SIMD4<Double>](repeating: .zero, count: c)
        var h = [SIMD4<Double>](repeating: .zero, count: withHessian ? m * c : 0)
        var loss = 0.0
        design.values.withUnsafeBufferPointer { xp in
            b.withUnsafeBufferPointer { bp in
                g.withUnsafeMutableBufferPointer { gp in
                    h.withUnsafeMutableBufferPointer { hp in
                        y.withUnsafeBufferPointer { yp in
                            let x = xp.baseAddress!, bv = bp.baseAddress!, gv = gp.baseAddress!
                            // (residual, Hessian weight) of row i; adds its loss.
                            @inline(__always) func row(_ i: Int) -> (Double, Double) {
                                let xi = x + i * c
                                var acc = xi[0] * bv[0]
                                var q = 1
                                while q < c { acc += xi[q] * bv[q]; q += 1 }
                                let eta = acc.sum()
                                let yi = yp[i]
                                let e = Foundation.exp(-abs(eta))
                                loss += max(eta, 0) - yi * eta + Foundation.log1p(e)
                                let p = eta >= 0 ? 1 / (1 + e) : e / (1 + e)
                                return (p - yi, max(p * (1 - p), 1e-12))
                            }
                            var i = 0
                            while i + 1 < n {
                                let (r1, w1) = row(i), (r2, w2) = row(i + 1)
                                let x1 = x + i * c, x2 = x1 + c
                                for q in 0..<c { gv[q] += r1 * x1[q] + r2 * x2[q] }
                                if withHessian {
                                    let hv = hp.baseAddress!
                                    for a in 0..<m {
                                        let s1 = w1 * x1[a / 4][a % 4], s2 = w2 * x2[a / 4][a % 4]
                                        let ha = hv + a * c
                                        for q in 0...(a / 4) { ha[q] += s1 * x1[q] + s2 * x2[q] }
                                    }
                                }
                                i += 2
                            }
                            if i < n {
                                let (r1, w1) = row(i)
                                let x1 = x + i * c
                                for q in 0..<c { gv[q] += r1 * x1[q] }
                                if withHessian {
                                    let hv = hp.baseAddress!
                                    for a in 0..<m {
                                        let s1 = w1 * x1[a / 4][a % 4]
                                        let ha = hv + a * c
                                        for q in 0...(a / 4) { ha[q] += s1 * x1[q] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = Pass(loss: loss, gradient: (0..<m).map { g[$0 / 4][$0 % 4] }, hessian: [])
        if withHessian {
            var full = [Double](repeating: 0, count: m * m)
            for a in 0..<m { for bb in 0...a { full[a * m + bb] = h[a * c + bb / 4][bb % 4] } }
            symmetrise(&full, m)
            out.hessian = full
        }
        return out
    }

    /// Copies the lower triangle of a row-major m × m matrix onto its upper triangle.
    static func symmetrise(_ a: inout [Double], _ m: Int) {
        for i in 0..<m { for j in 0..<i { a[j * m + i] = a[i * m + j] } }
    }

    /// The plain twin of `pass`: entry by entry, no SIMD, no row pairs.
    static func passPlain(_ design: LogisticDesign, y: [Double], beta: [Double], hessian withHessian: Bool) -> Pass {
        let m = design.width, n = design.rows
        var loss = 0.0
        var g = [Double](repeating: 0, count: m), h = [Double](repeating: 0, count: withHessian ? m * m : 0)
        for i in 0..<n {
            var eta = 0.0
            for a in 0..<m { eta += beta[a] * design.value(i, a) }
            loss += (eta > 0 ? eta + Foundation.log1p(Foundation.exp(-eta)) : Foundation.log1p(Foundation.exp(eta))) - y[i] * eta
            let p = sigmoid(eta), w = max(p * (1 - p), 1e-12)
            for a in 0..<m {
                g[a] += (p - y[i]) * design.value(i, a)
                if withHessian { for bb in 0...a { h[a * m + bb] += w * design.value(i, a) * design.value(i, bb) } }
            }
        }
        if withHessian { symmetrise(&h, m) }
        return Pass(loss: loss, gradient: g, hessian: h)
    }
}
