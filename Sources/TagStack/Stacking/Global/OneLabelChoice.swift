// The one-label level (`--labels-per-track one`), decided once for the whole label set: how every track's
// scores become one distribution over the labels (the FMA / WWW 2018 genre challenge: one genre a track,
// judged by multiclass log loss). Candidates, simplest first:
//   1. renormalised: each base score (primary network, mean, logit-mean of the networks: the base level's
//      parameter-free kinds) clamped to [0, 1] and divided by the track's sum;
//   2. temperature scaling of each base (Guo et al. 2017): softmax(w · logit(base)), one weight w = 1/T;
//   3. vector scaling of each base: softmax(w · logit(base) + b_label);
//   4. network weights: softmax(Σ_j w_j · logit(network j's score)), one weight per network shared by every
//      label (the blend's one-label counterpart; logit-mean temperature scaling is one point of it);
//   5. multinomial logistic regression on every network's logits (the tag columns and the `NET:tag` columns,
//      standardised), L2 chosen by inner cross-validation within each outer fold's training rows.
// Each is judged by cross-fitted multiclass log loss over the stacker's (grouped) folds: fitted on the other
// folds, scored on the fold. A later candidate replaces the incumbent only when it is lower by more than
// `margin` and more than the standard error of the paired difference, rows clustered by the folds' groups
// (the differences here are often within noise: on MTG-Jamendo one-label, 173 artist groups, the five
// temperature-scaled and renormalised bases lie within 0.015 of each other out of fold).
// Decisions are the argmax of the chosen distribution (TagStackModel/OneLabel.swift scores it).
//
// Notes for the hot loops (`softmaxObjective`, `multinomialObjective`): they read the logits and the classes
// (read-only, shared between fits) and write only the fit's own gradient; sums in row order, single-threaded
// within a fit (fits run in parallel, each deterministic), so results do not depend on the thread count.

import Foundation
import TagStackModel

enum OneLabelChoice {
    struct Outcome {
        var stage: OneLabelStage
        /// The base the stage reads as each tag's score (nil: the primary network).
        var base: BaseScore?
        var level: Level
        /// The chosen candidate's distribution of every training row, rows × labels, cross-fitted (each fold's
        /// rows from the fit on the other folds; in-sample without folds): the training page's view.
        var probabilities: [Double]
    }

    /// How much lower (mean multiclass log loss, nats a track) a more complex candidate must be than the
    /// incumbent to replace it.
    static let margin = 0.005
    /// The multinomial model's L2 penalties (on the summed log loss, standardised logits), strongest first:
    /// each fit starts from the previous penalty's solution.
    /// (1, the weakest, is left out to keep training short: its fits take the most iterations; scikit-learn's
    /// 3-fold CV over C = 1e-4 ... 1 chose C = 0.01, λ = 100, on MTG-Jamendo one-label.)
    static let lambdas: [Double] = [1000, 100, 10]
    /// L2 on the per-label biases of vector scaling and the multinomial's intercepts (a label absent from a
    /// fold's training rows keeps a finite bias, so its probability on the fold's rows is not ≈ 0).
    static let biasLambda = 1.0

    enum Candidate {
        case renormalised(BaseScore.Kind), temperature(BaseScore.Kind), vector(BaseScore.Kind), networkWeights, multinomial
        var name: String {
            switch self {
            case .renormalised(let b): return "\(b.rawValue) renormalised"
            case .temperature(let b): return "\(b.rawValue) temperature"
            case .vector(let b): return "\(b.rawValue) vector"
            case .networkWeights: return "network weights"
            case .multinomial: return "multinomial"
            }
        }
    }

    /// What the candidates read, computed once: every row's class and the logits of each source.
    struct Inputs {
        let n: Int, labels: Int
        let classes: [Int32]
        let networks: [String]
        /// Per base kind, its scores row-major rows × labels.
        var baseScores: [BaseScore.Kind: [Double]] = [:]
        /// Per source (the primary, then each network), its clipped logits rows × labels (0 where absent).
        var sourceLogits: [[Double]] = []
        /// Multinomial: the standardised logits of every network column, rows × columns, and the columns.
        var design: [Double] = []
        var columns: [String] = [], means: [Double] = [], scales: [Double] = []
    }

    /// Chooses the stage. Throws for a `--base` the level does not offer (blend).
    static func choose(_ c: FoldContext) throws -> Outcome {
        let inputs = try prepare(c)
        let kinds = Array(inputs.baseScores.keys).sorted { order($0) < order($1) }
        var candidates: [Candidate] = kinds.map { .renormalised($0) } + kinds.map { .temperature($0) } + kinds.map { .vector($0) }
        if !inputs.networks.isEmpty { candidates.append(.networkWeights) }
        candidates.append(.multinomial)
        let parts = c.splits ?? [(c.allRows, c.allRows)]
        let threads = c.options.threads
        let cheap = candidates.count - 1
        var probabilities = [[Double]](repeating: [], count: candidates.count)
        probabilities.withUnsafeMutableBufferPointer { p in
            let p = p
            parallelFor(cheap, threads: threads) { i in p[i] = outOfFold(candidates[i], inputs, parts: parts) }
        }
        let multinomial = multinomialPath(inputs, parts: c.splits ?? [], threads: threads)
        probabilities[cheap] = multinomial.oof
        let rowLosses = probabilities.map { rowLogLosses($0, inputs) }
        let losses = rowLosses.map { $0.reduce(0, +) / Double(max(inputs.n, 1)) }
        // Simplest first: a later candidate replaces the incumbent when lower by more than the margin and more
        // than the standard error of the paired difference (clustered by the folds' groups).
        // Without folds every loss is in-sample: no basis for choosing, the simplest is kept.
        var best = 0
        for i in candidates.indices.dropFirst() where c.fold != nil {
            let (difference, error) = pairedDifference(rowLosses[best], rowLosses[i], units: c.units)
            if difference > margin && difference > error { best = i }
        }
        let stage = final(candidates[best], inputs, c, multinomialLambda: multinomial.lambda)
        let level = Level(kind: .oneLabel, metric: "multiclass log loss",
                          candidates: zip(candidates, losses).map { (name(of: $0, lambda: multinomial.lambda), $1) },
                          chosen: name(of: candidates[best], lambda: multinomial.lambda),
                          margin: candidates.count > 1 ? margin : nil, inSample: c.fold == nil, lowerIsBetter: true,
                          note: c.fold == nil ? Level.keptSimplest : nil)
        return Outcome(stage: stage.stage, base: stage.base, level: level, probabilities: probabilities[best])
    }

    /// Each row's log loss, −log p[row, class] with p clipped as `Metrics.multiclassLogLoss` clips it.
    static func rowLogLosses(_ p: [Double], _ x: Inputs) -> [Double] {
        (0..<x.n).map { i in -Foundation.log(min(max(p[i * x.labels + Int(x.classes[i])], Double.ulpOfOne), 1 - Double.ulpOfOne)) }
    }

    /// How much lower the mean of `b` is than that of `a` (rows paired), and the standard error of that
    /// difference with rows clustered by `units` (the groups cross-validation keeps whole; nil: each row its
    /// own): `sqrt(G / (G − 1) · Σ_g (d_g − n_g · D)²) / n`, `d_g` a unit's summed difference, `D` the mean.
    static func pairedDifference(_ a: [Double], _ b: [Double], units: [Int]?) -> (difference: Double, error: Double) {
        let n = a.count
        guard n > 1 else { return (0, 0) }
        let unit = units ?? Array(0..<n)
        let g = (unit.max() ?? 0) + 1
        var sum = [Double](repeating: 0, count: g), count = [Double](repeating: 0, count: g)
        for i in 0..<n { sum[unit[i]] += a[i] - b[i]; count[unit[i]] += 1 }
        let mean = sum.reduce(0, +) / Double(n)
        guard g > 1 else { return (mean, 0) }
        var v = 0.0
        for u in 0..<g { v += (sum[u] - count[u] * mean) * (sum[u] - count[u] * mean) }
        return (mean, (v * Double(g) / Double(g - 1)).squareRoot() / Double(n))
    }

    /// A candidate's name in the level: the multinomial's with the penalty chosen for the final model.
    static func name(of c: Candidate, lambda: Double) -> String {
        if case .multinomial = c { return "multinomial (L2 \(Int(lambda)))" }
        return c.name
    }

    static func order(_ k: BaseScore.Kind) -> Int { BaseScore.Kind.allCases.firstIndex(of: k)! }

    // MARK: - Inputs

    static func prepare(_ c: FoldContext) throws -> Inputs {
        let n = c.rowCount, t = c.tagCount
        var classes = [Int32](repeating: -1, count: n)
        for k in 0..<t { for i in 0..<n where c.labels[k][i] != 0 { classes[i] = Int32(k) } }
        precondition(!classes.contains(-1), "OneLabelChoice: a row without a label (checked by the caller)")
        let networks = FeatureMatrix.detectNetworks(columns: c.data.x.columns, labels: c.data.labels)
        let wanted: [BaseScore.Kind]
        switch c.options.base {
        case .auto: wanted = networks.isEmpty ? [.primary] : [.primary, .mean, .logitMean]
        case .primary: wanted = [.primary]
        case .mean: wanted = [.mean]
        case .logitMean: wanted = [.logitMean]
        case .blend:
            throw OptionError("--base", "blend is not offered with one label a track: its counterpart is the level's 'network weights' candidate")
        }
        var inputs = Inputs(n: n, labels: t, classes: classes, networks: networks)
        let sources = BaseChoice.sourceColumns(c, networks: networks)
        func rowMajor(_ columns: [[Double]]) -> [Double] {
            var out = [Double](repeating: 0, count: n * t)
            for k in 0..<t { for i in 0..<n { out[i * t + k] = columns[k][i] } }
            return out
        }
        for kind in wanted {
            inputs.baseScores[kind] = kind == .primary ? c.base.rowMajor()
                : rowMajor(BaseChoice.apply(BaseScore(kind: kind, networks: networks), c, sources: sources))
        }
        inputs.sourceLogits = (0...networks.count).map { j in
            var l = [Double](repeating: 0, count: n * t)
            for k in 0..<t where sources[k][j] >= 0 {
                let col = sources[k][j]
                for i in 0..<n { l[i * t + k] = clippedLogit(c.data.x[i, col]) }
            }
            return l
        }
        // The multinomial's design: every source column present, primary first, each in tag order; a NaN
        // input stands for the column's mean (0 once standardised), as the scorer skips it.
        var cols: [(column: Int, source: Int, tag: Int)] = []
        for j in 0...networks.count { for k in 0..<t where sources[k][j] >= 0 { cols.append((sources[k][j], j, k)) } }
        let d = cols.count
        inputs.columns = cols.map { c.data.x.columns[$0.column] }
        inputs.design = [Double](repeating: 0, count: n * d)
        for (q, col) in cols.enumerated() {
            let present = (0..<n).filter { !c.data.x[$0, col.column].isNaN }
            let logit = { (i: Int) in inputs.sourceLogits[col.source][i * t + col.tag] }
            let mean = present.isEmpty ? 0 : present.reduce(0.0) { $0 + logit($1) } / Double(present.count)
            let variance = present.isEmpty ? 0 : present.reduce(0.0) { $0 + (logit($1) - mean) * (logit($1) - mean) } / Double(present.count)
            let scale = variance.squareRoot() < 1e-12 ? 1 : variance.squareRoot()
            inputs.means.append(mean); inputs.scales.append(scale)
            for i in present { inputs.design[i * d + q] = (logit(i) - mean) / scale }
        }
        return inputs
    }

    // MARK: - Candidates: cross-fitted probabilities and the final fit

    /// Every row's probabilities (rows × labels), each row's from the candidate fitted on the other folds.
    /// (The multinomial's come from `multinomialPath`.)
    static func outOfFold(_ candidate: Candidate, _ x: Inputs, parts: [(train: [Int32], valid: [Int32])]) -> [Double] {
        let t = x.labels
        var p = [Double](repeating: 0, count: x.n * t)
        for part in parts {
            let scored = predict(candidate, x, fit: fit(candidate, x, rows: part.train), rows: part.valid)
            for (r, i) in part.valid.enumerated() { for k in 0..<t { p[Int(i) * t + k] = scored[r * t + k] } }
        }
        return p
    }

    /// Parameters of the softmax candidates: weights (one per source read), then biases (vector scaling).
    static func fit(_ candidate: Candidate, _ x: Inputs, rows: [Int32]) -> [Double] {
        switch candidate {
        case .renormalised, .multinomial: return []
        case .temperature(let b): return minimiseSoftmax([logits(x.baseScores[b]!)], x, rows: rows, biases: false)
        case .vector(let b): return minimiseSoftmax([logits(x.baseScores[b]!)], x, rows: rows, biases: true)
        case .networkWeights: return minimiseSoftmax(x.sourceLogits, x, rows: rows, biases: false)
        }
    }

    static func logits(_ scores: [Double]) -> [Double] { scores.map(clippedLogit) }

    static func predict(_ candidate: Candidate, _ x: Inputs, fit theta: [Double], rows: [Int32]) -> [Double] {
        let t = x.labels
        var out = [Double](repeating: 0, count: rows.count * t)
        out.withUnsafeMutableBufferPointer { o in
            for (r, i) in rows.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: o[(r * t)..<((r + 1) * t)])
                let at = Int(i) * t
                switch candidate {
                case .renormalised(let b):
                    let q = x.baseScores[b]!
                    var sum = 0.0
                    for k in 0..<t { row[k] = rawProbability(q[at + k]); sum += row[k] }
                    for k in 0..<t { row[k] = sum > 0 ? row[k] / sum : 1 / Double(t) }
                case .temperature(let b), .vector(let b):
                    let q = x.baseScores[b]!
                    for k in 0..<t { row[k] = theta[0] * clippedLogit(q[at + k]) + (theta.count > 1 ? theta[1 + k] : 0) }
                    softmaxInPlace(row)
                case .networkWeights:
                    for k in 0..<t { row[k] = 0; for j in x.sourceLogits.indices { row[k] += theta[j] * x.sourceLogits[j][at + k] } }
                    softmaxInPlace(row)
                case .multinomial:
                    preconditionFailure("multinomial predictions come from multinomialPath")
                }
            }
        }
        return out
    }

    /// The chosen candidate fitted on every row, as the model's stage and base.
    static func final(_ candidate: Candidate, _ x: Inputs, _ c: FoldContext, multinomialLambda lambda: Double) -> (stage: OneLabelStage, base: BaseScore?) {
        func base(_ b: BaseScore.Kind) -> BaseScore? { b == .primary ? nil : BaseScore(kind: b, networks: x.networks) }
        let theta = fit(candidate, x, rows: c.allRows)
        switch candidate {
        case .renormalised(let b): return (.renormalised, base(b))
        case .temperature(let b): return (.softmax(.init(networks: [], weights: [theta[0]])), base(b))
        case .vector(let b): return (.softmax(.init(networks: [], weights: [theta[0]], biases: Array(theta[1...]))), base(b))
        case .networkWeights: return (.softmax(.init(networks: x.networks, weights: theta)), nil)
        case .multinomial:
            var w: [Double] = []
            for l in lambdas where l >= lambda { w = minimiseMultinomial(x, rows: c.allRows, lambda: l, start: w) }
            let d = x.columns.count, t = x.labels
            return (.multinomial(.init(columns: x.columns, means: x.means, scales: x.scales,
                                       coefficients: (0..<t).map { k in Array(w[(k * d)..<((k + 1) * d)]) },
                                       intercepts: Array(w[(t * d)...]))), nil)
        }
    }

    // MARK: - Softmax over per-label sources (temperature, vector scaling, network weights)

    /// Minimises Σ_rows −log softmax(z)[class] + biasLambda/2 · Σ b², `z_k = Σ_j w_j · l_j[row, k] (+ b_k)`.
    static func minimiseSoftmax(_ l: [[Double]], _ x: Inputs, rows: [Int32], biases: Bool) -> [Double] {
        let j = l.count
        let start = [Double](repeating: 1 / Double(j), count: j) + [Double](repeating: 0, count: biases ? x.labels : 0)
        return LBFGS.minimise(start) { theta, grad in
            softmaxObjective(theta, &grad, logits: l, labels: x.labels, classes: x.classes, rows: rows, biases: biases)
        }
    }

    static func softmaxObjective(_ theta: [Double], _ grad: inout [Double], logits l: [[Double]], labels t: Int,
                                 classes: [Int32], rows: [Int32], biases: Bool) -> Double {
        let j = l.count
        for i in grad.indices { grad[i] = 0 }
        var z = [Double](repeating: 0, count: t)
        var loss = 0.0
        for i32 in rows {
            let i = Int(i32), at = i * t, y = Int(classes[i])
            var m = -Double.infinity
            for k in 0..<t {
                var v = biases ? theta[j + k] : 0
                for s in 0..<j { v += theta[s] * l[s][at + k] }
                z[k] = v; if v > m { m = v }
            }
            var sum = 0.0
            for k in 0..<t { z[k] = Foundation.exp(z[k] - m); sum += z[k] }
            loss += Foundation.log(sum) + m - (Foundation.log(z[y]) + m)
            for k in 0..<t {
                let g = z[k] / sum - (k == y ? 1 : 0)
                for s in 0..<j { grad[s] += g * l[s][at + k] }
                if biases { grad[j + k] += g }
            }
        }
        if biases { for k in 0..<t { loss += 0.5 * biasLambda * theta[j + k] * theta[j + k]; grad[j + k] += biasLambda * theta[j + k] } }
        return loss
    }

    // MARK: - Multinomial logistic regression, L2 by inner cross-validation

    /// Cross-fitted probabilities with each outer fold's penalty chosen by cross-validation over the other
    /// folds (the inner model for outer fold f and inner fold g is fitted without f and g, so one fit without
    /// each pair serves both), and the penalty chosen by cross-validation over every fold for the final
    /// model. Without folds: in-sample probabilities at the middle penalty.
    static func multinomialPath(_ x: Inputs, parts: [(train: [Int32], valid: [Int32])], threads: Int) -> (oof: [Double], lambda: Double) {
        let t = x.labels, f = parts.count
        let allRows = (0..<x.n).map(Int32.init)
        guard f >= 2 else {
            let lambda = lambdas[lambdas.count / 2]
            var w: [Double] = []
            for l in lambdas where l >= lambda { w = minimiseMultinomial(x, rows: allRows, lambda: l, start: w) }
            return (multinomialPredict(x, w, rows: allRows), lambda)
        }
        var foldOf = [Int](repeating: 0, count: x.n)
        for (g, p) in parts.enumerated() { for i in p.valid { foldOf[Int(i)] = g } }
        // Excluded fold sets: each single fold, then each pair.
        var sets: [[Int]] = (0..<f).map { [$0] }
        for a in 0..<f { for b in (a + 1)..<f { sets.append([a, b]) } }
        // Per set, per penalty: the loss summed over each excluded fold's rows ([set][lambda][fold in set]),
        // and, for single sets, the predicted probabilities of the fold's rows.
        var results = [([[Double]], [[Double]])](repeating: ([], []), count: sets.count)
        results.withUnsafeMutableBufferPointer { out in
          let out = out
          parallelFor(sets.count, threads: threads) { s in
            let excluded = sets[s]
            let train = allRows.filter { !excluded.contains(foldOf[Int($0)]) }
            var w: [Double] = []
            var losses: [[Double]] = [], predictions: [[Double]] = []
            for l in lambdas {
                w = minimiseMultinomial(x, rows: train, lambda: l, start: w)
                losses.append(excluded.map { g in
                    let p = multinomialPredict(x, w, rows: parts[g].valid)
                    return Metrics.multiclassLogLoss(probabilities: p, labels: t, classes: parts[g].valid.map { x.classes[Int($0)] }) * Double(parts[g].valid.count)
                })
                if excluded.count == 1 { predictions.append(multinomialPredict(x, w, rows: parts[excluded[0]].valid)) }
            }
            out[s] = (losses, predictions)
          }
        }
        func pairLoss(_ a: Int, _ b: Int, _ l: Int, on g: Int) -> Double {
            let s = sets.firstIndex(of: [min(a, b), max(a, b)])!
            return results[s].0[l][sets[s].firstIndex(of: g)!]
        }
        func argmin(_ v: [Double]) -> Int { v.indices.reduce(0) { v[$1] < v[$0] ? $1 : $0 } }
        var oof = [Double](repeating: 0, count: x.n * t)
        for outer in 0..<f {
            let inner = lambdas.indices.map { l in (0..<f).filter { $0 != outer }.reduce(0.0) { $0 + pairLoss(outer, $1, l, on: $1) } }
            let p = results[outer].1[argmin(inner)]
            for (r, i) in parts[outer].valid.enumerated() { for k in 0..<t { oof[Int(i) * t + k] = p[r * t + k] } }
        }
        let total = lambdas.indices.map { l in (0..<f).reduce(0.0) { $0 + results[$1].0[l][0] } }
        return (oof, lambdas[argmin(total)])
    }

    /// Coefficients (labels × columns, row-major) then intercepts, minimising the summed log loss of `rows` +
    /// λ/2 · Σ coefficients² + biasLambda/2 · Σ intercepts², from `start` (zeros when empty).
    static func minimiseMultinomial(_ x: Inputs, rows: [Int32], lambda: Double, start: [Double]) -> [Double] {
        let size = x.labels * x.columns.count + x.labels
        return LBFGS.minimise(start.isEmpty ? [Double](repeating: 0, count: size) : start, maxIterations: 100, tolerance: 1e-7) { theta, grad in
            multinomialObjective(theta, &grad, x, rows: rows, lambda: lambda)
        }
    }

    static func multinomialObjective(_ theta: [Double], _ grad: inout [Double], _ x: Inputs, rows: [Int32], lambda: Double) -> Double {
        let t = x.labels, d = x.columns.count
        var loss = 0.0
        var z = [Double](repeating: 0, count: t)
        for i in grad.indices { grad[i] = 0 }
        theta.withUnsafeBufferPointer { w in
            grad.withUnsafeMutableBufferPointer { g in
                x.design.withUnsafeBufferPointer { u in
                    for i32 in rows {
                        let i = Int(i32), y = Int(x.classes[i])
                        let ui = u.baseAddress! + i * d
                        var m = -Double.infinity
                        for k in 0..<t {
                            let wk = w.baseAddress! + k * d
                            var v = w[t * d + k]
                            for c in 0..<d { v += wk[c] * ui[c] }
                            z[k] = v; if v > m { m = v }
                        }
                        var sum = 0.0
                        for k in 0..<t { z[k] = Foundation.exp(z[k] - m); sum += z[k] }
                        loss += Foundation.log(sum) - Foundation.log(z[y])
                        for k in 0..<t {
                            let e = z[k] / sum - (k == y ? 1 : 0)
                            let gk = g.baseAddress! + k * d
                            for c in 0..<d { gk[c] += e * ui[c] }
                            g[t * d + k] += e
                        }
                    }
                    for q in 0..<(t * d) { loss += 0.5 * lambda * w[q] * w[q]; g[q] += lambda * w[q] }
                    for k in 0..<t { let b = w[t * d + k]; loss += 0.5 * biasLambda * b * b; g[t * d + k] += biasLambda * b }
                }
            }
        }
        return loss
    }

    static func multinomialPredict(_ x: Inputs, _ w: [Double], rows: [Int32]) -> [Double] {
        let t = x.labels, d = x.columns.count
        var out = [Double](repeating: 0, count: rows.count * t)
        out.withUnsafeMutableBufferPointer { o in
            for (r, i) in rows.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: o[(r * t)..<((r + 1) * t)])
                for k in 0..<t {
                    var v = w[t * d + k]
                    for c in 0..<d { v += w[k * d + c] * x.design[Int(i) * d + c] }
                    row[k] = v
                }
                softmaxInPlace(row)
            }
        }
        return out
    }
}

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search: small,
/// deterministic, for the smooth convex objectives above.
enum LBFGS {
    static func minimise(_ x0: [Double], maxIterations: Int = 300, memory: Int = 8, tolerance: Double = 1e-10,
                         _ f: ([Double], inout [Double]) -> Double) -> [Double] {
        func dot(_ a: [Double], _ b: [Double]) -> Double { var s = 0.0; for i in a.indices { s += a[i] * b[i] }; return s }
        var x = x0, g = [Double](repeating: 0, count: x0.count)
        var fx = f(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var xn = x, gn = g
        for _ in 0..<maxIterations {
            guard fx.isFinite, g.contains(where: { abs($0) > 1e-9 }) else { break }
            var q = g
            var alpha = [Double](repeating: 0, count: s.count)
            for i in s.indices.reversed() {
                alpha[i] = rho[i] * dot(s[i], q)
                for j in q.indices { q[j] -= alpha[i] * y[i][j] }
            }
            let gamma = s.isEmpty ? 1 / max(dot(g, g).squareRoot(), 1) : dot(s.last!, y.last!) / dot(y.last!, y.last!)
            for j in q.indices { q[j] *= gamma }
            for i in s.indices {
                let beta = rho[i] * dot(y[i], q)
                for j in q.indices { q[j] += s[i][j] * (alpha[i] - beta) }
            }
            var d = q.map { -$0 }
            var slope = dot(d, g)
            if !(slope < 0) { d = g.map { -$0 }; slope = -dot(g, g); s = []; y = []; rho = [] }
            var step = 1.0, fn = Double.infinity, accepted = false
            for _ in 0..<40 {
                for j in x.indices { xn[j] = x[j] + step * d[j] }
                fn = f(xn, &gn)
                if fn.isFinite && fn <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { break }
            let sv = zip(xn, x).map { $0 - $1 }, yv = zip(gn, g).map { $0 - $1 }
            let sy = dot(sv, yv)
            if sy > 1e-12 {
                s.append(sv); y.append(yv); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            let decrease = fx - fn
            x = xn; g = gn; fx = fn
            if decrease <= tolerance * max(abs(fx), 1) { break }
        }
        return x
    }
}
