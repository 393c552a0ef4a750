// HOT LOOP: LightGBM's data partition. The rows of every leaf are kept contiguous in one index array;
// splitting a leaf partitions its range in place (stable: left rows first, both sides keep their order).
//
// Notes
// - Read-only: the split feature's bin column. Written: the leaf's range of `indices` and the `scratch`
//   buffer (same capacity as `indices`), used to hold the right-hand rows while the left ones are compacted.
// - Stability keeps each leaf's rows in increasing bag order, so histogram sums run in a fixed order.
// - The loop has no data-dependent branch (the side a row goes to is added to both counters as 0 or 1).
// - Routing matches the trees: bin `<= thresholdBin` goes left; the missing bin goes to `defaultLeft`.
// The plain twin is `partitionPlain`.

enum DataPartition {
    /// Partitions `indices[begin..<begin+count]`; returns the number of rows that went left.
    @inline(__always)
    static func partition(indices: UnsafeMutablePointer<Int32>, scratch: UnsafeMutablePointer<Int32>,
                          begin: Int, count: Int, column: UnsafePointer<UInt8>,
                          thresholdBin: Int, missingBin: Int, defaultLeft: Bool) -> Int {
        let base = indices + begin
        var nl = 0, nr = 0
        let t = UInt8(thresholdBin), miss = UInt8(missingBin)
        // Branch-free: every row is written to both sides and only the side it belongs to advances (a split
        // sends rows either way unpredictably; a mispredicted branch a row cost more than the extra store).
        // Writing `base[nl]` is safe: `nl <= k`, so the slot was already read.
        let missLeft = defaultLeft ? 1 : 0
        for k in 0..<count {
            let r = base[k]
            let b = column[Int(r)]
            let isMissing = b == miss ? 1 : 0
            let goesLeft = isMissing & missLeft | (1 &- isMissing) & (b <= t ? 1 : 0)
            base[nl] = r; scratch[nr] = r
            nl &+= goesLeft; nr &+= 1 &- goesLeft
        }
        (base + nl).update(from: scratch, count: nr)
        return nl
    }

    /// Plain twin of `partition`: returns the left rows and the right rows.
    static func partitionPlain(rows: [Int32], column: [UInt8], thresholdBin: Int, missingBin: Int,
                               defaultLeft: Bool) -> (left: [Int32], right: [Int32]) {
        var l: [Int32] = [], r: [Int32] = []
        for row in rows {
            let b = Int(column[Int(row)])
            let goLeft = b == missingBin ? defaultLeft : b <= thresholdBin
            if goLeft { l.append(row) } else { r.append(row) }
        }
        return (l, r)
    }
}
