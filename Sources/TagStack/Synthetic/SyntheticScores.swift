// First-stage scores from the drawn labels: for each tag (or category) a latent logit
//     separation × (y − ½) + leak × [a sibling is positive] + artist offset + class offset + noise,
// reported as sigmoid(temperature × latent + bias), clamped to ±12 in logit so scores stay in (0, 1), and
// rounded to 6 significant digits (as a network's CSV export would be), so that the values in memory are
// exactly those a reader gets back from the files.

import Foundation

extension SyntheticLabelDraw {
    /// Writes tag network `network`'s scores (noise from stream `stream` of the split) into
    /// `values[row * stride + offset + tag]`.
    func tagScores(network: SyntheticNetwork, stream: UInt64, into values: inout [Double], stride: Int, offset: Int) {
        typealias K = SyntheticConstants
        let layout = world.layout
        let nT = layout.tagCount, nC = layout.categoryCount
        var rng = SplitMix64(seed: seed, stream: stream)
        var classOffset = [0.0, 0.0, 0.0]
        for r in 0..<rows {
            for k in 0..<3 { classOffset[k] = K.classOffsetSD * rng.nextGaussian() }
            let a = rowArtist[r] * (nT + nC)
            for t in 0..<nT {
                let positive = y[r * nT + t]
                let sibling = Int(categoryCount[r * nC + layout.tagCategory[t]]) - Int(positive) > 0
                var latent = network.separation[t] * (Double(positive) - 0.5)
                if sibling { latent += network.leak[t] }
                latent += artistScoreOffset[a + t] + classOffset[layout.tagClass[t]] + rng.nextGaussian()
                values[r * stride + offset + t] = squash(network.temperature[t] * latent + network.bias[t])
            }
        }
    }

    /// Writes the category network's scores into `values[row * stride + offset + j]`, where `j` is the
    /// category's position in `layout.categoryColumnOrder`.
    func categoryScores(network: SyntheticNetwork, into values: inout [Double], stride: Int, offset: Int) {
        typealias K = SyntheticConstants
        let layout = world.layout
        let nT = layout.tagCount, nC = layout.categoryCount
        var rng = SplitMix64(seed: seed, stream: 1000)
        var classOffset = [0.0, 0.0, 0.0]
        for r in 0..<rows {
            for k in 0..<3 { classOffset[k] = K.classOffsetSD * rng.nextGaussian() }
            let a = rowArtist[r] * (nT + nC) + nT
            for (j, c) in layout.categoryColumnOrder.enumerated() {
                let count = Int(categoryCount[r * nC + c])
                var latent = network.separation[c] * (count > 0 ? 0.5 : -0.5)
                latent += K.categoryExtraTagBoost * Double(max(0, min(count - 1, 2)))
                latent += artistScoreOffset[a + c] + classOffset[layout.categoryClass[c]] + rng.nextGaussian()
                values[r * stride + offset + j] = squash(network.temperature[c] * latent + network.bias[c])
            }
        }
    }
}

/// The logistic function of a logit clamped to ±`SyntheticConstants.logitClamp`, rounded to 6 significant
/// digits: always strictly in (0, 1) (the extremes are about 6.1e-6 and 1 − 6.1e-6).
@inline(__always) func squash(_ logit: Double) -> Double {
    let z = min(max(logit, -SyntheticConstants.logitClamp), SyntheticConstants.logitClamp)
    return roundedToSignificantDigits(1 / (1 + exp(-z)), 6)
}

/// `v` (positive, finite) rounded to `digits` significant decimal digits. Dividing an integer by an exact
/// power of ten gives the double nearest the decimal, so the number prints with at most `digits` digits.
func roundedToSignificantDigits(_ v: Double, _ digits: Int) -> Double {
    let k = digits - 1 - Int(log10(v).rounded(.down))
    precondition(k >= 0 && k <= 22, "roundedToSignificantDigits: \(v) is out of range")
    let scale = powersOfTen[k]
    return (v * scale).rounded() / scale
}

/// 1e0 ... 1e22, each exact in binary64.
private let powersOfTen: [Double] = {
    var p = [1.0]
    for _ in 1...22 { p.append(p[p.count - 1] * 10) }
    return p
}()
