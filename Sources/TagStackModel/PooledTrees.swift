// Hot loop: all of one track's pooled tags through the shared pooled ensemble (`ModelScorer`'s single-track
// path, and row by row its batch path). Each tree is walked once for all the tags at once: a node splits the
// set of tags that reach it (a 256-bit set, `TagSet`) into the tags that go left and those that go right.
//
// Notes for the hot loop (`accumulate`):
// - reads the tags' rows (`rows`, read-only, one per pooled tag: the per-track features only; the tag values
//   are folded into `tagRight`) and the tables below (read-only); writes only the caller's `Scratch` and `raw`
//   (one Double per tag, its starting score on entry);
// - per track and feature, each tag's value is binned once (`bin` = how many of the feature's thresholds are
//   `< value`: a bucket from the value, about two buckets a threshold evenly over the thresholds' range, then
//   a search among that bucket's few thresholds; NaN gets bin 0) and the tags are ordered by bin with a
//   counting sort: the tags that fail a node with threshold number `q` (go right: `value > threshold`, i.e.
//   `q < bin`) are then the first `gt[q]` tags of that order, one of `tags + 1` prefix sets built once per
//   feature (in `table`; `fidx[key]` points at the right one), so a node's split costs two look-ups and two
//   ANDs of 4 words, whatever the number of tags;
// - the walk has no branch on the data: every node of a tree in order (children after parents) splits its
//   slot's set into its children's slots (leaves first, `leafRegion`); then each tag's leaf number is read off
//   the leaves' slots bit by bit (the slots ORed pairwise level by level: bit `k` of a leaf number is set for
//   the odd slots at level `k`), 8 bit planes transposed to one byte a tag (an 8 × 8 byte transpose, then
//   8 × 8 bit transposes), and each tag adds its leaf's value in one pass over the tags. Trees of more than
//   256 leaves scatter each leaf's value to its tags bit by bit instead;
// - the comparison rule is Tree.swift's: NaN goes to `defaultLeft`'s side (bin 0 never fails a threshold; the
//   feature's NaN tags are ORed into the failing set of nodes that send NaN right); tag-level splits are
//   resolved at load into `tagRight` (per tag-level node, the tags whose value is not `<= threshold`; tag
//   values are finite, `StackerModel.validate`);
// - order: trees one after another in tree order; within a tree each tag is in exactly one leaf's slot and
//   adds that leaf's value to its own `raw`, so each result equals the plain twin
//   `TreeEnsemble.rawScore(row:initScore:)` over the tag's full vector (features, then tag values) bit for
//   bit (PooledTreesTests, NaNs, ties and trees over 64 and 256 leaves included);
// - tags go in chunks of 256 (`chunk`), each chunk a pass over the ensemble;
// - why this layout (per-tag bitvector lists, a plain threshold search and a pruning walk measured against it:
//   Benchmarks/README.md, "The pooled scorer's layout"): mispredicted branches, not node work, were the
//   cost of the alternatives, so the bin search and the walk are written without branches on the data (a
//   select in the bin search compiles to a branch, LLVM's x86 cmov conversion, so it is a mask too).

/// The shared ensemble of a pooled model, laid out to score every pooled tag of a track in one walk per tree.
package struct PooledTrees: Sendable {
    /// Tags per pass over the ensemble (a `TagSet`'s bits).
    static let chunk = 256
    typealias TagSet = SIMD4<UInt64>

    let tagCount: Int
    let treeCount: Int
    /// Track features (the tag values follow them in a pooled vector and are resolved per tag).
    let featureCount: Int
    /// Per track feature, its distinct split thresholds, ascending (`cutStart[j]..<cutStart[j + 1]`).
    let cuts: [Double]
    let cutStart: [Int]
    /// Per track feature `j`, buckets narrowing its bin search: a value's bucket `k` is
    /// `bucket(v, bucketMin[j], bucketScale[j], bucketTop[j])` (monotone in `v`), and its bin lies in
    /// `bucketStart[bucketOffset[j] + k]...[+ 1]` (global threshold numbers: the thresholds of lower buckets are
    /// `< v`, those of higher ones `> v`).
    let bucketMin: [Double], bucketScale: [Double], bucketTop: [Double]
    let bucketOffset: [Int]
    let bucketStart: [Int32]
    /// An internal node: `key` is its failing set's entry in the scratch's `fidx` (a threshold's global number
    /// for a split on a track feature, `cuts.count + k` for the tag-level split `k`); `nan` is 1 + the feature
    /// when NaN goes right, else 0. Children are slots of the tree's walk: leaf `l` at slot `l`, node `i` at
    /// `leafRegion + i`.
    struct Node {
        var key: Int32
        var nan: Int32
        var left: Int32
        var right: Int32
    }
    /// Tree `t`'s nodes and leaf values from `nodeStart[t]` and `leafStart[t]` (its node count: the difference).
    let nodes: [Node]
    let nodeStart: [Int]
    let leafStart: [Int]
    let leafValues: [Double]
    /// Per chunk and tag-level split (`chunk * tagSplitCount + k`), the chunk's tags that go right.
    let tagRight: [TagSet]
    let tagSplitCount: Int
    /// Slots before a tree's nodes (the leaves', a power of two, at least the most leaves of a tree), and in all.
    let leafRegion: Int
    let maxSlots: Int
    /// Per tree, the bits of its leaf numbers (`leafCount <= 1 << bits`).
    let treeBits: [Int]
    /// The tables above as the walk reads them.
    private let tables: Tables

    /// - Parameters:
    ///   - trees: the shared ensemble, over vectors of `featureCount` track features then the tag values.
    ///   - tagValues: per pooled tag its tag values (finite).
    package init(_ trees: [Tree], featureCount: Int, tagValues: [[Double]]) {
        let f = featureCount
        let c = PooledTrees.thresholds(trees, featureCount: f)
        let treeBits = trees.map { t in (0...).first { 1 << $0 >= t.leafCount }! }
        let leafRegion = 1 << (treeBits.max() ?? 0)
        let w = PooledTrees.walk(trees, featureCount: f, cuts: c.cuts, cutStart: c.cutStart, leafRegion: leafRegion)
        tagCount = tagValues.count; treeCount = trees.count; self.featureCount = f
        cuts = c.cuts; cutStart = c.cutStart
        bucketMin = c.bucketMin; bucketScale = c.bucketScale; bucketTop = c.bucketTop
        bucketOffset = c.bucketOffset; bucketStart = c.bucketStart
        nodes = w.nodes; nodeStart = w.nodeStart; leafStart = w.leafStart; leafValues = w.leafValues
        tagRight = PooledTrees.tagRight(tagValues, splits: w.tagSplits); tagSplitCount = w.tagSplits.count
        self.treeBits = treeBits; self.leafRegion = leafRegion
        maxSlots = leafRegion + (trees.map(\.nodeCount).max() ?? 0)
        tables = Tables(cuts: c.cuts, cutStart: c.cutStart, bucketMin: c.bucketMin, bucketScale: c.bucketScale,
                        bucketTop: c.bucketTop, bucketOffset: c.bucketOffset, bucketStart: c.bucketStart, nodes: w.nodes,
                        nodeStart: w.nodeStart, leafStart: w.leafStart, leafValues: w.leafValues, treeBits: treeBits)
    }

    /// Per track feature, its split thresholds and the buckets that narrow a value's bin search (the fields of
    /// the same names).
    private static func thresholds(_ trees: [Tree], featureCount f: Int)
        -> (cuts: [Double], cutStart: [Int], bucketMin: [Double], bucketScale: [Double], bucketTop: [Double],
            bucketOffset: [Int], bucketStart: [Int32]) {
        var perFeature = [[Double]](repeating: [], count: f)
        for t in trees { for i in 0..<t.nodeCount where Int(t.splitFeature[i]) < f { perFeature[Int(t.splitFeature[i])].append(t.threshold[i]) } }
        var cuts: [Double] = [], cutStart = [0]
        var bucketMin: [Double] = [], bucketScale: [Double] = [], bucketTop: [Double] = [], bucketOffset: [Int] = []
        var bucketStart: [Int32] = []
        for v in perFeature {
            let c = Array(Set(v)).sorted(), c0 = cuts.count
            cuts += c; cutStart.append(cuts.count)
            // About two buckets a threshold, evenly over the thresholds' range.
            let count = c.count > 1 ? min(2 * c.count, 1 << 16) : 1
            let scale = c.count > 1 ? Double(count) / (c.last! - c.first!) : 0
            bucketMin.append(c.first ?? 0); bucketScale.append(scale.isFinite ? scale : 0); bucketTop.append(Double(count - 1))
            bucketOffset.append(bucketStart.count)
            var below = [Int](repeating: 0, count: count + 1)   // thresholds per bucket, then the running count
            for x in c { below[PooledTrees.bucket(x, bucketMin.last!, bucketScale.last!, bucketTop.last!) + 1] += 1 }
            for k in 0..<count { below[k + 1] += below[k] }
            bucketStart += below.map { Int32(c0 + $0) }
        }
        return (cuts, cutStart, bucketMin, bucketScale, bucketTop, bucketOffset, bucketStart)
    }

    /// Every tree's nodes as the walk reads them (the fields of the same names), and the tag-level splits
    /// (tag-level value, threshold) in key order.
    private static func walk(_ trees: [Tree], featureCount f: Int, cuts: [Double], cutStart: [Int], leafRegion: Int)
        -> (nodes: [Node], nodeStart: [Int], leafStart: [Int], leafValues: [Double], tagSplits: [(feature: Int, threshold: Double)]) {
        var nodes: [Node] = [], nodeStart = [0], leafStart = [0], leafValues: [Double] = []
        var tagSplits: [(feature: Int, threshold: Double)] = []
        for t in trees {
            leafValues += t.leafValue
            func slot(_ c: Int32) -> Int32 { c >= 0 ? Int32(leafRegion) + c : ~c }
            for i in 0..<t.nodeCount {
                let j = Int(t.splitFeature[i])
                var key: Int32, nan: Int32 = 0
                if j < f {
                    var lo = cutStart[j], hi = cutStart[j + 1]   // the threshold's global number
                    while lo < hi { let mid = (lo + hi) / 2; if cuts[mid] < t.threshold[i] { lo = mid + 1 } else { hi = mid } }
                    key = Int32(lo)
                    if !t.defaultLeft[i] { nan = Int32(j + 1) }
                } else {
                    key = Int32(cuts.count + tagSplits.count)
                    tagSplits.append((j - f, t.threshold[i]))
                }
                nodes.append(Node(key: key, nan: nan, left: slot(t.leftChild[i]), right: slot(t.rightChild[i])))
            }
            nodeStart.append(nodes.count); leafStart.append(leafValues.count)
        }
        return (nodes, nodeStart, leafStart, leafValues, tagSplits)
    }

    /// Per chunk of tags and tag-level split, the chunk's tags whose value is not `<= threshold` (`tagRight`).
    private static func tagRight(_ tagValues: [[Double]], splits: [(feature: Int, threshold: Double)]) -> [TagSet] {
        var tagRight: [TagSet] = []
        for first in stride(from: 0, to: tagValues.count, by: PooledTrees.chunk) {
            let n = min(PooledTrees.chunk, tagValues.count - first)
            for (j, threshold) in splits {
                var s = TagSet()
                for i in 0..<n where !(tagValues[first + i][j] <= threshold) { s[i >> 6] |= 1 << UInt64(i & 63) }
                tagRight.append(s)
            }
        }
        return tagRight
    }

    /// Per-thread scratch for `accumulate` (make one per thread with `makeScratch()`).
    package final class Scratch {
        let bins: UnsafeMutablePointer<Int32>, order: UnsafeMutablePointer<Int32>, counts: UnsafeMutablePointer<Int32>
        /// Per node key (`Node.key`) its failing set in `table`: the track's prefix sets (`features × width`, rebuilt
        /// per track), then every chunk's `tagRight` (copied once).
        let fidx: UnsafeMutablePointer<Int32>
        let table: UnsafeMutablePointer<TagSet>
        /// Per feature + 1 its NaN tags (entry 0 stays empty); a tree's slots.
        let nanSets: UnsafeMutablePointer<TagSet>, slots: UnsafeMutablePointer<TagSet>
        /// Per tag of the chunk its leaf's value in the current tree (trees of more than 256 leaves).
        let value: UnsafeMutablePointer<Double>
        /// A tree's leaf numbers by bit (`planes[k]`: the tags whose leaf number has bit `k`), and per tag its
        /// leaf number (bytes; 4 words of 64).
        let planes: UnsafeMutablePointer<TagSet>, leafOf: UnsafeMutablePointer<UInt64>
        init(_ p: PooledTrees) {
            let chunk = min(p.tagCount, PooledTrees.chunk), f = p.featureCount
            var maxCuts = 0
            for j in 0..<f { maxCuts = max(maxCuts, p.cutStart[j + 1] - p.cutStart[j]) }
            bins = .allocate(capacity: max(chunk, 1)); order = .allocate(capacity: max(chunk, 1))
            value = .allocate(capacity: max(chunk, 1)); value.initialize(repeating: 0, count: max(chunk, 1))
            planes = .allocate(capacity: 8); planes.initialize(repeating: TagSet(), count: 8)
            leafOf = .allocate(capacity: 32); leafOf.initialize(repeating: 0, count: 32)
            counts = .allocate(capacity: maxCuts + 1)
            fidx = .allocate(capacity: max(p.cuts.count + p.tagSplitCount, 1))
            fidx.initialize(repeating: 0, count: max(p.cuts.count + p.tagSplitCount, 1))
            let sets = f * (chunk + 1)
            table = .allocate(capacity: max(sets + p.tagRight.count, 1))
            table.initialize(repeating: TagSet(), count: max(sets + p.tagRight.count, 1))
            for (k, s) in p.tagRight.enumerated() { table[sets + k] = s }
            nanSets = .allocate(capacity: f + 1); nanSets.initialize(repeating: TagSet(), count: f + 1)
            slots = .allocate(capacity: p.maxSlots); slots.initialize(repeating: TagSet(), count: p.maxSlots)
            p.pointTagSplits(self, chunk: 0)
        }
        deinit {
            bins.deallocate(); order.deallocate(); counts.deallocate(); fidx.deallocate()
            table.deallocate(); nanSets.deallocate(); slots.deallocate(); value.deallocate()
            planes.deallocate(); leafOf.deallocate()
        }
    }

    package func makeScratch() -> Scratch { Scratch(self) }

    /// -1 when `a < b`, else 0, without a branch (a vector compare: the compiler keeps it branch-free, where it
    /// turns a select in a search loop into a mispredicted branch).
    @inline(__always) static func less(_ a: Double, _ b: Double) -> Int {
        let m = SIMD2<Double>(repeating: a) .< SIMD2<Double>(repeating: b)
        return Int(unsafeBitCast(m, to: SIMD2<Int64>.self)[0])
    }

    /// The 8 × 8 byte matrix `m` (row `k` = word `k`, byte `g` its column `g`) transposed in place: block swaps
    /// of 1, 2 and 4 bytes.
    @inline(__always) static func transposeBytes(_ m: inout (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        @inline(__always) func swap(_ a: inout UInt64, _ b: inout UInt64, _ s: UInt64, _ mask: UInt64) {
            let t = ((a &>> s) ^ b) & mask
            b ^= t; a ^= t &<< s
        }
        let m8: UInt64 = 0x00FF_00FF_00FF_00FF, m16: UInt64 = 0x0000_FFFF_0000_FFFF, m32: UInt64 = 0x0000_0000_FFFF_FFFF
        swap(&m.0, &m.1, 8, m8); swap(&m.2, &m.3, 8, m8); swap(&m.4, &m.5, 8, m8); swap(&m.6, &m.7, 8, m8)
        swap(&m.0, &m.2, 16, m16); swap(&m.1, &m.3, 16, m16); swap(&m.4, &m.6, 16, m16); swap(&m.5, &m.7, 16, m16)
        swap(&m.0, &m.4, 32, m32); swap(&m.1, &m.5, 32, m32); swap(&m.2, &m.6, 32, m32); swap(&m.3, &m.7, 32, m32)
    }

    /// The 8 × 8 bit matrix `x` (byte `i` = row `i`, bit `j` column `j`) transposed (Hacker's Delight, 7-3).
    @inline(__always) static func transposeBits(_ x: UInt64) -> UInt64 {
        var x = x
        var t = (x ^ (x &>> 7)) & 0x00AA_00AA_00AA_00AA; x = x ^ t ^ (t &<< 7)
        t = (x ^ (x &>> 14)) & 0x0000_CCCC_0000_CCCC; x = x ^ t ^ (t &<< 14)
        t = (x ^ (x &>> 28)) & 0x0000_0000_F0F0_F0F0; x = x ^ t ^ (t &<< 28)
        return x
    }

    /// The bucket of a value (not NaN) among `top + 1`: `(v - min) * scale` clamped to [0, top], truncated;
    /// monotone in `v` (so the same function on the thresholds at load places every value's bin).
    @inline(__always) static func bucket(_ v: Double, _ min: Double, _ scale: Double, _ top: Double) -> Int {
        let x = (v - min) * scale   // NaN only when scale is 0 and v infinite: bucket 0, the only one
        return x > 0 ? Int(x < top ? x : top) : 0
    }

    /// Points the tag-level splits' keys at chunk `c`'s `tagRight` sets.
    func pointTagSplits(_ sc: Scratch, chunk c: Int) {
        let base = featureCount * (min(tagCount, PooledTrees.chunk) + 1) + c * tagSplitCount
        for k in 0..<tagSplitCount { sc.fidx[cuts.count + k] = Int32(truncatingIfNeeded: base + k) }
    }

    /// Adds every tree's output for each tag to `raw[tag]`, in tree order. Tag `s`'s track features are at
    /// `rows + s * stride` (`featureCount` values).
    package func accumulate(rows: UnsafePointer<Double>, stride: Int, into raw: UnsafeMutablePointer<Double>, scratch sc: Scratch) {
        var first = 0
        while first < tagCount {
            let n = min(PooledTrees.chunk, tagCount - first)
            if tagCount > PooledTrees.chunk { pointTagSplits(sc, chunk: first / PooledTrees.chunk) }
            let anyNaN = prepareChunk(rows: rows + first * stride, stride: stride, tags: n, scratch: sc)
            var all = TagSet()
            for i in 0..<n { all[i >> 6] |= 1 << UInt64(i & 63) }
            for t in 0..<treeCount { addTree(t, tags: n, all: all, anyNaN: anyNaN, into: raw + first, scratch: sc) }
            first += n
        }
    }

    /// Per feature, the chunk's bins, its tags ordered by bin (largest first), the prefix sets and per threshold
    /// its failing set (`fidx`), and the NaN tags; returns whether any tag has a NaN.
    @inline(__always)
    private func prepareChunk(rows: UnsafePointer<Double>, stride: Int, tags n: Int, scratch sc: Scratch) -> Bool {
        let tb = tables, width = min(tagCount, PooledTrees.chunk) + 1
        let bins = sc.bins, order = sc.order, counts = sc.counts, table = sc.table
        var anyNaN = false
        for j in 0..<featureCount {
            let c0 = tb.cutStart[j], nc = tb.cutStart[j + 1] - c0
            counts.update(repeating: 0, count: nc + 1)
            var nanSet = TagSet()
            for i in 0..<n {
                let v = rows[i * stride + j]
                var b = 0
                if v.isNaN { nanSet[i >> 6] |= 1 << UInt64(i & 63) } else { b = PooledTrees.bin(v, feature: j, tb) }
                bins[i] = Int32(truncatingIfNeeded: b)
                counts[b] &+= 1
            }
            sc.nanSets[j + 1] = nanSet
            if nanSet != TagSet() { anyNaN = true }
            // counts[b] becomes the number of tags with a larger bin (their start in the order).
            var above: Int32 = 0
            var b = nc
            while b >= 0 { let c = counts[b]; counts[b] = above; above &+= c; b -= 1 }
            let base = j * width
            for q in 0..<nc { sc.fidx[c0 + q] = Int32(truncatingIfNeeded: base) &+ counts[q] }
            for i in 0..<n { let b = Int(bins[i]); order[Int(counts[b])] = Int32(truncatingIfNeeded: i); counts[b] &+= 1 }
            var s = TagSet()
            table[base] = s
            for k in 0..<n {
                let i = Int(order[k])
                s[i >> 6] |= 1 << UInt64(i & 63)
                table[base + k + 1] = s
            }
        }
        return anyNaN
    }

    /// The bin of `v` (not NaN) on track feature `j`: how many of its thresholds are `< v`. The value's bucket,
    /// then a lower bound among that bucket's thresholds (the answer stays in [lo, lo + len]).
    @inline(__always)
    private static func bin(_ v: Double, feature j: Int, _ tb: Tables) -> Int {
        let cuts = tb.cuts
        let k = tb.bucketOffset[j] &+ PooledTrees.bucket(v, tb.bucketMin[j], tb.bucketScale[j], tb.bucketTop[j])
        var lo = Int(tb.bucketStart[k]), len = Int(tb.bucketStart[k &+ 1]) &- lo
        while len > 1 {
            let half = len >> 1
            lo &+= half & PooledTrees.less(cuts[lo &+ half], v)
            len &-= half
        }
        return lo &- tb.cutStart[j] &- (len > 0 ? PooledTrees.less(cuts[lo], v) : 0)
    }

    /// Adds tree `t`'s output for each of the chunk's `n` tags to `r[tag]`.
    @inline(__always)
    private func addTree(_ t: Int, tags n: Int, all: TagSet, anyNaN: Bool, into r: UnsafeMutablePointer<Double>, scratch sc: Scratch) {
        let tb = tables
        let n0 = tb.nodeStart[t], nodeCount = tb.nodeStart[t + 1] - n0
        let l0 = tb.leafStart[t], leafCount = tb.leafStart[t + 1] - l0
        if nodeCount == 0 {
            for i in 0..<n { r[i] += tb.leafValues[l0] }
            return
        }
        // Every node in order (children come after their parent), no branch on the data: each node's set split
        // into its children's slots.
        let slots = sc.slots, nodeSlots = slots + leafRegion, nodes = tb.nodes + n0
        let table = sc.table, fidx = sc.fidx, nanSets = sc.nanSets
        nodeSlots[0] = all
        for i in 0..<nodeCount {
            let node = nodes[i], s = nodeSlots[i]
            var fail = table[Int(fidx[Int(node.key)])]
            if anyNaN { fail |= nanSets[Int(node.nan)] }
            let right = s & fail
            slots[Int(node.right)] = right
            slots[Int(node.left)] = s & ~right
        }
        let bits = tb.treeBits[t]
        if bits <= 8 {
            leafNumbers(bits: bits, leafCount: leafCount, tags: n, scratch: sc)
            let lv = tb.leafValues + l0, leafByte = UnsafeMutableRawPointer(sc.leafOf).assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { r[i] += lv[Int(leafByte[i])] }
        } else {
            let value = sc.value
            for l in 0..<leafCount {
                let s = slots[l]
                if s == TagSet() { continue }
                let v = tb.leafValues[l0 + l]
                for w in 0..<4 {
                    var x = s[w]
                    while x != 0 {
                        value[w << 6 | x.trailingZeroBitCount] = v
                        x &= x &- 1
                    }
                }
            }
            for i in 0..<n { r[i] += value[i] }
        }
    }

    /// Each tag's leaf number (one byte a tag in `leafOf`) from the leaves' slots of a tree of at most 256
    /// leaves: the slots ORed pairwise, level by level (bit `k` is set for the odd ones at level `k`), then per
    /// 8 tags the 8 planes' bytes transposed into 8 leaf numbers.
    @inline(__always)
    private func leafNumbers(bits: Int, leafCount: Int, tags n: Int, scratch sc: Scratch) {
        let slots = sc.slots, planes = sc.planes
        for l in leafCount..<(1 << bits) { slots[l] = TagSet() }
        var width = 1 << bits
        for k in 0..<8 {
            var plane = TagSet()
            if k < bits {
                width >>= 1
                for i in 0..<width {
                    let a = slots[2 &* i], b = slots[2 &* i &+ 1]
                    plane |= b
                    slots[i] = a | b
                }
            }
            planes[k] = plane
        }
        for w in 0..<((n + 63) >> 6) {
            var m = (planes[0][w], planes[1][w], planes[2][w], planes[3][w], planes[4][w], planes[5][w], planes[6][w], planes[7][w])
            PooledTrees.transposeBytes(&m)
            let o = sc.leafOf + w &* 8
            o[0] = PooledTrees.transposeBits(m.0); o[1] = PooledTrees.transposeBits(m.1)
            o[2] = PooledTrees.transposeBits(m.2); o[3] = PooledTrees.transposeBits(m.3)
            o[4] = PooledTrees.transposeBits(m.4); o[5] = PooledTrees.transposeBits(m.5)
            o[6] = PooledTrees.transposeBits(m.6); o[7] = PooledTrees.transposeBits(m.7)
        }
    }

    /// The tables the walk reads, copied once into buffers of their own so that the walk reads them through
    /// plain pointers (immutable after init, so shared by every thread).
    final class Tables: @unchecked Sendable {
        let cuts: UnsafeMutablePointer<Double>, cutStart: UnsafeMutablePointer<Int>
        let bucketMin: UnsafeMutablePointer<Double>, bucketScale: UnsafeMutablePointer<Double>, bucketTop: UnsafeMutablePointer<Double>
        let bucketOffset: UnsafeMutablePointer<Int>, bucketStart: UnsafeMutablePointer<Int32>
        let nodes: UnsafeMutablePointer<Node>, nodeStart: UnsafeMutablePointer<Int>, leafStart: UnsafeMutablePointer<Int>
        let leafValues: UnsafeMutablePointer<Double>, treeBits: UnsafeMutablePointer<Int>

        init(cuts: [Double], cutStart: [Int], bucketMin: [Double], bucketScale: [Double], bucketTop: [Double], bucketOffset: [Int],
             bucketStart: [Int32], nodes: [Node], nodeStart: [Int], leafStart: [Int], leafValues: [Double], treeBits: [Int]) {
            func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
                let b = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
                _ = UnsafeMutableBufferPointer(start: b, count: a.count).initialize(from: a)
                return b
            }
            self.cuts = copy(cuts); self.cutStart = copy(cutStart)
            self.bucketMin = copy(bucketMin); self.bucketScale = copy(bucketScale); self.bucketTop = copy(bucketTop)
            self.bucketOffset = copy(bucketOffset); self.bucketStart = copy(bucketStart)
            self.nodes = copy(nodes); self.nodeStart = copy(nodeStart); self.leafStart = copy(leafStart)
            self.leafValues = copy(leafValues); self.treeBits = copy(treeBits)
        }

        deinit {
            cuts.deallocate(); cutStart.deallocate(); bucketMin.deallocate(); bucketScale.deallocate(); bucketTop.deallocate()
            bucketOffset.deallocate(); bucketStart.deallocate(); nodes.deallocate(); nodeStart.deallocate(); leafStart.deallocate()
            leafValues.deallocate(); treeBits.deallocate()
        }
    }
}
