// A logistic model over standardised features: the inference half of the `logistic` learner.

import Foundation

/// `p = σ(b + Σ_j w_j · (x_j − μ_j) / σ_j)`, where a NaN `x_j` is replaced by `μ_j` (its term is 0).
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
        for j in 0..<weights.count where !x[j].isNaN {
            z += weights[j] * (x[j] - means[j]) / scales[j]
        }
        return z
    }
}

/// `log(p / (1 − p))` with `p` clipped to `[1e-7, 1 − 1e-7]`: the initial score boosted models start from.
@inlinable public func clippedLogit(_ p: Double) -> Double {
    let q = min(max(p, 1e-7), 1 - 1e-7)
    return Foundation.log(q / (1 - q))
}
