// Quantized training (LightGBM 4's `use_quantized_grad`; Shi et al., "Quantized Training of Gradient
// Boosting Decision Trees", NeurIPS 2022): each round the gradients and hessians are rounded to a few integer
// levels so that histograms are integer sums (PackedHistogramKernel.swift), and only the leaf values are
// computed from the exact gradients.
//
// Notes
// - Levels: with `bins = B`, gradients go to the integers in [-B/2, B/2] (scale max|g| / (B/2)) and hessians
//   to [0, B] (scale max h / B), with stochastic rounding (round up with probability equal to the fraction),
//   so each quantized value is the exact one in expectation. The uniform numbers come from a hash of
//   (seed, round, row), so the result depends neither on the order rows are visited in nor on threads.
// - Splits are chosen on the quantized sums (decoded: integer sum × scale); the leaf values are then
//   renewed from the exact Float gradients and hessians of the leaf's rows (LightGBM's
//   `quant_train_renew_leaf`), which is what keeps the log loss of exact training.
// - Packing (`PackedLayout`): count in the low bits, hessian sum above it, signed gradient sum on top, each
//   field wide enough for the sum over every training row, so no field ever overflows into the next. A
//   layout that does not fit 63 bits (over about a million rows at 4 levels) is refused: training falls
//   back to the exact kernels (HistogramKernel.swift).
// The plain twin is `quantizePlain` (same levels, one row at a time, unpacked).

/// How three integer sums share one 64-bit histogram word: the count in the low bits, the hessian sum
/// above it, the gradient sum on top. The count and hessian fields are unsigned and never overflow (each
/// wide enough for the sum over every row), so sums and differences of words never carry between fields;
/// the gradient field on top is signed (two's complement: a word is `Σg·2^gradientShift + lower fields`),
/// so the gradient sum is the word shifted right arithmetically, one instruction. The gradient field starts
/// at bit 32 or above, and the hessian field (at most 31 bits) ends below it, so both level sums are exact
/// Int32s and each converts to Double exactly.
struct PackedLayout: Equatable {
    let hessianShift: Int
    let gradientShift: Int
    let countMask: Int64
    let hessianMask: Int64

    /// The layout for sums over at most `maxRows` rows of levels in [-bins/2, bins/2] (gradients) and
    /// [0, bins] (hessians), or nil when they do not fit.
    init?(bins: Int, maxRows: Int) {
        guard bins >= 2, maxRows >= 1 else { return nil }
        func bitLength(_ v: Int) -> Int { Int.bitWidth - v.leadingZeroBitCount }
        // Hessian sums up to bins·rows; gradient sums within ±(bins/2)·rows, signed: one bit more than half that.
        let (fieldMax, overflow) = bins.multipliedReportingOverflow(by: maxRows)
        if overflow { return nil }
        let countBits = bitLength(maxRows), fieldBits = bitLength(fieldMax)
        guard countBits + 2 * fieldBits <= 63 else { return nil }
        hessianShift = countBits
        // The gradient field starts at bit 32 at the lowest, so the split scan reads it from a word's high
        // half (one 32-bit arithmetic shift, SplitFinder.bestCandidate); it then has 32 bits or more.
        gradientShift = max(countBits + fieldBits, 32)
        countMask = (1 << Int64(countBits)) - 1
        hessianMask = (1 << Int64(fieldBits)) - 1
    }

    /// The word of sums (gradient levels `g`, hessian levels `h`, `c` rows): one row's word with `c = 1`.
    @inline(__always)
    func pack(gradient g: Int, hessian h: Int, count c: Int) -> Int64 {
        (Int64(g) &<< Int64(gradientShift)) &+ (Int64(h) &<< Int64(hessianShift)) &+ Int64(c)
    }

    @inline(__always) func count(_ w: Int64) -> Int64 { w & countMask }
    // Masking shifts (`&>>`): the shifts are below 64 by construction, so no overflow check in the scan.
    @inline(__always) func hessian(_ w: Int64) -> Int64 { (w &>> Int64(hessianShift)) & hessianMask }
    @inline(__always) func gradient(_ w: Int64) -> Int64 { w &>> Int64(gradientShift) }     // arithmetic

    /// A word's sums (gradient, hessian, count) as Doubles on the original scale: levels × each one's value.
    @inline(__always)
    func decode(_ w: Int64, gradientScale: Double, hessianScale: Double) -> (Double, Double, Double) {
        (Double(gradient(w)) * gradientScale, Double(hessian(w)) * hessianScale, Double(count(w)))
    }
}

/// The quantization of one round: scales, and each training row's packed word.
struct GradientQuantizer {
    let bins: Int
    let layout: PackedLayout

    /// Value of one gradient / hessian level in the last `quantize` call (1 when every value was zero).
    private(set) var gradientScale = 1.0
    private(set) var hessianScale = 1.0

    init?(bins: Int, maxRows: Int) {
        guard let layout = PackedLayout(bins: bins, maxRows: maxRows) else { return nil }
        self.bins = bins; self.layout = layout
    }

    /// Two uniform numbers in [0, 1) for (round, row), from a SplitMix64-style hash.
    @inline(__always)
    static func uniforms(seed: UInt64, round: Int, row: Int) -> (Double, Double) {
        let z = SplitMix64.mix(seed &+ (UInt64(truncatingIfNeeded: round) &<< 32 | UInt64(truncatingIfNeeded: row)) &* 0x9E37_79B9_7F4A_7C15)
        let unit = 1.0 / Double(1 << 24)
        return (Double(z >> 40) * unit, Double((z >> 16) & 0xFF_FFFF) * unit)
    }

    /// Quantizes the gradients and hessians of `rows` for round `round` into `words` (indexed by row) and
    /// sets the scales. `seed` names the rounding noise's stream (one of its own: the bag and feature
    /// draws are unchanged by it).
    mutating func quantize(rows: UnsafeBufferPointer<Int32>, gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>,
                           round: Int, seed: UInt64, words: UnsafeMutablePointer<Int64>) {
        var maxG: Float = 0, maxH: Float = 0
        for r32 in rows {
            let r = Int(r32)
            maxG = max(maxG, abs(gradients[r])); maxH = max(maxH, hessians[r])
        }
        let half = Double(bins / 2)
        // All zero: every level is 0, and a scale of 1 keeps the scales positive for the split scan.
        gradientScale = maxG > 0 ? Double(maxG) / half : 1
        hessianScale = maxH > 0 ? Double(maxH) / Double(bins) : 1
        let gInv = maxG > 0 ? half / Double(maxG) : 0, hInv = maxH > 0 ? Double(bins) / Double(maxH) : 0
        let gHi = bins / 2, hHi = bins
        for r32 in rows {
            let r = Int(r32)
            let (u, v) = Self.uniforms(seed: seed, round: round, row: r)
            // Clamped: x·inv can round a hair above the top level.
            let gq = min(max(Self.floor(Double(gradients[r]) * gInv + u), -gHi), gHi)
            let hq = min(max(Self.floor(Double(hessians[r]) * hInv + v), 0), hHi)
            words[r] = layout.pack(gradient: gq, hessian: hq, count: 1)
        }
    }

    /// ⌊x⌋ for |x| < 2⁶³ (the levels are within ±bins), exactly `Int(x.rounded(.down))`, without the call to
    /// libm's `floor` that `rounded(.down)` compiles to on baseline x86-64 (no SSE4.1 `roundsd`).
    @inline(__always)
    static func floor(_ x: Double) -> Int {
        let t = Int(x)            // toward zero
        return Double(t) > x ? t - 1 : t
    }

    // MARK: - Plain twin

    /// Plain twin of `quantize`: per row of `rows`, the integer levels (gradient, hessian), and the scales.
    static func quantizePlain(rows: [Int32], gradients: [Float], hessians: [Float], bins: Int, seed: UInt64,
                              round: Int) -> (levels: [Int32: (Int, Int)], gradientScale: Double, hessianScale: Double) {
        let maxG = rows.map { abs(gradients[Int($0)]) }.max() ?? 0
        let maxH = rows.map { hessians[Int($0)] }.max() ?? 0
        var levels: [Int32: (Int, Int)] = [:]
        for r in rows {
            let (u, v) = uniforms(seed: seed, round: round, row: Int(r))
            let x = maxG > 0 ? Double(gradients[Int(r)]) * (Double(bins / 2) / Double(maxG)) : 0
            let y = maxH > 0 ? Double(hessians[Int(r)]) * (Double(bins) / Double(maxH)) : 0
            levels[r] = (Int(min(max((x + u).rounded(.down), -Double(bins / 2)), Double(bins / 2))),
                         Int(min(max((y + v).rounded(.down), 0), Double(bins))))
        }
        return (levels, maxG > 0 ? Double(maxG) / Double(bins / 2) : 1, maxH > 0 ? Double(maxH) / Double(bins) : 1)
    }
}
