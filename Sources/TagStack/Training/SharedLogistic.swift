// A logistic model over (row, tag) pairs with weights shared by every tag and one intercept per tag:
//   p_ik = σ(b_k + Σ_j w_j · z_ijk),   minimising  Σ_k Σ_i logloss(y_ik, p_ik) + (λ/2)·‖w‖²
// (intercepts unpenalised). The base-score blend (z = each network's clipped logit of the tag) and the
// shared-slope calibration (z = the tag's score logit, one source) are this model.
//
// Newton's method with step halving on the objective. The Hessian is [[A, B], [Bᵀ, D]] with A the J × J
// block of the shared weights, B the J × K cross terms and D diagonal (one intercept per tag), so a step
// solves the J × J Schur complement (A − B D⁻¹ Bᵀ) and then each intercept on its own: O(J²·K) per step.
//
// Notes (hot loop `accumulate`): reads `z` (read-only, [tag][source][row], NaN already replaced by 0; a
// function of the tag, so a caller may compute a tag's columns when asked instead of holding every tag's) and
// labels; per tag sums are kept in Double and added tag by tag in tag order, so the result does not depend
// on the thread count.

import Foundation
import TagStackModel

struct SharedLogistic {
    var weights: [Double]
    var intercepts: [Double]

    /// Fits on `rows`. `z[k][j][i]`: tag k, source j, row i; `labels[k][i]` 0/1.
    static func fit(z: [[[Double]]], labels: [[UInt8]], rows: [Int32], lambda: Double, threads: Int,
                    maxIterations: Int = 50, tolerance: Double = 1e-9) -> SharedLogistic {
        fit(tags: z.count, sources: z.first?.count ?? 0, z: { z[$0] }, labels: labels, rows: rows, lambda: lambda, threads: threads,
            maxIterations: maxIterations, tolerance: tolerance)
    }

    /// Fits on `rows`. `z(k)[j][i]`: tag k's source j on row i (asked for once per tag and pass, from any
    /// thread); `labels[k][i]` 0/1.
    static func fit(tags t: Int, sources m: Int, z: (Int) -> [[Double]], labels: [[UInt8]], rows: [Int32], lambda: Double,
                    threads: Int, maxIterations: Int = 50, tolerance: Double = 1e-9) -> SharedLogistic {
        // Start: equal weights, intercepts at the prior log-odds minus the mean shared term.
        var w = [Double](repeating: m > 0 ? 1 / Double(m) : 0, count: m)
        var b = (0..<t).map { k -> Double in
            var pos = 0.0, mean = 0.0
            let zk = z(k)
            for r in rows {
                let i = Int(r)
                if labels[k][i] != 0 { pos += 1 }
                for j in 0..<m { mean += w[j] * zk[j][i] }
            }
            let n = Double(max(rows.count, 1))
            let prior = min(max(pos / n, 1e-4), 1 - 1e-4)
            return Foundation.log(prior / (1 - prior)) - mean / n
        }
        var current = accumulate(tags: t, z: z, labels: labels, rows: rows, w: w, b: b, lambda: lambda, threads: threads, derivatives: true)
        for _ in 0..<maxIterations {
            guard let (dw, db) = step(current, m: m, t: t) else { break }
            // Halving stops at a scale of 1e-6 only once the step itself is below the tolerance: from a poor start
            // (intercepts far off, many pairs saturated) a Newton step can be 10⁵ long, and stopping at 1e-6 of it
            // left the fit where it began (the shared calibration of a mean of networks with scores below 0).
            let longest = (dw + db).reduce(0) { max($0, abs($1)) }
            var scale = 1.0, accepted = false
            while scale > 1e-6 || scale * longest > tolerance {
                let w2 = zip(w, dw).map { $0 - scale * $1 }, b2 = zip(b, db).map { $0 - scale * $1 }
                let next = accumulate(tags: t, z: z, labels: labels, rows: rows, w: w2, b: b2, lambda: lambda, threads: threads, derivatives: true)
                if next.loss <= current.loss {
                    w = w2; b = b2; current = next; accepted = true
                    break
                }
                scale /= 2
            }
            let size = longest * scale
            if !accepted || size < tolerance { break }
        }
        return SharedLogistic(weights: w, intercepts: b)
    }

    /// Loss and derivatives at (w, b).
    struct Sums {
        var loss = 0.0
        var gw: [Double], gb: [Double]
        /// A: J × J row-major (λ on the diagonal included); B: [tag][source]; D: per tag.
        var a: [Double], bk: [[Double]], d: [Double]
    }

    static func accumulate(tags t: Int, z: (Int) -> [[Double]], labels: [[UInt8]], rows: [Int32], w: [Double], b: [Double],
                           lambda: Double, threads: Int, derivatives: Bool) -> Sums {
        let m = w.count
        struct Tag { var loss = 0.0; var gw: [Double]; var gb = 0.0; var a: [Double]; var bk: [Double]; var d = 0.0 }
        let perTag = parallelMap(t, threads: threads) { k -> Tag in
            var s = Tag(gw: .init(repeating: 0, count: m), a: .init(repeating: 0, count: m * m), bk: .init(repeating: 0, count: m))
            let zk = z(k), yk = labels[k]
            var x = [Double](repeating: 0, count: m)
            for r in rows {
                let i = Int(r)
                var eta = b[k]
                for j in 0..<m { x[j] = zk[j][i]; eta += w[j] * x[j] }
                let y = Double(yk[i])
                // log(1 + e^η) − y·η, stably, and σ(η), from one exponential (the values of `log1p(exp(∓η))`
                // and `sigmoid(η)`, bit for bit).
                let e = Foundation.exp(-abs(eta))
                s.loss += (eta > 0 ? eta + Foundation.log1p(e) : Foundation.log1p(e)) - y * eta
                guard derivatives else { continue }
                let p = eta >= 0 ? 1 / (1 + e) : e / (1 + e), r0 = p - y, h = p * (1 - p)
                s.gb += r0; s.d += h
                for j in 0..<m {
                    s.gw[j] += r0 * x[j]; s.bk[j] += h * x[j]
                    for l in 0...j { s.a[j * m + l] += h * x[j] * x[l] }
                }
            }
            return s
        }
        var out = Sums(gw: .init(repeating: 0, count: m), gb: .init(repeating: 0, count: t),
                       a: .init(repeating: 0, count: m * m), bk: [], d: .init(repeating: 0, count: t))
        for k in 0..<t {
            let s = perTag[k]
            out.loss += s.loss
            out.gb[k] = s.gb; out.d[k] = s.d + 1e-9
            for j in 0..<m { out.gw[j] += s.gw[j] }
            for q in 0..<(m * m) { out.a[q] += s.a[q] }
            out.bk.append(s.bk)
        }
        out.loss += lambda / 2 * w.reduce(0) { $0 + $1 * $1 }
        for j in 0..<m {
            out.gw[j] += lambda * w[j]
            out.a[j * m + j] += lambda + 1e-9
            for l in 0..<j { out.a[l * m + j] = out.a[j * m + l] }
        }
        return out
    }

    /// The Newton step (Δw, Δb) by the Schur complement of the diagonal intercept block; nil when singular.
    static func step(_ s: Sums, m: Int, t: Int) -> ([Double], [Double])? {
        var schur = s.a, rhs = s.gw
        for k in 0..<t {
            let bk = s.bk[k], dk = s.d[k]
            for j in 0..<m {
                rhs[j] -= bk[j] * s.gb[k] / dk
                for l in 0..<m { schur[j * m + l] -= bk[j] * bk[l] / dk }
            }
        }
        let dw: [Double]
        if m == 0 { dw = [] } else {
            guard let x = Logistic.choleskySolve(schur, rhs, m) else { return nil }
            dw = x
        }
        let db = (0..<t).map { k in (s.gb[k] - zip(s.bk[k], dw).reduce(0) { $0 + $1.0 * $1.1 }) / s.d[k] }
        return (dw, db)
    }
}
