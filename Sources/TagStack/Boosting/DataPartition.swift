// HOT LOOP: LightGBM's data partition. The rows of every leaf are kept contiguous in one index array;
// splitting a leaf partitions its range in place (stable: left rows first, both sides keep their order).
//
// Notes
// - Read-only: the split feature's bin column. Written: the leaf's range of `indices` and the `scratch`
//   buffer (same capacity as `indices`), used to hold the right-hand rows while the left ones are compacted.
// - Stability keeps each leaf's rows in increasing bag order, so histogram sums run in a fixed order.
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
        for k in 0..<count {
            let r = base[k]
            let b = column[Int(r)]
            let left = b == miss ? defaultLeft : b <= t
            if left { base[nl] = r; nl &+= 1 } else { scratch[nr] = r; nr &+= 1 }
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
