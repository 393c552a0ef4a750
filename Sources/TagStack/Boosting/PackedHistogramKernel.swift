// HOT LOOP: integer histograms of quantized gradients (quantized training, see GradientQuantizer.swift).
//
// Notes
// - Layout: one Int64 per bin; a feature with `k` value bins owns `k + 1` consecutive bins (the last is the
//   reserved missing bin), features one after another at offsets the caller computes per tree, as in
//   HistogramKernel.swift but with one word per bin instead of three Doubles.
// - A bin word packs three integer sums (`PackedLayout`): the quantized gradients in the top bits (signed,
//   two's complement), the quantized hessians in the middle bits and the row count in the low bits. Each row
//   contributes one word (`gq << gradientShift + hq << hessianShift + 1`), so adding a row to a bin is ONE
//   integer add, where the exact kernel makes three Double adds. The fields never carry into each other:
//   the layout gives every field room for the sum over all the rows the model trains on (hessians and counts
//   are never negative, so the low fields cannot borrow; the top field's sign is the word's sign).
// - Subtraction (parent − child) is one integer subtraction per bin and exact: every field of the parent is
//   at least the child's.
// - Read-only: the bin columns, the leaf's row indices, the packed words of the rows. Written: only the
//   histogram buffer given (and the ordered-word buffer in `gather`). Different features write disjoint
//   ranges, so features can be built on different threads.
// - Order: integer sums are exact, so the result does not depend on the order rows are added in nor on the
//   thread count.
// The plain twins (`buildPlain`, `subtractPlain`) are what the tests compare `build`, `buildAllRows`,
// `build4` and `subtract` with.

/// Integer histogram kernels (namespace).
enum PackedHistogramKernel {
    /// Copies the packed words of `rows` into `ordered` (`ordered[k] = words[rows[k]]`) so the per-feature
    /// loops read them sequentially.
    @inline(__always)
    static func gather(rows: UnsafePointer<Int32>, count: Int, words: UnsafePointer<Int64>, ordered: UnsafeMutablePointer<Int64>) {
        for k in 0..<count { ordered[k] = words[Int(rows[k])] }
    }

    /// Builds one feature's histogram (zeroing it first) over `rows[0..<count]`, whose words were gathered
    /// into `ordered`.
    @inline(__always)
    static func build(column: UnsafePointer<UInt8>, rows: UnsafePointer<Int32>, ordered: UnsafePointer<Int64>,
                      count: Int, hist: UnsafeMutablePointer<Int64>, binCount: Int) {
        hist.update(repeating: 0, count: binCount)
        var k = 0
        while k &+ 3 < count {
            let b0 = Int(column[Int(rows[k])]), b1 = Int(column[Int(rows[k &+ 1])])
            let b2 = Int(column[Int(rows[k &+ 2])]), b3 = Int(column[Int(rows[k &+ 3])])
            hist[b0] &+= ordered[k]; hist[b1] &+= ordered[k &+ 1]
            hist[b2] &+= ordered[k &+ 2]; hist[b3] &+= ordered[k &+ 3]
            k &+= 4
        }
        while k < count { hist[Int(column[Int(rows[k])])] &+= ordered[k]; k &+= 1 }
    }

    /// Builds one feature's histogram over all rows `0..<count` in order (the root when every row is in the
    /// bag): no index indirection, words read in place.
    @inline(__always)
    static func buildAllRows(column: UnsafePointer<UInt8>, words: UnsafePointer<Int64>, count: Int,
                             hist: UnsafeMutablePointer<Int64>, binCount: Int) {
        hist.update(repeating: 0, count: binCount)
        var r = 0
        while r &+ 3 < count {
            hist[Int(column[r])] &+= words[r]; hist[Int(column[r &+ 1])] &+= words[r &+ 1]
            hist[Int(column[r &+ 2])] &+= words[r &+ 2]; hist[Int(column[r &+ 3])] &+= words[r &+ 3]
            r &+= 4
        }
        while r < count { hist[Int(column[r])] &+= words[r]; r &+= 1 }
    }

    /// Builds four features' histograms in one pass over the rows (each row's index and word are loaded once
    /// for all four). `rows == nil` means all rows `0..<count` in order, words read in place from `words`
    /// instead of `ordered`.
    @inline(__always)
    static func build4(columns c: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>),
                       hists h: (UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>),
                       binCounts n: (Int, Int, Int, Int), rows: UnsafePointer<Int32>?, ordered: UnsafePointer<Int64>,
                       words: UnsafePointer<Int64>, count: Int) {
        h.0.update(repeating: 0, count: n.0)
        h.1.update(repeating: 0, count: n.1)
        h.2.update(repeating: 0, count: n.2)
        h.3.update(repeating: 0, count: n.3)
        @inline(__always) func add(_ r: Int, _ w: Int64) {
            h.0[Int(c.0[r])] &+= w; h.1[Int(c.1[r])] &+= w
            h.2[Int(c.2[r])] &+= w; h.3[Int(c.3[r])] &+= w
        }
        if let rows = rows {
            for k in 0..<count { add(Int(rows[k]), ordered[k]) }
        } else {
            for r in 0..<count { add(r, words[r]) }
        }
    }

    /// `target[i] -= child[i]` for `count` bins: turns the parent's histogram into the sibling's.
    @inline(__always)
    static func subtract(_ target: UnsafeMutablePointer<Int64>, _ child: UnsafePointer<Int64>, count: Int) {
        for i in 0..<count { target[i] &-= child[i] }
    }

    // MARK: - Plain twins (reference for tests)

    /// Plain twin of `build`/`buildAllRows`/`build4`: per bin, the three sums kept apart (gradient, hessian,
    /// count) and packed at the end, so the test also checks that packing the sums equals summing the packed words.
    static func buildPlain(column: [UInt8], rows: [Int32], gradients: [Int], hessians: [Int], binCount: Int,
                           layout: PackedLayout) -> [Int64] {
        var g = [Int](repeating: 0, count: binCount), h = g, c = g
        for r in rows {
            let b = Int(column[Int(r)])
            g[b] += gradients[Int(r)]; h[b] += hessians[Int(r)]; c[b] += 1
        }
        return (0..<binCount).map { layout.pack(gradient: g[$0], hessian: h[$0], count: c[$0]) }
    }

    /// Plain twin of `subtract`.
    static func subtractPlain(_ parent: [Int64], _ child: [Int64]) -> [Int64] {
        zip(parent, child).map { $0 &- $1 }
    }
}
