// Two model-level facts decided once for the whole label set (format version 3):
// - the base score every tag starts from (`BaseScore`): the primary network's score, a mean of the
//   networks' scores, or a learned blend with one weight per network shared by every tag;
// - each tag's calibration (`Calibration`): a monotone map from the tag's final score to the probability
//   written out. Decisions compare the score *before* calibration with the threshold, so calibration never
//   changes a decision, and ranking metrics are unchanged (the map is strictly increasing).

import Foundation

/// The score every tag starts from: its raw path's probability, and the logit boosted tags start from
/// (`InitScore.baseLogit`).
///
/// A tag's sources are its own score column (`tag`, the primary network) followed by `NET:tag` for each of
/// `networks`; a source whose column is absent from the model's inputs, or whose value is NaN, is left out.
public struct BaseScore: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The primary network's score.
        case primary
        /// The mean of the sources' scores.
        case mean
        /// `σ(mean of the sources' clipped logits)`.
        case logitMean = "logit_mean"
        /// `σ(b_tag + Σ_j w_j · clippedLogit(s_j))`: one weight per source shared by every tag, one intercept
        /// per tag.
        case blend
    }
    public var kind: Kind
    /// The networks read after the primary, in source order.
    public var networks: [String]
    /// `blend`: one weight per source (the primary first, then `networks`).
    public var weights: [Double]?
    /// `blend`: one intercept per tag, in `labels.tags` order.
    public var intercepts: [Double]?

    public init(kind: Kind, networks: [String], weights: [Double]? = nil, intercepts: [Double]? = nil) {
        self.kind = kind; self.networks = networks; self.weights = weights; self.intercepts = intercepts
    }

    /// The base score of tag `tag` from its sources' values (primary first; NaN = left out). The plain
    /// definition that training, the scorer and docs/MODEL_FORMAT.md share.
    @inlinable public func score(tag: Int, sources s: UnsafeBufferPointer<Double>) -> Double {
        switch kind {
        case .primary:
            return s[0]
        case .mean:
            var sum = 0.0, n = 0
            for v in s where !v.isNaN { sum += v; n += 1 }
            if n == 0 { return .nan }
            if !sum.isFinite {   // finite values whose sum overflows: add them already divided
                sum = 0
                for v in s where !v.isNaN { sum += v / Double(n) }
                return sum
            }
            return sum / Double(n)
        case .logitMean:
            var sum = 0.0, n = 0
            for v in s where !v.isNaN { sum += clippedLogit(v); n += 1 }
            return n == 0 ? .nan : sigmoid(sum / Double(n))
        case .blend:
            var z = intercepts![tag]
            let w = weights!
            for j in 0..<s.count where !s[j].isNaN { z += w[j] * clippedLogit(s[j]) }
            return sigmoid(z)
        }
    }

    func validate(tags: Int) throws {
        switch kind {
        case .primary, .mean, .logitMean:
            if weights != nil || intercepts != nil { throw ModelError.invalid("base '\(kind.rawValue)' has no weights or intercepts (base.weights, base.intercepts)") }
        case .blend:
            guard let w = weights, let b = intercepts else { throw ModelError.missingField(weights == nil ? "base.weights" : "base.intercepts") }
            guard w.count == networks.count + 1 else {
                throw ModelError.invalid("base.weights has \(w.count) values for \(networks.count + 1) sources (the primary and base.networks)")
            }
            guard b.count == tags else { throw ModelError.invalid("base.intercepts has \(b.count) values for \(tags) tags") }
            if let bad = (w + b).firstIndex(where: { !$0.isFinite }) { throw ModelError.invalid("base: weight or intercept \(bad) is not a finite number") }
        }
    }
}

/// The logit a calibration reads: `log(q / (1 − q))` on [1e-7, 1 − 1e-7], continued below and above with
/// `logit(1e-7) − log1p((1e-7 − q) / 1e-7)` and `logit(1 − 1e-7) + log1p((q − (1 − 1e-7)) / 1e-7)`, so it is
/// strictly increasing on every score (no two distinct scores tie, as a clip would make them) and grows only
/// logarithmically outside [0, 1]. NaN gives 0.
@inlinable public func calibrationLogit(_ q: Double) -> Double {
    if q.isNaN { return 0 }
    let lo = 1e-7, hi = 1 - 1e-7
    if q < lo { return Foundation.log(lo / (1 - lo)) - Foundation.log1p((lo - q) / lo) }
    if q > hi { return Foundation.log(hi / (1 - hi)) + Foundation.log1p((q - hi) / (1 - hi)) }
    return Foundation.log(q / (1 - q))
}

/// A tag's calibration: `probability = σ(slope · calibrationLogit(score) + intercept)` (Platt scaling on the
/// logit), `slope > 0`. `threshold` is the tag's decision threshold mapped through the same function (the
/// probability at which the tag turns on); informational, decisions use `TagModel.threshold` on the score.
public struct Calibration: Codable, Sendable, Equatable {
    public var slope: Double
    public var intercept: Double
    public var threshold: Double?

    public init(slope: Double, intercept: Double, threshold: Double? = nil) {
        self.slope = slope; self.intercept = intercept; self.threshold = threshold
    }

    @inlinable public func probability(_ score: Double) -> Double {
        sigmoid(slope * calibrationLogit(score) + intercept)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slope, forKey: .slope)
        try c.encode(intercept, forKey: .intercept)
        try c.encode(threshold, forKey: .threshold)   // null when the tag is never predicted
    }

    enum CodingKeys: String, CodingKey { case slope, intercept, threshold }
}

/// A tag's written probability from its final score: calibrated when the tag has a calibration, else the
/// score clamped to [0, 1] (`rawProbability`: a missing score, NaN, gives 0).
@inlinable public func outputProbability(_ score: Double, _ calibration: Calibration?) -> Double {
    if let c = calibration { return c.probability(score) }
    return rawProbability(score)
}

extension TagModel {
    /// The tag's threshold on the scale of the probabilities written out (`predict --scores`): `threshold` (on
    /// the score before calibration, which decisions compare) mapped through the tag's calibration — the
    /// model file's `calibration.threshold` — or, uncalibrated, `threshold` itself when it is in (0, 1]. The
    /// map is strictly increasing, so `probability >= probabilityThreshold` gives the thresholds rule's
    /// decisions (barring two scores rounding to one probability in floating point).
    ///
    /// nil when the tag is never predicted (`threshold` nil), or when no threshold on the written probabilities
    /// gives its decisions: an uncalibrated tag whose threshold is at most 0 or above 1 (a mean of networks can
    /// score below 0) writes its scores clamped to [0, 1], so rows on both sides of the threshold write 0 (or 1).
    public var probabilityThreshold: Double? {
        guard let t = threshold else { return nil }
        if let c = calibration { return c.probability(t) }
        return t > 0 && t <= 1 ? t : nil
    }
}
