// HOT LOOP: best split of one feature from its histogram.
//
// Notes
// - Read-only: the feature's histogram (layout in HistogramKernel.swift: `k` value bins then the reserved
//   missing bin `k`; 3 Doubles per bin, or one packed Int64 word in quantized training, read through
//   `PackedHistogram`) and the leaf's totals. Written: only the `SplitCandidate` passed in (and, packed,
//   the caller's scratch).
// - A split at threshold bin `t` sends value bins `0...t` left. Candidates are tried in LightGBM's order,
//   which decides ties: first "missing left" for `t` from `k-2` down to `0` (LightGBM's reverse scan: right
//   sums accumulated from the top, left = total − right), so among equal gains the HIGHEST `t` wins; then, only if the leaf has missing rows, "missing right" for `t` in
//   `0...k-1` (`t = k-1` is "values | missing"), which must be strictly better, the lowest `t` winning ties.
//   So when a leaf has no missing rows its NaNs go left at inference, as in LightGBM.
// - Gain (LightGBM's, without L1): G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); a split needs gain strictly
//   above `minGainToSplit`.
// - Packed histograms (`scanPacked`, quantized training) give the plain twin's answer in four passes per
//   direction. (1) A tight loop writes every threshold's running sum (one Int64 add and store a bin).
//   (2) The row count of a running sum only grows, so the thresholds with enough rows on both sides are one
//   range, found by binary search; so are those whose hessian levels reach the minimum on both sides (level
//   sums only grow). (3) A vectorised screen (SIMD4, two vectors a step) decodes each candidate's gradient
//   and hessian level sums straight from its word (32-bit halves: no 64-bit shifts, which SSE2 lacks in
//   the arithmetic form) and writes its gain in Float (the gain written with one division,
//   `packedGain`), keeping the maximum. (4) Only candidates within a relative 4e-6 of that maximum (a
//   Float gain is within ~1e-6 of the exact one) are scored exactly in Double, the first in scan order
//   among the best winning; when the maximum cannot beat the best split already found for the leaf (passed
//   in), none is. Small leaves (BoostingParameters.thresholdStepRows) try only every 2nd, 4th or 8th
//   "missing left" threshold: pass (1) then adds 2, 4 or 8 bins a stored sum. Empty bins need no skipping: their candidate repeats the one tried just before, which
//   wins the tie. The plain twin of this path is `bestSplitPackedPlain`. Time: `tagstack-bench scan`
//   (synthetic leaves of 100–5,000 rows, 149 features × 255 bins, one thread); figures and history in
//   the commit log. Measured and dropped: decoding the level sums into Int32 arrays in pass (1) (slower:
//   two variable 64-bit shifts a bin), comparing by cross-multiplication with per-lane winners (three
//   blends a vector, more than one division).
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
    /// Packed scan only (`BoostingParameters.thresholdStepRows`; 0: every bin).
    var thresholdStepRows: Int = 0

    /// The threshold step of the packed scan's "missing left" candidates for a leaf of `rows` rows and a
    /// feature of `k` value bins: the smallest power of two `s` ≤ 8 with `s·rows ≥ thresholdStepRows·k`,
    /// and below `k` (1 when `thresholdStepRows` is 0).
    @inline(__always)
    func thresholdStep(rows: Int, valueBins k: Int) -> Int {
        var s = 1
        while s < 8 && s &* rows < thresholdStepRows &* k && s &* 2 <= k &- 1 { s &<<= 1 }
        return s
    }
}

/// Packed integer histogram (PackedHistogramKernel.swift): sums are exact integers, decoded with the
/// round's scales (both positive).
struct PackedHistogram {
    let bins: UnsafePointer<Int64>
    let layout: PackedLayout
    let gradientScale: Double, hessianScale: Double
    @inline(__always) func decode(_ s: Int64) -> (Double, Double, Double) {
        layout.decode(s, gradientScale: gradientScale, hessianScale: hessianScale)
    }
}

enum SplitFinder {
    /// Updates `best` with feature `feature`'s best split if it is strictly better than `best` (exact
    /// histogram: 3 Doubles a bin, sums added in bin order). `parentScore` is `G²/(H+λ)` of the leaf.
    @inline(__always)
    static func scan(feature: Int, hist: UnsafePointer<Double>, valueBins k: Int,
                     totalG: Double, totalH: Double, totalC: Double, parentScore: Double,
                     constraints c: SplitConstraints, best: inout SplitCandidate) {
        @inline(__always) func count(_ bin: Int) -> Double { hist[3 &* bin &+ 2] }
        @inline(__always) func add(_ s: inout (Double, Double, Double), _ bin: Int) {
            let p = hist + 3 &* bin
            s.0 += p[0]; s.1 += p[1]; s.2 += p[2]
        }
        if k < 2 && count(k) == 0 { return }
        let mC = count(k)
        let lambda = c.lambdaL2, minData = c.minDataInLeaf, minHess = c.minSumHessianInLeaf
        var fb = SplitCandidate(minGain: c.minGainToSplit)
        // Missing left (all of them when there are none): LightGBM's reverse scan, the right side
        // accumulated from the top bin down, so ties keep the highest threshold.
        var right = (0.0, 0.0, 0.0)
        var t = k &- 2
        while t >= 0 {
            // An empty bin repeats the partition of the threshold above, which was tried first: skip it.
            if count(t &+ 1) == 0 { t &-= 1; continue }
            add(&right, t &+ 1)
            let (rg, rh, rc) = right
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
            var left = (0.0, 0.0, 0.0)
            for t in 0..<k {
                if count(t) == 0 { continue }        // same partition as the threshold below, tried first
                add(&left, t)
                let (lg, lh, lc) = left
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

    /// Int64 elements of the scratch buffer `scanPacked` needs (per thread): per candidate its word and its
    /// Float gain, padded.
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
        let minData = Int64(c.minDataInLeaf.rounded(.up)), totalC = layout.count(total)
        let cand = scratch
        let gains = UnsafeMutableRawPointer(scratch + candidateCapacity).bindMemory(to: Float.self, capacity: candidateCapacity)
        var fb = SplitCandidate(minGain: c.minGainToSplit)
        // Missing left: thresholds t = tmax, tmax - st, … ≥ 0 (every t + 1 a multiple of the threshold step
        // st, 1 but in small leaves; tmax ≤ k-2), the right side (bins t+1 … k-1) accumulated from the top:
        // cand[j] for t = tmax - st·j. Its row count only grows with j, so the candidates with enough rows
        // on both sides are one range j0 ..< j1 (candidate i is cand[j0 + i]).
        let st = c.thresholdStep(rows: Int(totalC), valueBins: k)
        if k >= 2 {
            var acc: Int64 = 0
            let tmax = st &* ((k &- 1) / st) &- 1
            var b = k &- 1
            while b > tmax { acc &+= words[b]; b &-= 1 }
            cand[0] = acc
            var n = 1
            var t = tmax &- st
            if st == 1 {
                while t >= 0 { acc &+= words[b]; b &-= 1; cand[n] = acc; n &+= 1; t &-= 1 }
            } else if st == 2 {
                while t >= 0 { acc &+= words[b] &+ words[b &- 1]; b &-= 2; cand[n] = acc; n &+= 1; t &-= 2 }
            } else if st == 4 {
                while t >= 0 { acc &+= (words[b] &+ words[b &- 1]) &+ (words[b &- 2] &+ words[b &- 3]); b &-= 4; cand[n] = acc; n &+= 1; t &-= 4 }
            } else {
                while t >= 0 {
                    acc &+= ((words[b] &+ words[b &- 1]) &+ (words[b &- 2] &+ words[b &- 3])) &+ ((words[b &- 4] &+ words[b &- 5]) &+ (words[b &- 6] &+ words[b &- 7]))
                    b &-= 8; cand[n] = acc; n &+= 1; t &-= 8
                }
            }
            let (j0, j1) = sideRange(n, minimum: minData, total: totalC) { layout.count(cand[$0]) }
            if j0 < j1 {
                if let (i, gain) = bestCandidate(count: j1 &- j0, words: cand + j0, total: total, hist: hist,
                                                 parentScore: parentScore, constraints: c, above: max(fb.gain, best.gain), gains: gains) {
                    fb.set(feature: feature, threshold: tmax &- st &* (j0 &+ i), defaultLeft: true, gain: gain,
                           left: total &- cand[j0 &+ i], right: cand[j0 &+ i], hist: hist)
                }
            }
        }
        // Missing right, only with missing rows: thresholds t = 0 … k-1, the left side accumulated from the
        // bottom into cand[t] (candidate i is t = j0 + i); must be strictly better than the above.
        if missing > 0 {
            var acc: Int64 = 0
            for t in 0..<k { acc &+= words[t]; cand[t] = acc }
            let (j0, j1) = sideRange(k, minimum: minData, total: totalC) { layout.count(cand[$0]) }
            if j0 < j1 {
                if let (i, gain) = bestCandidate(count: j1 &- j0, words: cand + j0, total: total, hist: hist,
                                                 parentScore: parentScore, constraints: c, above: max(fb.gain, best.gain), gains: gains) {
                    fb.set(feature: feature, threshold: j0 &+ i, defaultLeft: false, gain: gain, left: cand[j0 &+ i],
                           right: total &- cand[j0 &+ i], hist: hist)
                }
            }
        }
        best.merge(fb)
    }

    /// Over candidates `0..<n` whose side sum `value(i)` never decreases (a running sum's row count or hessian
    /// levels), the range i0 ..< i1 of those with at least `minimum` on their side and on the other
    /// (`total` − it): i0 the first with enough, i1 the first whose other side has too little (two binary
    /// searches).
    @inline(__always)
    private static func sideRange(_ n: Int, minimum: Int64, total: Int64, value: (Int) -> Int64) -> (Int, Int) {
        @inline(__always) func firstIndex(where pass: (Int64) -> Bool) -> Int {
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo &+ hi) &>> 1
                if pass(value(mid)) { hi = mid } else { lo = mid &+ 1 }
            }
            return lo
        }
        return (firstIndex { $0 >= minimum }, firstIndex { total &- $0 < minimum })
    }

    /// The gain of a split whose sides have sums (a, ha) and (b, hb), as quantized training defines it:
    /// `(a²(hb+λ) + b²(ha+λ)) / ((ha+λ)(hb+λ)) − parent` (LightGBM's gain with one division).
    @inline(__always)
    static func packedGain(_ a: Double, _ ha: Double, _ b: Double, _ hb: Double, lambda: Double, parent: Double) -> Double {
        let ad = ha + lambda, bd = hb + lambda
        return (a * a * bd + b * b * ad) / (ad * bd) - parent
    }

    /// Among candidates `0..<count` (`words[i]`: one side's sums, the other side is `total` − it; every
    /// candidate already has enough rows on both sides), the first with the largest `packedGain` whose
    /// hessians reach the minimum on both sides, if that gain is strictly above `above`. The hessian level
    /// sums grow with `i` (running sums of non-negative levels), so those candidates are one range, found by
    /// binary search and padded to whole steps with copies of its last candidate (mapped back to it).
    ///
    /// Two passes. The screen computes every candidate's gain in Float, in units of the quantized levels
    /// (gain + parent = gs²/hs × `num/den` of the levels with λ/hs), four to a SIMD4 vector, two vectors a
    /// step, into `gains`, keeping the maximum. A step decodes its eight words itself: the gradient level sum
    /// is the high half of a word shifted right arithmetically (the layout puts it at bit 32 or above), the
    /// hessian level sum the low half shifted down with the high half's bits shifted in above it, masked;
    /// both are exact Int32s, converted four at a time (exact below 2^24; layouts whose sums may reach 2^24
    /// skip the screen and score every candidate exactly). Then every candidate whose Float gain is within
    /// `screenTolerance` (relative) of the maximum is scored exactly (`packedGain` in Double on the decoded
    /// sums) and the first in scan order among the best is returned. With the level sums exact, `bg` and
    /// `tH − ah` are exact and each further operation rounds once (relative 6e-8): a Float gain is within
    /// about 1e-6 of its exact value, so the exact best is always among those scored and the answer is the
    /// plain twin's. When the maximum cannot exceed `above`, nothing is scored.
    // Not inlined: inside the grower's large generic function the SIMD helpers it uses stop being inlined.
    @inline(never)
    private static func bestCandidate(count: Int, words: UnsafeMutablePointer<Int64>, total: Int64, hist: PackedHistogram,
                                      parentScore: Double, constraints c: SplitConstraints, above: Double,
                                      gains: UnsafeMutablePointer<Float>) -> (Int, Double)? {
        if count == 0 { return nil }
        typealias V = SIMD4<Float>
        let layout = hist.layout
        let unit = hist.gradientScale * hist.gradientScale / hist.hessianScale
        let lambda = V(repeating: Float(c.lambdaL2 / hist.hessianScale))
        let totalH = layout.hessian(total)
        let tG = V(repeating: Float(layout.gradient(total))), tH = V(repeating: Float(totalH))
        // The hessian minimum holds on one range h0 ..< h1 too (the level sums grow with the candidate): this
        // side reaches it from h0 on, the other side until h1. A side's hessian (levels × scale, in Double)
        // reaches the minimum exactly when its levels reach `minLevels`.
        let minLevels = minimumLevels(c.minSumHessianInLeaf, scale: hist.hessianScale)
        let (h0, h1) = sideRange(count, minimum: minLevels, total: totalH) { layout.hessian(words[$0]) }
        if h0 >= h1 { return nil }
        /// Candidate k's exact gain (`packedGain` in Double on its decoded sums).
        @inline(__always) func exactGain(_ k: Int) -> Double {
            let (g, h, _) = hist.decode(words[k]), (og, oh, _) = hist.decode(total &- words[k])
            return packedGain(g, h, og, oh, lambda: c.lambdaL2, parent: parentScore)
        }
        // Level sums of 2^24 or more (many levels on many rows) are not exact in Float: every candidate is
        // scored exactly instead.
        if layout.hessianMask >= 1 << 24 {
            var bi = -1, bg = above
            for k in h0..<h1 {
                let gain = exactGain(k)
                if gain > bg { bg = gain; bi = k }
            }
            return bi >= 0 ? (bi, bg) : nil
        }
        // Pad to whole steps (two vectors, 8 candidates) with copies of the range's last candidate.
        let last = h1 &- 1
        var end = h1
        while (end &- h0) & 7 != 0 { words[end] = words[last]; end &+= 1 }
        // Decoding, on the words' 32-bit halves: the gradient field from the high half (arithmetic shift by
        // gradientShift − 32), the hessian field from the low half shifted down with the high half's bits
        // shifted in above it (it may straddle bit 32), masked. Compact layouts (the gradient field at bit
        // 32, the hessian field within the low half: up to 32,767 rows at 4 levels) skip both extra shifts.
        let compact = layout.gradientShift == 32
        let gShift = SIMD4<Int32>(repeating: Int32(layout.gradientShift &- 32))
        let hShift = SIMD4<UInt32>(repeating: UInt32(layout.hessianShift))
        let hInShift = SIMD4<UInt32>(repeating: UInt32(32 &- layout.hessianShift))
        let hMask = SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: layout.hessianMask))
        let raw = UnsafeRawPointer(words), out = UnsafeMutableRawPointer(gains)
        @inline(__always) func gain(_ i: Int, _ compact: Bool) -> V {
            let a = raw.loadUnaligned(fromByteOffset: i &* 8, as: SIMD4<UInt32>.self)
            let b = raw.loadUnaligned(fromByteOffset: i &* 8 &+ 16, as: SIMD4<UInt32>.self)
            let lo = SIMD4(lowHalf: a.evenHalf, highHalf: b.evenHalf), hi = SIMD4(lowHalf: a.oddHalf, highHalf: b.oddHalf)
            let ag = compact ? V(SIMD4<Int32>(truncatingIfNeeded: hi)) : V(SIMD4<Int32>(truncatingIfNeeded: hi) &>> gShift)
            let ah = compact ? V(SIMD4<Int32>(truncatingIfNeeded: (lo &>> hShift) & hMask))
                             : V(SIMD4<Int32>(truncatingIfNeeded: ((lo &>> hShift) | (hi &<< hInShift)) & hMask))
            // bg and tH − ah are exact (integers below 2^24); adding λ after the subtraction keeps bd's
            // rounding relative to bd itself (tH + λ − ah would cancel a rounding of tH + λ).
            let bg = tG - ag
            let ad = ah + lambda, bd = (tH - ah) + lambda
            return (ag * ag * bd + bg * bg * ad) / (ad * bd)
        }
        // Two running maxima, so that a step's does not wait on the previous step's.
        var m0 = V(repeating: 0), m1 = m0
        @inline(__always) func screen(_ compact: Bool) {
            var i = h0
            while i < end {
                let g0 = gain(i, compact), g1 = gain(i &+ 4, compact)
                out.storeBytes(of: g0, toByteOffset: (i &- h0) &* 4, as: V.self)
                out.storeBytes(of: g1, toByteOffset: (i &- h0) &* 4 &+ 16, as: V.self)
                m0.replace(with: g0, where: g0 .> m0); m1.replace(with: g1, where: g1 .> m1)
                i &+= 8
            }
        }
        if compact { screen(true) } else { screen(false) }
        m0.replace(with: m1, where: m1 .> m0)
        let top = max(max(m0[0], m0[1]), max(m0[2], m0[3]))
        let floor = Float((above + parentScore) / unit)
        if !(top * (1 + screenTolerance) > floor) { return nil }
        let cut = V(repeating: max(top * (1 - screenTolerance), floor * (1 - screenTolerance)))
        var bi = -1, bg = above
        var j = 0
        while j < end &- h0 {
            let hits = out.loadUnaligned(fromByteOffset: j &* 4, as: V.self) .>= cut
            if any(hits) {
                for lane in 0..<4 where hits[lane] {
                    let k = min(h0 &+ j &+ lane, last)
                    let gain = exactGain(k)
                    if gain > bg { bg = gain; bi = k }        // scan order: the first of equal gains stays
                }
            }
            j &+= 4
        }
        return bi >= 0 ? (bi, bg) : nil
    }

    /// The fewest hessian levels `l` with `Double(l) × scale ≥ minimum` (how the plain twin tests a side).
    @inline(__always)
    private static func minimumLevels(_ minimum: Double, scale: Double) -> Int64 {
        if !(minimum > 0) { return 0 }
        // Beyond 2^52 levels no sum can reach it (fields are at most 31 bits); also keeps the steps below exact.
        let q = (minimum / scale).rounded(.up)
        if !(q <= 0x1p52) { return Int64.max }
        var l = Int64(q)
        while l > 0 && Double(l &- 1) * scale >= minimum { l &-= 1 }
        while Double(l) * scale < minimum { l &+= 1 }
        return l
    }

    /// Relative margin of the Float screen: a candidate is scored exactly when its Float gain is at least the
    /// largest × (1 − this). Each Float gain is within a few ulps (≤ 1e-6 relative) of its exact value.
    private static let screenTolerance: Float = 4e-6

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

    /// Plain twin of `scanPacked`: every candidate in LightGBM's order ("missing left" only at thresholds
    /// whose t + 1 is a multiple of the threshold step), each side's integer sums summed from the bins
    /// directly, `packedGain` in Double, the first strictly best kept.
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
        let step = c.thresholdStep(rows: Int(layout.count(total)), valueBins: k)
        if k >= 2 { for t in stride(from: k - 2, through: 0, by: -1) where (t + 1) % step == 0 { consider(t, missingLeft: true) } }
        if layout.count(words[k]) > 0 { for t in 0..<k { consider(t, missingLeft: false) } }
        return best
    }
}
