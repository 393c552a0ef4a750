// HOT LOOP: best split of one feature from its histogram.
//
// Notes
// - Read-only: the feature's histogram (layout in HistogramKernel.swift: `k` value bins then the reserved
//   missing bin `k`; 3 Doubles per bin, or one packed Int64 word in quantized training, read through
//   `ScanHistogram`) and the leaf's totals. Written: only the `SplitCandidate` passed in.
// - A split at threshold bin `t` sends value bins `0...t` left. Candidates are tried in LightGBM's order,
//   which decides ties: first "missing left" for `t` from `k-2` down to `0` (LightGBM's reverse scan: right
//   sums accumulated from the top, left = total − right), so among equal gains the HIGHEST `t` wins; then, only if the leaf has missing rows, "missing right" for `t` in
//   `0...k-1` (`t = k-1` is "values | missing"), which must be strictly better, the lowest `t` winning ties.
//   So when a leaf has no missing rows its NaNs go left at inference, as in LightGBM.
// - Gain (LightGBM's, without L1): G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); a split needs gain strictly
//   above `minGainToSplit`.
// - Packed histograms (`scanPacked`, quantized training) give the same answer in three passes per direction:
//   a tight loop writes every threshold's running sum (one Int64 add a bin); since the row count
//   of a running sum only grows, the thresholds with enough rows on both sides are one range, found by
//   binary search (the same loop decodes every running sum's gradient and hessian level sums into Int32
//   arrays: one loop over all the bins measured faster than a second loop over the range), and so do the
//   candidates whose hessian sums reach the minimum on both sides (level sums only grow); a
//   vectorised pass (SIMD4, two vectors a step in two independent sets of lanes) compares the candidates
//   without division (the gain written with one division, `packedGain`, compared by cross-multiplication)
//   and keeps per lane the first strict maximum; the lanes are then merged keeping the first in scan order.
//   Empty bins need no skipping: their candidate repeats the one tried just before, which wins the tie.
//   The plain twin of this path is `bestSplitPackedPlain`. Time: `tagstack-bench scan` (synthetic leaves
//   of 100–5,000 rows, 149 features × 255 bins, one thread); figures and history in the commit log.
// - Either scan: across features the caller keeps the strictly better one, so ties keep the smaller
//   feature index.
// - Exact scan: empty bins are skipped: their threshold gives the same partition (and gain) as the one tried just
//   before, which wins ties, so skipping changes nothing but the time (small leaves have mostly empty bins).
// - Exact histograms: sums are Double throughout (see HistogramKernel.swift). Packed histograms: the running
//   sums are exact integers, decoded to Doubles (integer × scale) for the gain.
// The plain twin is `bestSplitPlain`, which enumerates every candidate partition explicitly.

/// The best split found so far for one leaf.
struct SplitCandidate: Equatable {
    var gain: Double
    var feature: Int32 = -1            // -1: no valid split
    var thresholdBin: Int32 = 0
    var defaultLeft: Bool = false
    var leftG = 0.0, leftH = 0.0, leftC = 0.0
    var rightG = 0.0, rightH = 0.0, rightC = 0.0
    /// Packed histograms: each side's word of integer sums (0 on exact histograms).
    var leftWord: Int64 = 0, rightWord: Int64 = 0

    /// No split yet; anything must beat `minGain`.
    init(minGain: Double) { gain = minGain }

    var isValid: Bool { feature >= 0 }

    /// Records a packed split: its sides' sums decoded from their words.
    @inline(__always)
    mutating func set(feature f: Int, threshold t: Int, defaultLeft d: Bool, gain g: Double, left: Int64, right: Int64,
                      hist: PackedHistogram) {
        gain = g; feature = Int32(f); thresholdBin = Int32(t); defaultLeft = d
        (leftG, leftH, leftC) = hist.decode(left)
        (rightG, rightH, rightC) = hist.decode(right)
        leftWord = left; rightWord = right
    }

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

/// A histogram as the split scan reads it: per bin a running sum that is added to and decoded into
/// (gradient, hessian, count) Doubles. Two kinds: exact (3 Doubles a bin) and packed (one Int64 a bin).
protocol ScanHistogram {
    associatedtype Sum

    var zero: Sum { get }
    /// The bin has no rows.
    func isEmpty(_ bin: Int) -> Bool
    func count(_ bin: Int) -> Double
    func add(_ sum: inout Sum, _ bin: Int)
    func decode(_ sum: Sum) -> (Double, Double, Double)
}

/// Exact histogram: 3 Doubles a bin (HistogramKernel.swift); sums are Doubles added in bin order.
struct ExactHistogram: ScanHistogram {
    let bins: UnsafePointer<Double>
    var zero: (Double, Double, Double) { (0, 0, 0) }
    @inline(__always) func isEmpty(_ bin: Int) -> Bool { bins[3 &* bin &+ 2] == 0 }
    @inline(__always) func count(_ bin: Int) -> Double { bins[3 &* bin &+ 2] }
    @inline(__always) func add(_ s: inout (Double, Double, Double), _ bin: Int) {
        let p = bins + 3 &* bin
        s.0 += p[0]; s.1 += p[1]; s.2 += p[2]
    }
    @inline(__always) func decode(_ s: (Double, Double, Double)) -> (Double, Double, Double) { s }
}

/// Packed integer histogram (PackedHistogramKernel.swift): sums are exact integers, decoded with the
/// round's scales.
struct PackedHistogram: ScanHistogram {
    let bins: UnsafePointer<Int64>
    let layout: PackedLayout
    let gradientScale: Double, hessianScale: Double
    var zero: Int64 { 0 }
    @inline(__always) func isEmpty(_ bin: Int) -> Bool { layout.count(bins[bin]) == 0 }
    @inline(__always) func count(_ bin: Int) -> Double { Double(layout.count(bins[bin])) }
    @inline(__always) func add(_ s: inout Int64, _ bin: Int) { s &+= bins[bin] }
    @inline(__always) func decode(_ s: Int64) -> (Double, Double, Double) {
        layout.decode(s, gradientScale: gradientScale, hessianScale: hessianScale)
    }
}

enum SplitFinder {
    /// Updates `best` with feature `feature`'s best split if it is strictly better than `best`.
    /// `parentScore` is `G²/(H+λ)` of the leaf.
    @inline(__always)
    static func scan(feature: Int, hist: UnsafePointer<Double>, valueBins k: Int,
                     totalG: Double, totalH: Double, totalC: Double, parentScore: Double,
                     constraints c: SplitConstraints, best: inout SplitCandidate) {
        scan(feature: feature, histogram: ExactHistogram(bins: hist), valueBins: k, totalG: totalG, totalH: totalH,
             totalC: totalC, parentScore: parentScore, constraints: c, best: &best)
    }

    /// `scan` on either kind of histogram.
    @inline(__always)
    static func scan<H: ScanHistogram>(feature: Int, histogram hist: H, valueBins k: Int,
                                       totalG: Double, totalH: Double, totalC: Double, parentScore: Double,
                                       constraints c: SplitConstraints, best: inout SplitCandidate) {
        if k < 2 && hist.isEmpty(k) { return }
        let mC = hist.count(k)
        let lambda = c.lambdaL2, minData = c.minDataInLeaf, minHess = c.minSumHessianInLeaf
        var fb = SplitCandidate(minGain: c.minGainToSplit)
        // Missing left (all of them when there are none): LightGBM's reverse scan, the right side
        // accumulated from the top bin down, so ties keep the highest threshold.
        var right = hist.zero
        var t = k &- 2
        while t >= 0 {
            // An empty bin repeats the partition of the threshold above, which was tried first: skip it.
            if hist.isEmpty(t &+ 1) { t &-= 1; continue }
            hist.add(&right, t &+ 1)
            let (rg, rh, rc) = hist.decode(right)
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
            var left = hist.zero
            for t in 0..<k {
                if hist.isEmpty(t) { continue }        // same partition as the threshold below, tried first
                hist.add(&left, t)
                let (lg, lh, lc) = hist.decode(left)
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

    /// Int64 elements of the scratch buffer `scanPacked` needs (per thread): per candidate its word, and its
    /// gradient and hessian level sums as Int32 (exact: at most 2^31 levels, far above any layout's rows), padded.
    static let packedScratch = 2 * candidateCapacity
    private static let candidateCapacity = 264

    /// `scan` for a packed histogram (quantized training): same candidates, order, constraints and ties,
    /// with the gain written with one division (`packedGain`); the passes are described in the notes above.
    /// `total` is the leaf's word (the sum of every bin of any feature).
    static func scanPacked(feature: Int, hist: PackedHistogram, valueBins k: Int, total: Int64, parentScore: Double,
                           constraints c: SplitConstraints, scratch: UnsafeMutablePointer<Int64>, best: inout SplitCandidate) {
        let layout = hist.layout, words = hist.bins
        let missing = layout.count(words[k])
        if k < 2 && missing == 0 { return }
        guard hist.gradientScale > 0 && hist.hessianScale > 0 else {
            // Degenerate round (every gradient or every hessian zero): the scalar scan handles it.
            let (g, h, n) = hist.decode(total)
            scan(feature: feature, histogram: hist, valueBins: k, totalG: g, totalH: h, totalC: n,
                 parentScore: parentScore, constraints: c, best: &best)
            return
        }
        let minData = Int64(c.minDataInLeaf.rounded(.up)), totalC = layout.count(total)
        let cand = scratch
        let levels = UnsafeMutableRawPointer(scratch + candidateCapacity).bindMemory(to: Int32.self, capacity: 2 * candidateCapacity)
        let gl = levels, hl = levels + candidateCapacity
        // A running sum and its gradient and hessian level sums as Int32 (truncated: exact below 2^31).
        @inline(__always) func record(_ j: Int, _ acc: Int64) {
            cand[j] = acc
            gl[j] = Int32(truncatingIfNeeded: layout.gradient(acc)); hl[j] = Int32(truncatingIfNeeded: layout.hessian(acc))
        }
        var fb = SplitCandidate(minGain: c.minGainToSplit)
        // Missing left: thresholds t = k-2 … 0, the right side (bins t+1 … k-1) accumulated from the top into
        // cand[j] for t = k-2-j. Its row count only grows with j, so the candidates with enough rows on both
        // sides are one range j0 ..< j1 (candidate i is cand[j0 + i], t = first - i with first = k-2-j0).
        if k >= 2 {
            var acc: Int64 = 0
            for j in 0..<(k &- 1) { acc &+= words[k &- 1 &- j]; record(j, acc) }
            let (j0, j1) = countRange(cand, k &- 1, layout: layout, minData: minData, totalC: totalC)
            if j0 < j1 {
                if let (i, gain) = bestCandidate(count: j1 &- j0, words: cand + j0, gradients: gl + j0, hessians: hl + j0, total: total,
                                                 hist: hist, parentScore: parentScore, constraints: c, above: fb.gain) {
                    fb.set(feature: feature, threshold: k &- 2 &- j0 &- i, defaultLeft: true, gain: gain,
                           left: total &- cand[j0 &+ i], right: cand[j0 &+ i], hist: hist)
                }
            }
        }
        // Missing right, only with missing rows: thresholds t = 0 … k-1, the left side accumulated from the
        // bottom into cand[t] (candidate i is t = j0 + i); must be strictly better than the above.
        if missing > 0 {
            var acc: Int64 = 0
            for t in 0..<k { acc &+= words[t]; record(t, acc) }
            let (j0, j1) = countRange(cand, k, layout: layout, minData: minData, totalC: totalC)
            if j0 < j1 {
                if let (i, gain) = bestCandidate(count: j1 &- j0, words: cand + j0, gradients: gl + j0, hessians: hl + j0, total: total,
                                                 hist: hist, parentScore: parentScore, constraints: c, above: fb.gain) {
                    fb.set(feature: feature, threshold: j0 &+ i, defaultLeft: false, gain: gain, left: cand[j0 &+ i],
                           right: total &- cand[j0 &+ i], hist: hist)
                }
            }
        }
        best.merge(fb)
    }

    /// Over running sums `sums[0..<n]` whose row counts never decrease, the range j0 ..< j1 of those with at
    /// least `minData` rows on their side and on the other (`totalC` − it): j0 the first with enough rows,
    /// j1 the first whose other side has too few (binary searches on the counts).
    @inline(__always)
    private static func countRange(_ sums: UnsafePointer<Int64>, _ n: Int, layout: PackedLayout, minData: Int64,
                                   totalC: Int64) -> (Int, Int) {
        @inline(__always) func firstIndex(where pass: (Int64) -> Bool) -> Int {
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo &+ hi) &>> 1
                if pass(layout.count(sums[mid])) { hi = mid } else { lo = mid &+ 1 }
            }
            return lo
        }
        let j0 = firstIndex { $0 >= minData }
        let j1 = firstIndex { totalC &- $0 < minData }
        return (j0, j1)
    }

    /// The gain of a split whose sides have sums (a, ha) and (b, hb), as quantized training defines it:
    /// `(a²(hb+λ) + b²(ha+λ)) / ((ha+λ)(hb+λ)) − parent` (LightGBM's gain with one division).
    @inline(__always)
    static func packedGain(_ a: Double, _ ha: Double, _ b: Double, _ hb: Double, lambda: Double, parent: Double) -> Double {
        let ad = ha + lambda, bd = hb + lambda
        return (a * a * bd + b * b * ad) / (ad * bd) - parent
    }

    /// Among candidates `0..<count` (`words[i]`: one side's sums, `gradients[i]`/`hessians[i]` its level sums;
    /// the other side is `total` − it; every candidate already has enough rows on both sides), the first
    /// with the largest `packedGain` whose hessians reach the minimum on both sides, if that gain is
    /// strictly above `above`. The hessian level sums grow with `i` (running sums of non-negative levels),
    /// so those candidates are one range, found by binary search and padded to whole steps with copies of
    /// its last candidate (mapped back to it).
    ///
    /// The candidates are screened in Float, four to a SIMD4 vector (one SSE register; the Int32 level sums
    /// convert four at a time, exactly below 2^24) and two vectors a step in two independent sets of lanes,
    /// in units of the quantized
    /// levels (gain = gs²/hs × the levels' gain with λ/hs), without division (positive denominators:
    /// `num/den > best ⇔ num·bestDen > bestNum·den`); each lane keeps its first strict maximum. The lanes'
    /// winners (the two sets merged lane by lane) are then scored exactly (`packedGain` in Double on the
    /// decoded sums) and the first in scan order among the best is returned. Float can only blur candidates within ~1e-7 of each other.
    // Not inlined: inside the grower's large generic function the SIMD helpers it uses stop being inlined.
    @inline(never)
    private static func bestCandidate(count: Int, words: UnsafeMutablePointer<Int64>, gradients: UnsafeMutablePointer<Int32>,
                                      hessians: UnsafeMutablePointer<Int32>, total: Int64, hist: PackedHistogram,
                                      parentScore: Double, constraints c: SplitConstraints, above: Double) -> (Int, Double)? {
        if count == 0 { return nil }
        typealias V = SIMD4<Float>
        let layout = hist.layout
        let unit = hist.gradientScale * hist.gradientScale / hist.hessianScale
        let lambda = V(repeating: Float(c.lambdaL2 / hist.hessianScale))
        let minHess = Float(c.minSumHessianInLeaf / hist.hessianScale)
        let totalH = Float(layout.hessian(total))
        let tG = V(repeating: Float(layout.gradient(total))), tH = V(repeating: totalH)
        // The hessian minimum holds on one range h0 ..< h1 too (the level sums grow with the candidate): this
        // side reaches it from h0 on, the other side until h1 (the same Float tests as a per-candidate check).
        @inline(__always) func firstIndex(where pass: (Float) -> Bool) -> Int {
            var lo = 0, hi = count
            while lo < hi {
                let mid = (lo &+ hi) &>> 1
                if pass(Float(hessians[mid])) { hi = mid } else { lo = mid &+ 1 }
            }
            return lo
        }
        let h0 = firstIndex { $0 >= minHess }, h1 = firstIndex { !(totalH - $0 >= minHess) }
        if h0 >= h1 { return nil }
        // Pad to whole steps (two vectors, 8 candidates) with copies of the range's last candidate, mapped
        // back to it below.
        let last = h1 &- 1
        var end = h1
        while (end &- h0) & 7 != 0 { gradients[end] = gradients[last]; hessians[end] = hessians[last]; end &+= 1 }
        // Two independent sets of lanes (candidates h0 + 0…3 mod 8 in set 0, 4…7 in set 1), so that a step's
        // comparisons do not wait on the previous step's winners (measured: four sets spill registers).
        typealias Lanes = (num: V, den: V, index: SIMD4<Int32>)
        let start: Lanes = (V(repeating: Float((above + parentScore) / unit)), V(repeating: 1), SIMD4<Int32>(repeating: -1))
        var s0 = start, s1 = start
        let gRaw = UnsafeRawPointer(gradients), hRaw = UnsafeRawPointer(hessians)
        var index = SIMD4<Int32>(0, 1, 2, 3) &+ Int32(truncatingIfNeeded: h0)
        @inline(__always) func step(_ s: inout Lanes, _ i: Int, _ index: SIMD4<Int32>) {
            let ag = V(gRaw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Int32>.self))
            let ah = V(hRaw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Int32>.self))
            let bg = tG - ag, bh = tH - ah
            let ad = ah + lambda, bd = bh + lambda
            let num = ag * ag * bd + bg * bg * ad, den = ad * bd
            let better = num * s.den .> s.num * den
            s.num.replace(with: num, where: better)
            s.den.replace(with: den, where: better)
            s.index.replace(with: index, where: better)
        }
        var i = h0
        while i < end {
            step(&s0, i, index); step(&s1, i &+ 4, index &+ 4)
            index &+= 8
            i &+= 8
        }
        var bi = -1, bg = above
        @inline(__always) func rescore(_ s: Lanes) {
            for lane in 0..<4 where s.index[lane] >= 0 {
                let j = min(Int(s.index[lane]), last)
                let (g, h, _) = hist.decode(words[j]), (og, oh, _) = hist.decode(total &- words[j])
                let gain = packedGain(g, h, og, oh, lambda: c.lambdaL2, parent: parentScore)
                if gain > bg || (gain == bg && bi >= 0 && j < bi) { bg = gain; bi = j }
            }
        }
        // Lane by lane, the two sets' winners merged in Float (the larger; equal: the lower index, so each
        // lane keeps its first strict maximum in scan order), then the four lanes rescored exactly.
        @inline(__always) func merge(_ a: Lanes, _ b: Lanes) -> Lanes {
            let l = a.num * b.den, r = b.num * a.den
            let takeB = (b.index .>= 0) .& ((a.index .< 0) .| (r .> l) .| ((r .== l) .& (b.index .< a.index)))
            var m = a
            m.num.replace(with: b.num, where: takeB); m.den.replace(with: b.den, where: takeB)
            m.index.replace(with: b.index, where: takeB)
            return m
        }
        rescore(merge(s0, s1))
        return bi >= 0 ? (bi, bg) : nil
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

    /// Plain twin of `scanPacked`: every candidate in LightGBM's order, each side's integer sums summed
    /// from the bins directly, `packedGain` in Double, the first strictly best kept.
    static func bestSplitPackedPlain(feature: Int, words: [Int64], valueBins k: Int, layout: PackedLayout,
                                     gradientScale gs: Double, hessianScale hs: Double, constraints c: SplitConstraints) -> SplitCandidate {
        func sum(_ bins: [Int]) -> Int64 { bins.reduce(0) { $0 &+ words[$1] } }
        func decode(_ w: Int64) -> (Double, Double, Double) { layout.decode(w, gradientScale: gs, hessianScale: hs) }
        let total = sum(Array(0...k))
        let (G, H, _) = decode(total)
        let parent = G * G / (H + c.lambdaL2)
        var best = SplitCandidate(minGain: c.minGainToSplit)
        func consider(_ t: Int, missingLeft: Bool) {
            let leftWord = missingLeft ? total &- (t + 1 <= k - 1 ? sum(Array((t + 1)...(k - 1))) : 0) : sum(Array(0...t))
            let (lg, lh, lc) = decode(leftWord), (rg, rh, rc) = decode(total &- leftWord)
            guard lc >= c.minDataInLeaf, rc >= c.minDataInLeaf, lh >= c.minSumHessianInLeaf, rh >= c.minSumHessianInLeaf else { return }
            let gain = packedGain(lg, lh, rg, rh, lambda: c.lambdaL2, parent: parent)
            if gain > best.gain {
                best.gain = gain; best.feature = Int32(feature); best.thresholdBin = Int32(t); best.defaultLeft = missingLeft
                (best.leftG, best.leftH, best.leftC) = (lg, lh, lc); (best.rightG, best.rightH, best.rightC) = (rg, rh, rc)
                (best.leftWord, best.rightWord) = (leftWord, total &- leftWord)
            }
        }
        if k >= 2 { for t in stride(from: k - 2, through: 0, by: -1) { consider(t, missingLeft: true) } }
        if layout.count(words[k]) > 0 { for t in 0..<k { consider(t, missingLeft: false) } }
        return best
    }
}
