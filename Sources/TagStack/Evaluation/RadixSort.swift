// HOT LOOP: sorting integer keys (the decision searches' `DescendingCurve`: one tag's scores as UInt64 keys, a
// few thousand to a hundred thousand of them, sorted for every threshold search and ranking metric).
//
// Notes
// - Least-significant-digit radix sort, 8 bits a pass: one pass counts all eight digits' histograms, then each
//   digit whose keys are not all in one bucket scatters the keys into the other buffer (stable). Keys of
//   scores in a narrow range share their high bytes, so most of those passes are skipped.
// - Sorted integers are one sequence whatever the method, so the result is `Array.sort()`'s bit for bit (the
//   plain twin the tests compare with); below `smallCount` keys the standard sort is used.
// - Reads and writes only the array given and one scratch buffer of the same size.

enum RadixSort {
    /// Below this many keys the standard library's sort is faster than eight histograms.
    static let smallCount = 256

    /// Sorts `keys` in increasing order.
    static func sort(_ keys: inout [UInt64]) {
        let n = keys.count
        if n < smallCount { keys.sort(); return }
        // The scratch buffer is written before it is read (every pass scatters all n keys).
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { scratch.deallocate() }
        var counts = [Int](repeating: 0, count: 8 * 256)
        keys.withUnsafeMutableBufferPointer { a in
            counts.withUnsafeMutableBufferPointer { c in
                var src = a.baseAddress!, dst = scratch
                let c = c.baseAddress!
                for i in 0..<n {
                    let k = src[i]
                    for d in 0..<8 { c[d &* 256 &+ Int(truncatingIfNeeded: (k >> UInt64(8 &* d)) & 0xFF)] &+= 1 }
                }
                for d in 0..<8 {
                    let h = c + d &* 256
                    // All keys in one bucket: this digit orders nothing.
                    if h[Int(truncatingIfNeeded: (src[0] >> UInt64(8 &* d)) & 0xFF)] == n { continue }
                    var sum = 0
                    for v in 0..<256 { let x = h[v]; h[v] = sum; sum &+= x }
                    let shift = UInt64(8 &* d)
                    for i in 0..<n {
                        let k = src[i], v = Int(truncatingIfNeeded: (k >> shift) & 0xFF)
                        dst[h[v]] = k; h[v] &+= 1
                    }
                    swap(&src, &dst)
                }
                if src != a.baseAddress! { a.baseAddress!.update(from: src, count: n) }
            }
        }
    }
}
