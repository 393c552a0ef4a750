// A logistic model over (row, tag) pairs with weights shared by every tag and one intercept per tag:
//   p_ik = σ(b_k + Σ_j w_j · z_ijk),   minimising  Σ_k Σ_i logloss(y_ik, p_ik) + (λ/2)·‖w‖²
// (intercepts unpenalised). The base-score blend (z = each network's clipped logit of the tag) and the
// shared-slope calibration (z = the tag's score logit, one source) are this model.
//
// Newton's method with step halving on the objective. The Hessian is [[A, B], [Bᵀ, D]] with A the J × J
// block of the shared weights, B the J × K cross terms and D diagonal (one intercept per tag), so a step
// solves the J × J Schur complement (A − B D⁻¹ Bᵀ) and then each intercept on its own: O(J²·K) per step.
// It stops when a step is below the tolerance or its predicted decrease (half the Newton decrement) is within the
// loss's rounding (√terms · ε · |loss|), taking that step without evaluating it (the quadratic model is exact
// there, so the gradient falls to ~1e-10; SharedLogisticTests): evaluated, such a step could not lower the summed loss, and halving it down to
// 1e-6 cost 20 more passes over the data (every fit of the calibration ran its 50 iterations; README, Large
// catalogues).
//
// A tag without both labels among the rows is left out of the fit: its intercept's optimum is infinite, so its
// rows add nothing to the shared weights there, and Newton's steps towards it never stop (one unit of log-odds a
// step). Its intercept is its prior log-odds clipped to [1e-4, 1 − 1e-4] (the start of every tag) less the mean
// shared term: a finite, near-0 or near-1 probability.
//
// `fit(parts:)` fits one model on each of several row sets (each fold's training rows and every row) in lock
// step, reading z a chunk of rows at a time (`Reader`): each pass reads every row once for all of them, so a
// caller computing scores when read (RecomputedScores.swift) computes them once a pass, not once a pass and a row
// set. The pass itself is SharedLogisticSweep.swift; `tagSums` and `accumulate` are its plain twin (a tag's
// columns at a time). Per tag sums are kept in Double and added tag by tag in tag order, so the result does not
// depend on the thread count.

import Foundation
import TagStackModel

struct SharedLogistic {
    var weights: [Double]
    var intercepts: [Double]

    /// Where a fit reads z: `read(body)` calls `body(rows, z)` for consecutive chunks of rows covering every row in
    /// order, `z[(i − rows.lowerBound) × tags × sources + tag × sources + source]` (NaN already replaced by 0).
    typealias Reader = (_ body: (_ rows: Range<Int>, _ z: UnsafeBufferPointer<Double>) -> Void) -> Void

    /// Fits on `rows` (increasing). `z[k][j][i]`: tag k, source j, row i; `labels[k][i]` 0/1.
    static func fit(z: [[[Double]]], labels: [[UInt8]], rows: [Int32], lambda: Double, threads: Int,
                    maxIterations: Int = 50, tolerance: Double = 1e-9) -> SharedLogistic {
        fit(parts: [rows], tags: z.count, sources: z.first?.count ?? 0, read: reader(z), labels: labels, lambda: lambda, threads: threads,
            maxIterations: maxIterations, tolerance: tolerance)[0]
    }

    /// A `Reader` of held columns `z[tag][source][row]`, 1,024 rows a chunk.
    static func reader(_ z: [[[Double]]]) -> Reader {
        { body in
            let t = z.count, m = z.first?.count ?? 0, n = z.first?.first?.count ?? 0, chunk = 1024
            var buffer = [Double](repeating: 0, count: chunk * t * m)
            for start in stride(from: 0, to: n, by: chunk) {
                let end = min(n, start + chunk)
                for k in 0..<t {
                    for j in 0..<m { for i in start..<end { buffer[(i - start) * t * m + k * m + j] = z[k][j][i] } }
                }
                buffer.withUnsafeBufferPointer { body(start..<end, $0) }
            }
        }
    }

    /// One fit on each row set of `parts` (each increasing), in lock step: one read of the rows a pass for all of
    /// them (`read`, `tags` × `sources` values a row); `labels[k][i]` 0/1. The same result for a part as a fit on
    /// it alone.
    static func fit(parts: [[Int32]], tags t: Int, sources m: Int, read: Reader, labels: [[UInt8]], lambda: Double,
                    threads: Int, maxIterations: Int = 50, tolerance: Double = 1e-9) -> [SharedLogistic] {
        for rows in parts { precondition(zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 }, "SharedLogistic: rows must increase") }
        var fits = parts.map { Fit(rows: $0, tags: t, sources: m, labels: labels) }
        func sweep(_ kind: Sweep, _ active: [Bool]) -> [[TagSums]] {
            SharedLogistic.sweep(kind, parts: parts, active: active, informative: fits.map(\.informative), weights: fits.map { $0.candidate?.w ?? $0.w },
                                 intercepts: fits.map { $0.candidate?.b ?? $0.b }, tags: t, sources: m, labels: labels, read: read, threads: threads)
        }
        // Each tag's start (equal weights, the prior log-odds less the mean shared term), then the sums there.
        let starts = sweep(.start, fits.map { _ in true })
        for p in fits.indices { fits[p].begin(starts[p]) }
        let first = sweep(.sums, fits.map { _ in true })
        for p in fits.indices {
            fits[p].current = combine(first[p], w: fits[p].w, lambda: lambda)
            fits[p].propose(maxIterations: maxIterations, tolerance: tolerance)
        }
        while fits.contains(where: { $0.candidate != nil }) {
            let sums = sweep(.sums, fits.map { $0.candidate != nil })
            for p in fits.indices where fits[p].candidate != nil {
                fits[p].judge(combine(sums[p], w: fits[p].candidate!.w, lambda: lambda), maxIterations: maxIterations, tolerance: tolerance)
            }
        }
        return fits.map(\.result)
    }

    /// One row set's fit: its parameters, the sums at them, and the step being tried.
    struct Fit {
        let rows: [Int32]
        /// Per tag: both labels among the rows (else left out of the fit).
        let informative: [Bool]
        let priors: [Double]
        var w: [Double], b: [Double] = []
        /// Per tag, the mean of each source on the rows (a left-out tag's intercept is set from them at the end).
        var means: [[Double]] = []
        var current = Sums(gw: [], gb: [], a: [], bk: [], d: [])
        var candidate: (w: [Double], b: [Double])? = nil
        var step: (dw: [Double], db: [Double], longest: Double) = ([], [], 0)
        var scale = 1.0, iterations = 0

        init(rows: [Int32], tags t: Int, sources m: Int, labels: [[UInt8]]) {
            self.rows = rows
            w = [Double](repeating: m > 0 ? 1 / Double(m) : 0, count: m)
            var informative = [Bool](repeating: false, count: t), priors = [Double](repeating: 0, count: t)
            for k in 0..<t {
                var pos = 0.0
                for r in rows where labels[k][Int(r)] != 0 { pos += 1 }
                informative[k] = pos > 0 && Int(pos) < rows.count
                let prior = min(max(pos / Double(max(rows.count, 1)), 1e-4), 1 - 1e-4)
                priors[k] = Foundation.log(prior / (1 - prior))
            }
            self.informative = informative; self.priors = priors
        }

        /// The start from each tag's sums at the first weights (`Sweep.start`): the prior log-odds less the mean
        /// shared term; each source's mean kept.
        mutating func begin(_ starts: [TagSums]) {
            let n = Double(max(rows.count, 1))
            b = starts.indices.map { priors[$0] - starts[$0].shared / n }
            means = starts.map { $0.sources.map { $0 / n } }
        }

        /// The next Newton step's candidate, or none when the fit has converged.
        mutating func propose(maxIterations: Int, tolerance: Double) {
            candidate = nil
            guard iterations < maxIterations, let (dw, db) = SharedLogistic.step(current, m: w.count, t: b.count) else { return }
            iterations += 1
            let longest = (dw + db).reduce(0) { max($0, abs($1)) }
            // The Newton decrement gᵀH⁻¹g: twice the decrease the step predicts.
            let decrement = zip(current.gw, dw).reduce(0) { $0 + $1.0 * $1.1 } + zip(current.gb, db).reduce(0) { $0 + $1.0 * $1.1 }
            if longest <= tolerance || decrement / 2 <= roundingOfLoss {
                // Within the loss's rounding the quadratic model is exact: the last step is taken, not evaluated.
                w = zip(w, dw).map { $0 - $1 }; b = zip(b, db).map { $0 - $1 }
                return
            }
            step = (dw, db, longest); scale = 1
            candidate = (zip(w, dw).map { $0 - $1 }, zip(b, db).map { $0 - $1 })
        }

        /// Takes the candidate if its loss is not higher, else halves the step (until a scale of 1e-6 and a step
        /// below the tolerance: from a poor start, with intercepts far off and many pairs saturated, a Newton step
        /// can be 10⁵ long, and stopping at 1e-6 of it left the fit where it began).
        mutating func judge(_ next: Sums, maxIterations: Int, tolerance: Double) {
            if next.loss <= current.loss {
                (w, b) = candidate!; current = next
                if step.longest * scale < tolerance { candidate = nil } else { propose(maxIterations: maxIterations, tolerance: tolerance) }
                return
            }
            scale /= 2
            guard scale > 1e-6 || scale * step.longest > tolerance else { candidate = nil; return }
            candidate = (zip(w, step.dw).map { $0 - scale * $1 }, zip(b, step.db).map { $0 - scale * $1 })
        }

        /// The rounding a sum of the loss's terms carries (√terms · ε · |loss|, the typical error of a sum of that
        /// many terms): a step predicting a smaller decrease cannot be told from no step by the loss.
        var roundingOfLoss: Double {
            let terms = Double(rows.count * max(informative.filter { $0 }.count, 1))
            return terms.squareRoot() * Double.ulpOfOne * abs(current.loss)
        }

        var result: SharedLogistic {
            let intercepts = b.indices.map { k in
                informative[k] ? b[k] : priors[k] - zip(w, means[k]).reduce(0) { $0 + $1.0 * $1.1 }
            }
            return SharedLogistic(weights: w, intercepts: intercepts)
        }
    }

    /// Loss and derivatives at (w, b).
    struct Sums {
        var loss = 0.0
        var gw: [Double], gb: [Double]
        /// A: J × J row-major (λ on the diagonal included); B: [tag][source]; D: per tag.
        var a: [Double], bk: [[Double]], d: [Double]
    }

    /// One tag's share of `Sums`.
    struct TagSums {
        var loss = 0.0, gb = 0.0, d = 0.0
        var gw: [Double], a: [Double], bk: [Double]
        /// A start's sums (`Sweep.start`): of the shared term, and of each source.
        var shared = 0.0, sources: [Double]
        init(sources m: Int) { gw = .init(repeating: 0, count: m); a = .init(repeating: 0, count: m * m); bk = gw; sources = gw }

        /// One row's terms at the linear predictor `eta`, label `y` and sources `x`.
        @inline(__always) mutating func add(eta: Double, y: Double, x: [Double]) {
            let m = x.count
            // log(1 + e^η) − y·η, stably, and σ(η), from one exponential (the values of `log1p(exp(∓η))`
            // and `sigmoid(η)`, bit for bit).
            let e = Foundation.exp(-abs(eta))
            loss += (eta > 0 ? eta + Foundation.log1p(e) : Foundation.log1p(e)) - y * eta
            let p = eta >= 0 ? 1 / (1 + e) : e / (1 + e), r0 = p - y, h = p * (1 - p)
            gb += r0; d += h
            for j in 0..<m {
                gw[j] += r0 * x[j]; bk[j] += h * x[j]
                for l in 0...j { a[j * m + l] += h * x[j] * x[l] }
            }
        }
    }

    /// Loss and derivatives at (w, b) over every tag (the tags without both labels among `rows` included).
    static func accumulate(tags t: Int, z: (Int) -> [[Double]], labels: [[UInt8]], rows: [Int32], w: [Double], b: [Double],
                           lambda: Double, threads: Int) -> Sums {
        let perTag = parallelMap(t, threads: threads) { k in tagSums(zk: z(k), y: labels[k], rows: rows, w: w, b: b[k]) }
        return combine(perTag, w: w, lambda: lambda)
    }

    /// One tag's sums on `rows` (the plain twin of `sweep`, a column at a time).
    static func tagSums(zk: [[Double]], y yk: [UInt8], rows: [Int32], w: [Double], b bk0: Double) -> TagSums {
        let m = w.count
        var s = TagSums(sources: m)
        var x = [Double](repeating: 0, count: m)
        for r in rows {
            let i = Int(r)
            var eta = bk0
            for j in 0..<m { x[j] = zk[j][i]; eta += w[j] * x[j] }
            s.add(eta: eta, y: Double(yk[i]), x: x)
        }
        return s
    }

    /// The tags' sums added in tag order (the same at any thread count), with the penalty.
    static func combine(_ perTag: [TagSums], w: [Double], lambda: Double) -> Sums {
        let m = w.count, t = perTag.count
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
