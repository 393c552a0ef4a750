// The one-label stage (format version 4): for data with exactly one label a track (the FMA / WWW 2018 genre
// challenge: one genre a track, judged by multiclass log loss), every tag's score becomes one distribution
// over the labels — probabilities in [0, 1] that sum to one — and the decision is its argmax. It runs after
// every tag's score (path, base) and replaces the per-tag thresholds, decision rule and calibration, which a
// one-label model does not use (docs/MODEL_FORMAT.md, One label a track).
//
// Notes for the hot loop (`OneLabelScorer.apply`): reads the input row and the tags' scores; writes the
// scores' buffer in place (the linear predictors first, then the softmax), so it allocates nothing.

import Foundation

/// How a one-label model turns the tags' scores into one distribution a track.
public enum OneLabelStage: Sendable, Equatable {
    /// `p_t = r_t / Σ_u r_u` with `r_t` the score clamped to [0, 1] (uniform when every `r` is 0).
    case renormalised
    /// `p = softmax(z)`, `z_t = bias_t + Σ_j weights[j] · clippedLogit(v_j)` over the tag's sources `v_0 =` its
    /// score, then `NET:t` for each of `networks` (a missing or NaN source adds nothing). Temperature scaling
    /// is one weight (`1 / T`), vector scaling one weight and biases, network weights one weight per source.
    case softmax(Softmax)
    /// `p = softmax(z)`, `z_t = intercepts[t] + Σ_c (coefficients[t][c] · (clippedLogit(x_c) − means[c])) / scales[c]`
    /// over the input columns `columns` (a NaN input adds nothing): multinomial logistic regression.
    case multinomial(Multinomial)

    public struct Softmax: Sendable, Equatable {
        public var networks: [String]
        /// One per source: the tag's score, then each network.
        public var weights: [Double]
        /// One per tag (nil: none).
        public var biases: [Double]?
        public init(networks: [String], weights: [Double], biases: [Double]? = nil) {
            self.networks = networks; self.weights = weights; self.biases = biases
        }
    }

    public struct Multinomial: Sendable, Equatable {
        public var columns: [String]
        public var means: [Double]
        public var scales: [Double]
        /// Per tag, one coefficient per column.
        public var coefficients: [[Double]]
        public var intercepts: [Double]
        public init(columns: [String], means: [Double], scales: [Double], coefficients: [[Double]], intercepts: [Double]) {
            self.columns = columns; self.means = means; self.scales = scales
            self.coefficients = coefficients; self.intercepts = intercepts
        }
    }

    /// The input columns the stage reads beyond the tags' scores (`NET:tag`, or the multinomial's columns).
    public func inputsRead(tags: [String]) -> [String] {
        switch self {
        case .renormalised: return []
        case .softmax(let s): return s.networks.flatMap { n in tags.map { n + ":" + $0 } }
        case .multinomial(let m): return m.columns
        }
    }

    func validate(tags: Int, inputColumns: Set<String>) throws {
        func finite(_ v: [Double], _ what: String) throws {
            if let j = v.firstIndex(where: { !$0.isFinite }) { throw ModelError.invalid("one_label.\(what)[\(j)] is not a finite number") }
        }
        switch self {
        case .renormalised: return
        case .softmax(let s):
            guard s.weights.count == s.networks.count + 1 else {
                throw ModelError.invalid("one_label.weights has \(s.weights.count) values for \(s.networks.count + 1) sources (the score and one_label.networks)")
            }
            try finite(s.weights, "weights")
            if let b = s.biases {
                guard b.count == tags else { throw ModelError.invalid("one_label.biases has \(b.count) values for \(tags) tags") }
                try finite(b, "biases")
            }
        case .multinomial(let m):
            let c = m.columns.count
            guard m.means.count == c, m.scales.count == c else {
                throw ModelError.invalid("one_label: \(c) columns, \(m.means.count) means, \(m.scales.count) scales")
            }
            guard m.intercepts.count == tags, m.coefficients.count == tags, m.coefficients.allSatisfy({ $0.count == c }) else {
                throw ModelError.invalid("one_label: coefficients and intercepts need one entry per tag, each coefficient list one value per column")
            }
            if let missing = m.columns.first(where: { !inputColumns.contains($0) }) {
                throw ModelError.invalid("one_label reads column '\(missing)', which is not among input_columns")
            }
            if let j = m.scales.firstIndex(where: { !($0 > 0 && $0.isFinite) }) { throw ModelError.invalid("one_label.scales[\(j)] must be finite and > 0") }
            try finite(m.means, "means"); try finite(m.intercepts, "intercepts"); try finite(m.coefficients.flatMap { $0 }, "coefficients")
        }
    }
}

// MARK: - JSON: `{"kind": "renormalised" | "softmax" | "multinomial", ...the kind's fields}`

extension OneLabelStage: Codable {
    enum Kind: String, Codable { case renormalised, softmax, multinomial }
    enum CodingKeys: String, CodingKey { case kind, networks, weights, biases, columns, means, scales, coefficients, intercepts }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .kind) {
        case .renormalised: self = .renormalised
        case .softmax:
            self = .softmax(Softmax(networks: try c.decode([String].self, forKey: .networks), weights: try c.decode([Double].self, forKey: .weights),
                                    biases: try c.decodeIfPresent([Double].self, forKey: .biases)))
        case .multinomial:
            self = .multinomial(Multinomial(columns: try c.decode([String].self, forKey: .columns), means: try c.decode([Double].self, forKey: .means),
                                            scales: try c.decode([Double].self, forKey: .scales),
                                            coefficients: try c.decode([[Double]].self, forKey: .coefficients),
                                            intercepts: try c.decode([Double].self, forKey: .intercepts)))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .renormalised:
            try c.encode(Kind.renormalised, forKey: .kind)
        case .softmax(let s):
            try c.encode(Kind.softmax, forKey: .kind)
            try c.encode(s.networks, forKey: .networks); try c.encode(s.weights, forKey: .weights)
            try c.encodeIfPresent(s.biases, forKey: .biases)
        case .multinomial(let m):
            try c.encode(Kind.multinomial, forKey: .kind)
            try c.encode(m.columns, forKey: .columns); try c.encode(m.means, forKey: .means); try c.encode(m.scales, forKey: .scales)
            try c.encode(m.coefficients, forKey: .coefficients); try c.encode(m.intercepts, forKey: .intercepts)
        }
    }
}

// MARK: - Scoring

/// The softmax of `z` in place: `exp(z_t − max z) / Σ exp(z_u − max z)`, sums in tag order. Every value is in
/// [0, 1] and they sum to one within a few ulps per tag.
@inlinable public func softmaxInPlace(_ z: UnsafeMutableBufferPointer<Double>) {
    guard !z.isEmpty else { return }
    var m = -Double.infinity
    for v in z where v > m { m = v }
    var sum = 0.0
    for k in z.indices { z[k] = Foundation.exp(z[k] - m); sum += z[k] }
    for k in z.indices { z[k] /= sum }
}

/// The stage resolved against a model's input columns, once.
struct OneLabelScorer: Sendable {
    let stage: OneLabelStage
    /// softmax: per tag, the input index of each network's `NET:tag` (-1: absent). multinomial: one list, the columns.
    let inputs: [[Int]]

    init(stage: OneLabelStage, tags: [String], index: [String: Int]) {
        self.stage = stage
        switch stage {
        case .renormalised: inputs = []
        case .softmax(let s): inputs = tags.map { t in s.networks.map { index[$0 + ":" + t] ?? -1 } }
        case .multinomial(let m): inputs = [m.columns.map { index[$0]! }]
        }
    }

    /// Replaces the tags' scores `q` (one per tag) by the stage's probabilities; `x` is the input row.
    func apply(_ x: UnsafeBufferPointer<Double>, _ q: UnsafeMutableBufferPointer<Double>) {
        switch stage {
        case .renormalised:
            var sum = 0.0
            for k in q.indices { q[k] = rawProbability(q[k]); sum += q[k] }
            for k in q.indices { q[k] = sum > 0 ? q[k] / sum : 1 / Double(q.count) }
        case .softmax(let s):
            for k in q.indices {
                var z = s.biases?[k] ?? 0
                if !q[k].isNaN { z += s.weights[0] * clippedLogit(q[k]) }
                for (j, col) in inputs[k].enumerated() where col >= 0 && !x[col].isNaN { z += s.weights[j + 1] * clippedLogit(x[col]) }
                q[k] = z
            }
            softmaxInPlace(q)
        case .multinomial(let m):
            let cols = inputs[0]
            for k in q.indices { q[k] = m.intercepts[k] }
            for (c, col) in cols.enumerated() where !x[col].isNaN {
                let u = clippedLogit(x[col]) - m.means[c], scale = m.scales[c]
                for k in q.indices { q[k] += (m.coefficients[k][c] * u) / scale }
            }
            softmaxInPlace(q)
        }
    }
}
