// HOT LOOP: histogram building and subtraction.
//
// Notes
// - Layout: a leaf's histogram is one contiguous Double buffer. A feature with `k` value bins owns
//   `k + 1` consecutive bins (the last, index `k`, is the reserved missing bin); each bin is 3 Doubles:
//   sum of gradients, sum of hessians, row count. Features sit one after another at offsets the caller
//   computes per tree (only the features drawn for the tree get space).
// - Read-only: the bin columns (`BinnedMatrix.bins`), the row indices of the leaf, the gradients and
//   hessians. Written: only the histogram buffer given (and the ordered-gradient buffer in `gather`).
//   Different features write disjoint ranges, so features can be built on different threads.
// - Precision: gradients and hessians are Float (half the memory traffic of the gather, and as in
//   LightGBM), sums are Double so that adding thousands of rows loses nothing that matters and histogram
//   subtraction (parent − child) stays exact enough to choose the same split as a direct build.
// - Order: rows are added in the order of the leaf's index range, so the result is identical whatever
//   thread builds the feature (determinism across thread counts).
// The plain twins (`buildPlain`, `subtractPlain`) are the reference the tests compare `build`,
// `buildAllRows`, `build4` and `subtract` with (bit for bit).

/// Histogram kernels (namespace).
enum HistogramKernel {
    /// Doubles per bin: gradient sum, hessian sum, count.
    static let binStride = 3

    /// Copies the gradients and hessians of `rows` into `ordered` as interleaved pairs
    /// (`ordered[2k] = g[rows[k]]`, `ordered[2k+1] = h[rows[k]]`) so the per-feature loops read them sequentially.
    @inline(__always)
    static func gather(rows: UnsafePointer<Int32>, count: Int, gradients: UnsafePointer<Float>,
                       hessians: UnsafePointer<Float>, ordered: UnsafeMutablePointer<Float>) {
        for k in 0..<count {
            let r = Int(rows[k])
            ordered[2 &* k] = gradients[r]
            ordered[2 &* k &+ 1] = hessians[r]
        }
    }

    /// Builds one feature's histogram (zeroing it first) over the rows `rows[0..<count]`, whose gradients
    /// were gathered into `ordered`. `column` is the feature's bin column, `binCount` its bins including
    /// the missing bin.
    @inline(__always)
    static func build(column: UnsafePointer<UInt8>, rows: UnsafePointer<Int32>, ordered: UnsafePointer<Float>,
                      count: Int, hist: UnsafeMutablePointer<Double>, binCount: Int) {
        hist.update(repeating: 0, count: binCount &* binStride)
        var k = 0
        // Two rows per step: independent loads overlap; the adds stay in row order per bin.
        while k &+ 1 < count {
            let b0 = Int(column[Int(rows[k])]) &* 3
            let b1 = Int(column[Int(rows[k &+ 1])]) &* 3
            let g0 = Double(ordered[2 &* k]), h0 = Double(ordered[2 &* k &+ 1])
            let g1 = Double(ordered[2 &* k &+ 2]), h1 = Double(ordered[2 &* k &+ 3])
            hist[b0] += g0; hist[b0 &+ 1] += h0; hist[b0 &+ 2] += 1
            hist[b1] += g1; hist[b1 &+ 1] += h1; hist[b1 &+ 2] += 1
            k &+= 2
        }
        if k < count {
            let b0 = Int(column[Int(rows[k])]) &* 3
            hist[b0] += Double(ordered[2 &* k]); hist[b0 &+ 1] += Double(ordered[2 &* k &+ 1]); hist[b0 &+ 2] += 1
        }
    }

    /// Builds one feature's histogram over all rows `0..<count` in order (the root when every row is in
    /// the bag): no index indirection, gradients read in place.
    @inline(__always)
    static func buildAllRows(column: UnsafePointer<UInt8>, gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>,
                             count: Int, hist: UnsafeMutablePointer<Double>, binCount: Int) {
        hist.update(repeating: 0, count: binCount &* binStride)
        var r = 0
        while r &+ 1 < count {
            let b0 = Int(column[r]) &* 3, b1 = Int(column[r &+ 1]) &* 3
            let g0 = Double(gradients[r]), h0 = Double(hessians[r])
            let g1 = Double(gradients[r &+ 1]), h1 = Double(hessians[r &+ 1])
            hist[b0] += g0; hist[b0 &+ 1] += h0; hist[b0 &+ 2] += 1
            hist[b1] += g1; hist[b1 &+ 1] += h1; hist[b1 &+ 2] += 1
            r &+= 2
        }
        if r < count {
            let b0 = Int(column[r]) &* 3
            hist[b0] += Double(gradients[r]); hist[b0 &+ 1] += Double(hessians[r]); hist[b0 &+ 2] += 1
        }
    }

    /// Builds the histograms of four features in one pass over the rows (each row's index and gradients
    /// are loaded once for all four). Per feature the adds happen in row order, so each histogram equals
    /// what `build` makes for that feature alone, bit for bit. `rows == nil` means all rows `0..<count` in
    /// order, with gradients read in place from `gradients`/`hessians` instead of `ordered`.
    @inline(__always)
    static func build4(columns c: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>),
                       hists h: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>),
                       binCounts n: (Int, Int, Int, Int), rows: UnsafePointer<Int32>?, ordered: UnsafePointer<Float>,
                       gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>, count: Int) {
        h.0.update(repeating: 0, count: n.0 &* binStride)
        h.1.update(repeating: 0, count: n.1 &* binStride)
        h.2.update(repeating: 0, count: n.2 &* binStride)
        h.3.update(repeating: 0, count: n.3 &* binStride)
        @inline(__always) func add(_ r: Int, _ g: Double, _ hh: Double) {
            let b0 = Int(c.0[r]) &* 3, b1 = Int(c.1[r]) &* 3, b2 = Int(c.2[r]) &* 3, b3 = Int(c.3[r]) &* 3
            h.0[b0] += g; h.0[b0 &+ 1] += hh; h.0[b0 &+ 2] += 1
            h.1[b1] += g; h.1[b1 &+ 1] += hh; h.1[b1 &+ 2] += 1
            h.2[b2] += g; h.2[b2 &+ 1] += hh; h.2[b2 &+ 2] += 1
            h.3[b3] += g; h.3[b3 &+ 1] += hh; h.3[b3 &+ 2] += 1
        }
        if let rows = rows {
            for k in 0..<count {
                add(Int(rows[k]), Double(ordered[2 &* k]), Double(ordered[2 &* k &+ 1]))
            }
        } else {
            for r in 0..<count {
                add(r, Double(gradients[r]), Double(hessians[r]))
            }
        }
    }

    /// `target[i] -= child[i]` for `count` Doubles: turns the parent's histogram into the sibling's.
    @inline(__always)
    static func subtract(_ target: UnsafeMutablePointer<Double>, _ child: UnsafePointer<Double>, count: Int) {
        for i in 0..<count { target[i] -= child[i] }
    }

    // MARK: - Plain twins (reference for tests)

    /// Plain twin of `build`/`buildAllRows`: one feature's histogram over `rows`, as a fresh array.
    static func buildPlain(column: [UInt8], rows: [Int32], gradients: [Float], hessians: [Float], binCount: Int) -> [Double] {
        var hist = [Double](repeating: 0, count: binCount * binStride)
        for r in rows {
            let b = Int(column[Int(r)])
            hist[3 * b] += Double(gradients[Int(r)])
            hist[3 * b + 1] += Double(hessians[Int(r)])
            hist[3 * b + 2] += 1
        }
        return hist
    }

    /// Plain twin of `subtract`.
    static func subtractPlain(_ parent: [Double], _ child: [Double]) -> [Double] {
        zip(parent, child).map { $0 - $1 }
    }
}
