// HOT LOOP: best split of one feature from its histogram.
//
// Notes
// - Read-only: the feature's histogram (layout in HistogramKernel.swift: `k` value bins then the reserved
//   missing bin `k`, 3 Doubles per bin) and the leaf's totals. Written: only the `SplitCandidate` passed in.
// - A split at threshold bin `t` sends value bins `0...t` left. Candidates are tried in LightGBM's order,
//   which decides ties: first "missing left" for `t` from `k-2` down to `0` (LightGBM's reverse scan: right
//   sums accumulated from the top, left = total − right), so among equal gains the HIGHEST `t` wins; then, only if the leaf has missing rows, "missing right" for `t` in
//   `0...k-1` (`t = k-1` is "values | missing"), which must be strictly better, the lowest `t` winning ties.
//   So when a leaf has no missing rows its NaNs go left at inference, as in LightGBM.
// - Gain (LightGBM's, without L1): G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); a split needs gain strictly
//   above `minGainToSplit`. Across features the caller keeps the strictly better one, so ties keep the
//   smaller feature index.
// - Empty bins are skipped: their threshold gives the same partition (and gain) as the one tried just
//   before, which wins ties, so skipping changes nothing but the time (small leaves have mostly empty bins).
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
    /// Updates `best` with feature `feature`'s best split if it is strictly better than `best`.
    /// `parentScore` is `G²/(H+λ)` of the leaf.
    @inline(__always)
    static func scan(feature: Int, hist: UnsafePointer<Double>, valueBins k: Int,
                     totalG: Double, totalH: Double, totalC: Double, parentScore: Double,
                     constraints c: SplitConstraints, best: inout SplitCandidate) {
        if k < 2 && hist[3 &* k &+ 2] == 0 { return }
        let mC = hist[3 &* k &+ 2]
        let lambda = c.lambdaL2, minData = c.minDataInLeaf, minHess = c.minSumHessianInLeaf
        var fb = SplitCandidate(minGain: c.minGainToSplit)
        // Missing left (all of them when there are none): LightGBM's reverse scan, the right side
        // accumulated from the top bin down, so ties keep the highest threshold.
        var rg = 0.0, rh = 0.0, rc = 0.0
        var t = k &- 2
        while t >= 0 {
            let p = hist + 3 &* (t &+ 1)
            // An empty bin repeats the partition of the threshold above, which was tried first: skip it.
            if p[2] == 0 { t &-= 1; continue }
            rg += p[0]; rh += p[1]; rc += p[2]
            let lc = totalC - rc
            if lc < minData { break }            // lower thresholds only shrink the left side
            if rc >= minData && rh >= minHess {
                let lh = totalH - rh
                if lh >= minHess {
                    let lg = totalG - rg
                    let gain = lg * lg / (lh + lambda) + rg * rg / (rh + lambda) - parentScore
                    if gain > fb.gain {
                        fb.gain = gain; fb.feature = Int32(feature); fb.thresholdBin = Int32(t); fb.defaultLeft = true
                        fb.leftG = lg; fb.leftH = lh; fb.leftC = lc
                        fb.rightG = rg; fb.rightH = rh; fb.rightC = rc
                    }
                }
            }
            t &-= 1
        }
        // Missing right, only when there are missing rows; must be strictly better.
        if mC > 0 {
            var lg = 0.0, lh = 0.0, lc = 0.0
            for t in 0..<k {
                let p = hist + 3 &* t
                if p[2] == 0 { continue }        // same partition as the threshold below, tried first
                lg += p[0]; lh += p[1]; lc += p[2]
                let rc = totalC - lc
                if rc < minData { break }
                if lc >= minData && lh >= minHess {
                    let rg = totalG - lg, rh = totalH - lh
                    if rh >= minHess {
                        let gain = lg * lg / (lh + lambda) + rg * rg / (rh + lambda) - parentScore
                        if gain > fb.gain {
                            fb.gain = gain; fb.feature = Int32(feature); fb.thresholdBin = Int32(t); fb.defaultLeft = false
                            fb.leftG = lg; fb.leftH = lh; fb.leftC = lc
                            fb.rightG = rg; fb.rightH = rh; fb.rightC = rc
                        }
                    }
                }
            }
        }
        best.merge(fb)
    }

    // MARK: - Plain twin

    /// Plain twin of `scan`: enumerates the candidates in LightGBM's order (missing left with thresholds
    /// from high to low, then missing right from low to high), builds each partition's sums from scratch
    /// (one side summed directly, the other as total minus it, as the kernel does) and keeps the first
    /// strictly best. Returns the best for one feature, or an invalid candidate.
    static func bestSplitPlain(feature: Int, hist: [Double], valueBins k: Int, constraints c: SplitConstraints) -> SplitCandidate {
        func sums(_ bins: [Int]) -> (Double, Double, Double) {
            var g = 0.0, h = 0.0, n = 0.0
            for b in bins { g += hist[3 * b]; h += hist[3 * b + 1]; n += hist[3 * b + 2] }
            return (g, h, n)
        }
        let (G, H, C) = sums(Array(0...k))
        let parent = G * G / (H + c.lambdaL2)
        var best = SplitCandidate(minGain: c.minGainToSplit)
        func consider(_ t: Int, missingLeft: Bool) {
            var lg, lh, lc, rg, rh, rc: Double
            if missingLeft {        // right = value bins above t, summed from the top; left = the rest
                (rg, rh, rc) = t + 1 <= k - 1 ? sums(Array((t + 1)...(k - 1)).reversed()) : (0, 0, 0)
                (lg, lh, lc) = (G - rg, H - rh, C - rc)
            } else {
                (lg, lh, lc) = sums(Array(0...t))
                (rg, rh, rc) = (G - lg, H - lh, C - lc)
            }
            guard lc >= c.minDataInLeaf, rc >= c.minDataInLeaf, lh >= c.minSumHessianInLeaf, rh >= c.minSumHessianInLeaf else { return }
            let gain = lg * lg / (lh + c.lambdaL2) + rg * rg / (rh + c.lambdaL2) - parent
            if gain > best.gain {
                best.gain = gain; best.feature = Int32(feature); best.thresholdBin = Int32(t); best.defaultLeft = missingLeft
                best.leftG = lg; best.leftH = lh; best.leftC = lc; best.rightG = rg; best.rightH = rh; best.rightC = rc
            }
        }
        if k >= 2 { for t in stride(from: k - 2, through: 0, by: -1) { consider(t, missingLeft: true) } }
        if hist[3 * k + 2] > 0 { for t in 0..<k { consider(t, missingLeft: false) } }
        return best
    }
}
