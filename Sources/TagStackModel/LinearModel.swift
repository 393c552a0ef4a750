// A logistic model over standardised features: the inference half of the `logistic` learner.

import Foundation

/// `p = σ(b + Σ_j w_j · (x_j − μ_j) / σ_j)`, where a missing `x_j` (NaN, or an infinity, which training treats
/// as missing too) is replaced by `μ_j` (its term is 0). `x_j − μ_j` is formed as `x_j/σ_j − μ_j/σ_j` when the
/// difference itself would overflow (inputs near ±1.8e308).
public struct LinearModel: Codable, Sendable, Equatable {
    public var intercept: Double
    public var weights: [Double]
    public var means: [Double]
    public var scales: [Double]

    public init(intercept: Double, weights: [Double], means: [Double], scales: [Double]) {
        precondition(weights.count == means.count && means.count == scales.count)
        self.intercept = intercept; self.weights = weights; self.means = means; self.scales = scales
    }

    /// The linear predictor (log-odds) for one feature vector.
    @inlinable public func rawScore(_ x: UnsafeBufferPointer<Double>) -> Double {
        var z = intercept
        for j in 0..<weights.count where x[j].isFinite {
            let d = x[j] - means[j]
            z += d.isFinite ? weights[j] * d / scales[j] : weights[j] * (x[j] / scales[j] - means[j] / scales[j])
        }
        return z
    }
}

/// `log(p / (1 − p))` with `p` clipped to `[1e-7, 1 − 1e-7]`: the initial score boosted models start from.
/// A missing `p` (NaN) gives 0, the logit of 1/2 (no evidence either way); any other value gives a finite result.
@inlinable public func clippedLogit(_ p: Double) -> Double {
    if p.isNaN { return 0 }
    let q = min(max(p, 1e-7), 1 - 1e-7)
    return Foundation.log(q / (1 - q))
}

/// A raw tag's probability: its own first-stage score clipped to [0, 1]; a missing score (NaN) gives 0, so the
/// tag is not predicted for the row (as `NaN >= threshold` was never true) and every output is a probability.
@inlinable public func rawProbability(_ s: Double) -> Double {
    s >= 0 ? min(s, 1) : 0
}
