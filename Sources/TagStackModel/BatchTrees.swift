// Hot loop: batch scoring of an ensemble over many rows (`TreeEnsemble.rawScores`).
//
// Notes
// - Reads the row-major feature values and the packed nodes (read-only); writes only `out`.
// - Sums are Double, added tree by tree in tree order for every row, so each row's result equals the plain
//   twin `TreeEnsemble.rawScore(row:)` bit for bit (TreeTests compare them).
// - Complements `PackedTrees` (TreeEnsemble.swift), which is laid out for walking one row through every
//   tree (`ModelScorer`'s single-track path); this layout walks four rows at a time through one tree.

/// All trees of an ensemble packed into one node array for fast batch scoring.
///
/// Leaves are nodes too: a leaf has threshold +inf and sends everything (NaN included) to itself, so a walk
/// of exactly `depth` steps (the tree's maximum depth) ends on the row's leaf whatever path it took. That
/// makes the walk branch-free (each step is a compare and a select), and four rows walked together give the
/// CPU four independent chains of loads to overlap: no branch mispredictions, which dominate a plain walk.
struct BatchTrees {
    struct Node {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        /// 1 if NaN goes left.
        var nanLeft: UInt8
    }
    var nodes: [Node] = []
    /// Output of each node (used for leaves only).
    var values: [Double] = []
    /// Per tree: root node index and maximum depth.
    var roots: [(root: Int32, depth: Int)] = []

    init(_ trees: [Tree]) {
        for t in trees {
            let base = Int32(nodes.count)
            let leafBase = base + Int32(t.nodeCount)
            func map(_ c: Int32) -> Int32 { c >= 0 ? base + c : leafBase + ~c }
            for i in 0..<t.nodeCount {
                nodes.append(Node(threshold: t.threshold[i], feature: t.splitFeature[i], left: map(t.leftChild[i]),
                                  right: map(t.rightChild[i]), nanLeft: t.defaultLeft[i] ? 1 : 0))
                values.append(0)
            }
            for (k, v) in t.leafValue.enumerated() {
                let me = leafBase + Int32(k)
                nodes.append(Node(threshold: .infinity, feature: 0, left: me, right: me, nanLeft: 1))
                values.append(v)
            }
            // Maximum depth (internal nodes always point to later nodes, so one forward pass suffices).
            var depth = [Int](repeating: 0, count: t.nodeCount + t.leafCount)
            var maxDepth = 0
            for i in 0..<t.nodeCount {
                for c in [t.leftChild[i], t.rightChild[i]] {
                    let j = c >= 0 ? Int(c) : t.nodeCount + Int(~c)
                    depth[j] = depth[i] + 1
                    maxDepth = max(maxDepth, depth[j])
                }
            }
            roots.append((t.nodeCount == 0 ? leafBase : base, maxDepth))
        }
    }

    /// Adds every tree's output to `out[r]` for the rows in `rows`, tree by tree, in blocks of 32 rows (a
    /// block's rows stay in cache while every tree walks them), four rows at a time.
    func accumulate(x: UnsafePointer<Double>, stride: Int, rows: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        nodes.withUnsafeBufferPointer { nb in
            values.withUnsafeBufferPointer { vb in
                @inline(__always) func step(_ i: Int32, _ row: UnsafePointer<Double>) -> Int32 {
                    let n = nb[Int(i)]
                    let v = row[Int(n.feature)]
                    // Left when v <= threshold, or when v is NaN and NaN goes left.
                    let goLeft = (v <= n.threshold ? 1 : 0) | ((v.isNaN ? 1 : 0) & n.nanLeft)
                    return goLeft != 0 ? n.left : n.right
                }
                let block = 32
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let end = min(start + block, rows.upperBound)
                    for (root, depth) in roots {
                        var r = start
                        while r &+ 4 <= end {
                            let x0 = x + r &* stride, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride
                            var a = root, b = root, c = root, d = root
                            for _ in 0..<depth {
                                a = step(a, x0); b = step(b, x1); c = step(c, x2); d = step(d, x3)
                            }
                            out[r] += vb[Int(a)]; out[r &+ 1] += vb[Int(b)]
                            out[r &+ 2] += vb[Int(c)]; out[r &+ 3] += vb[Int(d)]
                            r &+= 4
                        }
                        while r < end {
                            let row = x + r &* stride
                            var a = root
                            for _ in 0..<depth { a = step(a, row) }
                            out[r] += vb[Int(a)]
                            r &+= 1
                        }
                    }
                    start = end
                }
            }
        }
    }
}
