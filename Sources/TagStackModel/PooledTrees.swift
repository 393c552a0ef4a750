// Hot loop: all of one track's pooled tags through the shared pooled ensemble (`ModelScorer`'s single-track
// path, and row by row its batch path). Each tree is walked once for all the tags at once: a node splits the
// set of tags that reach it (a 256-bit set, `TagSet`) into the tags that go left and those that go right.
//
// Notes for the hot loop (`accumulate`):
// - reads the tags' rows (`rows`, read-only, one per pooled tag: the per-track features only; the tag values
//   are folded into `tagLeft`) and the tables below (read-only); writes only the caller's `Scratch` and `raw`
//   (one Double per tag, its starting score on entry);
// - per track and feature, each tag's value is binned once (`bin` = how many of the feature's thresholds are
//   `< value`, a branch-free search over the sorted thresholds; NaN gets bin 0) and the tags are ordered by bin
//   with a counting sort: the tags that fail a node with threshold number `q` (go right: `value > threshold`,
//   i.e. `q < bin`) are then the first `gt[q]` tags of that order, one of `tags + 1` prefix sets built once
//   per feature (`sets`; `fidx[cut]` points at the right one), so a node's split costs a table look-up and two
//   ANDs of 4 words, whatever the number of tags;
// - the comparison rule is Tree.swift's: NaN goes to `defaultLeft`'s side (bin 0 never fails a threshold; the
//   feature's NaN tags are ORed into the failing set of nodes that send NaN right); tag-level splits are
//   resolved at load into `tagLeft` (per tag-level node, the tags whose value is `<= threshold`; tag values
//   are finite, `StackerModel.validate`);
// - order: trees one after another in tree order; within a tree each tag reaches exactly one leaf and adds
//   its value to its own `raw`, so each result equals the plain twin `TreeEnsemble.rawScore(row:initScore:)`
//   over the tag's full vector (features, then tag values) bit for bit (PooledTreesTests, NaNs included);
// - tags go in chunks of 256 (`chunk`), each chunk a pass over the ensemble;
// - cost (190 tags × 222 trees of 63 leaves, Data/, `/tmp/p2/h-*` thread-CPU harness, see the README's
//   Latency paragraph): about 13,800 node visits and 42,180 leaf additions a track, against the previous
//   bitvector layout's 174,000 node records scanned and 1,330 searches per track.

/// The shared ensemble of a pooled model, laid out to score every pooled tag of a track in one walk per tree.
struct PooledTrees: Sendable {
    /// Tags per pass over the ensemble (a `TagSet`'s bits).
    static let chunk = 256
    typealias TagSet = SIMD4<UInt64>

    let tagCount: Int
    let treeCount: Int
    /// Track features (the tag values follow them in a pooled vector and are resolved per tag).
    let featureCount: Int
    /// Per track feature, its distinct split thresholds, ascending (`cutStart[j]..<cutStart[j + 1]`); per
    /// threshold (global number) its feature.
    let cuts: [Double]
    let cutStart: [Int]
    let cutFeature: [Int32]
    /// An internal node: `test >= 0` a split on a track feature, threshold number `test >> 1` (global), NaN
    /// right when `test & 1`; `test < 0` the tag-level split `~test` (`tagLeft`). Children: `>= 0` a node
    /// (global number), `< 0` the leaf `~child` (global number, `leafValues`).
    struct Node {
        var test: Int32
        var left: Int32
        var right: Int32
    }
    let nodes: [Node]
    /// Per tree its root: a node, or `~leaf` for a tree without splits.
    let roots: [Int32]
    let leafValues: [Double]
    /// Per chunk and tag-level split (`chunk * tagSplitCount + k`), the chunk's tags that go left.
    let tagLeft: [TagSet]
    let tagSplitCount: Int
    /// The most internal nodes of a tree (the walk's stack).
    let maxNodes: Int

    /// - Parameters:
    ///   - trees: the shared ensemble, over vectors of `featureCount` track features then the tag values.
    ///   - tagValues: per pooled tag its tag values (finite).
    init(_ trees: [Tree], featureCount: Int, tagValues: [[Double]]) {
        let f = featureCount
        var perFeature = [[Double]](repeating: [], count: f)
        for t in trees { for i in 0..<t.nodeCount where Int(t.splitFeature[i]) < f { perFeature[Int(t.splitFeature[i])].append(t.threshold[i]) } }
        var cuts: [Double] = [], cutStart = [0], cutFeature: [Int32] = []
        for (j, v) in perFeature.enumerated() {
            let s = Array(Set(v)).sorted()
            cuts += s; cutStart.append(cuts.count); cutFeature += [Int32](repeating: Int32(j), count: s.count)
        }
        var nodes: [Node] = [], roots: [Int32] = [], leafValues: [Double] = []
        var tagSplits: [(feature: Int, threshold: Double)] = []
        for t in trees {
            let nodeBase = Int32(nodes.count), leafBase = Int32(leafValues.count)
            leafValues += t.leafValue
            func child(_ c: Int32) -> Int32 { c >= 0 ? nodeBase + c : ~(leafBase + ~c) }
            roots.append(t.nodeCount == 0 ? ~leafBase : nodeBase)
            for i in 0..<t.nodeCount {
                let j = Int(t.splitFeature[i])
                let test: Int32
                if j < f {
                    var lo = cutStart[j], hi = cutStart[j + 1]   // the threshold's global number
                    while lo < hi { let mid = (lo + hi) / 2; if cuts[mid] < t.threshold[i] { lo = mid + 1 } else { hi = mid } }
                    test = Int32(lo) << 1 | (t.defaultLeft[i] ? 0 : 1)
                } else {
                    test = ~Int32(tagSplits.count)
                    tagSplits.append((j - f, t.threshold[i]))
                }
                nodes.append(Node(test: test, left: child(t.leftChild[i]), right: child(t.rightChild[i])))
            }
        }
        var tagLeft: [TagSet] = []
        for first in stride(from: 0, to: tagValues.count, by: PooledTrees.chunk) {
            let n = min(PooledTrees.chunk, tagValues.count - first)
            for (j, threshold) in tagSplits {
                var s = TagSet()
                for i in 0..<n where tagValues[first + i][j] <= threshold { s[i >> 6] |= 1 << UInt64(i & 63) }
                tagLeft.append(s)
            }
        }
        tagCount = tagValues.count; treeCount = trees.count; self.featureCount = f
        self.cuts = cuts; self.cutStart = cutStart; self.cutFeature = cutFeature
        self.nodes = nodes; self.roots = roots; self.leafValues = leafValues
        self.tagLeft = tagLeft; tagSplitCount = tagSplits.count
        maxNodes = trees.map(\.nodeCount).max() ?? 0
    }

    /// Per-thread scratch for `accumulate` (make one per thread with `makeScratch()`).
    final class Scratch {
        let bins: UnsafeMutablePointer<Int32>, order: UnsafeMutablePointer<Int32>, counts: UnsafeMutablePointer<Int32>
        let fidx: UnsafeMutablePointer<Int32>
        let sets: UnsafeMutablePointer<TagSet>, nanSets: UnsafeMutablePointer<TagSet>
        let stackNode: UnsafeMutablePointer<Int32>, stackSet: UnsafeMutablePointer<TagSet>
        init(chunk: Int, features: Int, cuts: Int, maxCuts: Int, stack: Int) {
            bins = .allocate(capacity: chunk); order = .allocate(capacity: chunk); counts = .allocate(capacity: maxCuts + 1)
            fidx = .allocate(capacity: max(cuts, 1))
            sets = .allocate(capacity: max(features * (chunk + 1), 1)); nanSets = .allocate(capacity: max(features, 1))
            stackNode = .allocate(capacity: stack); stackSet = .allocate(capacity: stack)
        }
        deinit {
            bins.deallocate(); order.deallocate(); counts.deallocate(); fidx.deallocate()
            sets.deallocate(); nanSets.deallocate(); stackNode.deallocate(); stackSet.deallocate()
        }
    }

    func makeScratch() -> Scratch {
        var maxCuts = 0
        for j in 0..<featureCount { maxCuts = max(maxCuts, cutStart[j + 1] - cutStart[j]) }
        return Scratch(chunk: min(tagCount, PooledTrees.chunk), features: featureCount, cuts: cuts.count, maxCuts: maxCuts,
                       stack: maxNodes + 2)
    }

    /// Adds every tree's output for each tag to `raw[tag]`, in tree order. Tag `s`'s track features are at
    /// `rows + s * stride` (`featureCount` values).
    func accumulate(rows: UnsafePointer<Double>, stride: Int, into raw: UnsafeMutablePointer<Double>, scratch sc: Scratch) {
        let f = featureCount, width = min(tagCount, PooledTrees.chunk) + 1
        cuts.withUnsafeBufferPointer { cuts in
        cutStart.withUnsafeBufferPointer { cutStart in
        cutFeature.withUnsafeBufferPointer { cutFeature in
        nodes.withUnsafeBufferPointer { nodes in
        roots.withUnsafeBufferPointer { roots in
        leafValues.withUnsafeBufferPointer { leafValues in
        tagLeft.withUnsafeBufferPointer { tagLeft in
            let bins = sc.bins, order = sc.order, counts = sc.counts, fidx = sc.fidx, sets = sc.sets, nanSets = sc.nanSets
            var first = 0
            while first < tagCount {
                let n = min(PooledTrees.chunk, tagCount - first)
                var anyNaN = false
                // Per feature: bins, the tags ordered by bin (largest first), the prefix sets, and per threshold
                // its failing set.
                for j in 0..<f {
                    let c0 = cutStart[j], nc = cutStart[j + 1] - c0
                    counts.update(repeating: 0, count: nc + 1)
                    var nanSet = TagSet()
                    for i in 0..<n {
                        let v = rows[(first + i) * stride + j]
                        var b = 0
                        if v.isNaN {
                            nanSet[i >> 6] |= 1 << UInt64(i & 63)
                        } else if nc > 0 {
                            // Branch-free lower bound: the answer stays in [lo, lo + len].
                            var lo = c0, len = nc
                            while len > 1 {
                                let half = len >> 1
                                lo = cuts[lo &+ half] < v ? lo &+ half : lo
                                len &-= half
                            }
                            b = lo &- c0 &+ (cuts[lo] < v ? 1 : 0)
                        }
                        bins[i] = Int32(truncatingIfNeeded: b)
                        counts[b] &+= 1
                    }
                    nanSets[j] = nanSet
                    if nanSet != TagSet() { anyNaN = true }
                    // counts[b] becomes the number of tags with a larger bin (their start in the order).
                    var above: Int32 = 0
                    var b = nc
                    while b >= 0 { let c = counts[b]; counts[b] = above; above &+= c; b -= 1 }
                    let base = j * width
                    for q in 0..<nc { fidx[c0 + q] = Int32(truncatingIfNeeded: base) &+ counts[q] }
                    for i in 0..<n { let b = Int(bins[i]); order[Int(counts[b])] = Int32(truncatingIfNeeded: i); counts[b] &+= 1 }
                    var s = TagSet()
                    sets[base] = s
                    for k in 0..<n {
                        let i = Int(order[k])
                        s[i >> 6] |= 1 << UInt64(i & 63)
                        sets[base + k + 1] = s
                    }
                }
                let chunkLeft = tagLeft.baseAddress! + (first / PooledTrees.chunk) * tagSplitCount
                var all = TagSet()
                for i in 0..<n { all[i >> 6] |= 1 << UInt64(i & 63) }
                let r = raw + first
                @inline(__always) func add(_ leaf: Int32, _ s: TagSet) {
                    let v = leafValues[Int(~leaf)]
                    for w in 0..<4 {
                        var x = s[w]
                        while x != 0 {
                            r[w << 6 | x.trailingZeroBitCount] += v
                            x &= x &- 1
                        }
                    }
                }
                for t in 0..<treeCount {
                    let root = roots[t]
                    if root < 0 { add(root, all); continue }
                    sc.stackNode[0] = root; sc.stackSet[0] = all
                    var sp = 1
                    while sp > 0 {
                        sp -= 1
                        let node = nodes[Int(sc.stackNode[sp])], s = sc.stackSet[sp]
                        let right: TagSet
                        if node.test >= 0 {
                            var fail = sets[Int(fidx[Int(node.test >> 1)])]
                            if anyNaN && node.test & 1 != 0 { fail |= nanSets[Int(cutFeature[Int(node.test >> 1)])] }
                            right = s & fail
                        } else {
                            right = s & ~chunkLeft[Int(~node.test)]
                        }
                        let left = s & ~right
                        if left != TagSet() {
                            if node.left < 0 { add(node.left, left) } else { sc.stackNode[sp] = node.left; sc.stackSet[sp] = left; sp += 1 }
                        }
                        if right != TagSet() {
                            if node.right < 0 { add(node.right, right) } else { sc.stackNode[sp] = node.right; sc.stackSet[sp] = right; sp += 1 }
                        }
                    }
                }
                first += n
            }
        }
        }
        }
        }
        }
        }
        }
    }
}
