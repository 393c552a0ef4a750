// HOT LOOP: best split of one feature from its histogram.
//
// Notes
// - Read-only: the feature's histogram (layout in HistogramKernel.swift: `k` value bins then the reserved
//   missing bin `k`, 3 Doubles per bin) and the leaf's totals. Written: only the `SplitCandidate` passed in.
// - A split at threshold bin `t` sends value bins `0...t` left. Missing rows (bin `k`) are tried on both
//   sides when the leaf has any: "missing right" for `t` in `0...k-1` (t = k-1 is "values | missing") and
//   "missing left" for `t` in `0...k-2`. With no missing rows in the leaf only `t` in `0...k-2` is tried and
//   NaN is later sent to the child with more training rows (ties: left).
// - Gain (LightGBM's, without L1): G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); a split needs gain strictly
//   above `minGainToSplit` and above the best so far (so ties keep the earlier threshold, "missing right"
//   before "missing left", and the smaller feature index across features).
// - Sums are Double throughout (see HistogramKernel.swift).
// The plain twin is `bestSplitPlain`, which enumerates every candidate partition explicitly.

/// The best split found so far for one leaf.
struct SplitCandidate: Equatable {
    var gain: Double
    var feature: Int32 = -1            // -1: no valid split
    var thresholdBin: Int32 = 0
    var defaultLeft: Bool = false
    var leftG = 0.0, leftH = 0.0, leftC = 0.0
    var rightG = 0.0, rightH = 0.0, rightC = 0.0

    /// No split yet; anything must beat `minGain`.
    init(minGain: Double) { gain = minGain }

    var isValid: Bool { feature >= 0 }

    /// Keeps the better of two candidates (strictly greater gain; ties keep `self`).
    mutating func merge(_ other: SplitCandidate) {
        if other.isValid && (!isValid || other.gain > gain) { self = other }
    }
}

/// Limits a split must respect.
struct SplitConstraints {
    var minDataInLeaf: Double
    var minSumHessianInLeaf: Double
    var lambdaL2: Double
    var minGainToSplit: Double
}

enum SplitFinder {
    /// Updates `best` with feature `feature`'s best split if it beats `best.gain`.
    /// `parentScore` is `G²/(H+λ)` of the leaf.
    @inline(__always)
    static func scan(feature: Int, hist: UnsafePointer<Double>, valueBins k: Int,
                     totalG: Double, totalH: Double, totalC: Double, parentScore: Double,
                     constraints c: SplitConstraints, best: inout SplitCandidate) {
        let mG = hist[3 &* k], mH = hist[3 &* k &+ 1], mC = hist[3 &* k &+ 2]
        let hasMissing = mC > 0
        let lastT = hasMissing ? k &- 1 : k &- 2
        if lastT < 0 { return }
        let lambda = c.lambdaL2, minData = c.minDataInLeaf, minHess = c.minSumHessianInLeaf
        var lg = 0.0, lh = 0.0, lc = 0.0
        for t in 0...lastT {
            let p = hist + 3 &* t
            lg += p[0]; lh += p[1]; lc += p[2]
            // Missing right (or no missing at all).
            let rcA = totalC - lc
            if rcA < minData { break }           // later thresholds only shrink the right side
            if lc >= minData && lh >= minHess {
                let rg = totalG - lg, rh = totalH - lh
                if rh >= minHess {
                    let gain = lg * lg / (lh + lambda) + rg * rg / (rh + lambda) - parentScore
                    if gain > best.gain {
                        best.gain = gain; best.feature = Int32(feature); best.thresholdBin = Int32(t)
                        best.defaultLeft = hasMissing ? false : (lc >= rcA)
                        best.leftG = lg; best.leftH = lh; best.leftC = lc
                        best.rightG = rg; best.rightH = rh; best.rightC = rcA
                    }
                }
            }
            // Missing left.
            if hasMissing && t < k &- 1 {
                let xg = lg + mG, xh = lh + mH, xc = lc + mC
                let rc = totalC - xc, rh = totalH - xh
                if xc >= minData && rc >= minData && xh >= minHess && rh >= minHess {
                    let rg = totalG - xg
                    let gain = xg * xg / (xh + lambda) + rg * rg / (rh + lambda) - parentScore
                    if gain > best.gain {
                        best.gain = gain; best.feature = Int32(feature); best.thresholdBin = Int32(t)
                        best.defaultLeft = true
                        best.leftG = xg; best.leftH = xh; best.leftC = xc
                        best.rightG = rg; best.rightH = rh; best.rightC = rc
                    }
                }
            }
        }
    }

    // MARK: - Plain twin

    /// Plain twin of `scan`: builds each candidate partition's sums from scratch (no running sums) and
    /// returns the best for one feature, or an invalid candidate.
    static func bestSplitPlain(feature: Int, hist: [Double], valueBins k: Int, constraints c: SplitConstraints) -> SplitCandidate {
        func sums(_ bins: [Int]) -> (Double, Double, Double) {
            var g = 0.0, h = 0.0, n = 0.0
            for b in bins { g += hist[3 * b]; h += hist[3 * b + 1]; n += hist[3 * b + 2] }
            return (g, h, n)
        }
        let (G, H, C) = sums(Array(0...k))
        let parent = G * G / (H + c.lambdaL2)
        let hasMissing = hist[3 * k + 2] > 0
        var best = SplitCandidate(minGain: c.minGainToSplit)
        func consider(_ t: Int, missingLeft: Bool) {
            let leftBins = Array(0...t) + (missingLeft ? [k] : [])
            let (lg, lh, lc) = sums(leftBins)
            let rg = G - lg, rh = H - lh, rc = C - lc
            guard lc >= c.minDataInLeaf, rc >= c.minDataInLeaf, lh >= c.minSumHessianInLeaf, rh >= c.minSumHessianInLeaf else { return }
            let gain = lg * lg / (lh + c.lambdaL2) + rg * rg / (rh + c.lambdaL2) - parent
            if gain > best.gain {
                best.gain = gain; best.feature = Int32(feature); best.thresholdBin = Int32(t)
                best.defaultLeft = hasMissing ? missingLeft : (lc >= rc)
                best.leftG = lg; best.leftH = lh; best.leftC = lc; best.rightG = rg; best.rightH = rh; best.rightC = rc
            }
        }
        let lastT = hasMissing ? k - 1 : k - 2
        if lastT < 0 { return best }
        for t in 0...lastT {
            consider(t, missingLeft: false)
            if hasMissing && t < k - 1 { consider(t, missingLeft: true) }
        }
        return best
    }
}
