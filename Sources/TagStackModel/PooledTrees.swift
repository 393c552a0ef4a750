// Hot loop: all of one track's pooled tags through the shared pooled ensemble (`ModelScorer`'s single-track
// path, and row by row its batch path). Bitvector scoring (QuickScorer, Lucchese et al., SIGIR 2015; see
// QuickScorer.swift) with the tag-level splits resolved per tag once, at load.
//
// Notes for the hot loop (`accumulate`):
// - reads the tags' feature vectors (`rows`, read-only, one per pooled tag: the per-track features only; the
//   tag values are folded into `tagMasks`) and the tables below (read-only); writes only the caller's `leaves`
//   scratch (`blockSize × treeCount` UInt64) and `raw` (one Double per tag, its starting score on entry);
// - layout: the shared ensemble is stored once. Leaves keep the shared tree's left-to-right numbering (a
//   tree's leaf values at `leafValues[tree * 64...]`), split nodes on track features are numbered once
//   (`nodeTree`, `nodeMask`). Per tag only what differs: `tagMasks` (per tree, the leaves its tag-level splits
//   rule out: the starting bitvector) and, per feature, the nodes it can reach, sorted by threshold, as
//   6-byte `Node` records (threshold bin, tree, left-subtree leaf range; the mask is formed from the range),
//   plus the reachable nodes that send NaN right (shared node numbers). That is ~20 KB a tag (a per-tag
//   specialised copy of the ensemble with leaf values took ~100 KB, and 190 of them streamed from L3 on
//   every track);
// - pre-binning: each feature's thresholds (every split of the ensemble on it) are sorted once; a value's bin
//   is the number of thresholds `< value`, found once per tag and feature, so the scan compares 16-bit
//   integers: a node with threshold bin `q` fails (the row goes right) exactly when `q < bin(value)`;
// - the comparison rule is Tree.swift's: a NaN fails exactly the nodes that do not send NaN left (their own
//   per-tag list); tag values are finite (`StackerModel.validate`);
// - only nodes a tag can reach are scanned, which is enough: the exit leaf's ancestors are all reachable, and
//   every leaf left of the exit leaf is cleared by the failed ancestor it shares with it;
// - order: tags go in blocks of `blockSize`; after a block's bitvectors are built, its sums are formed tree by
//   tree, each tag's outputs added to its own `raw` in tree order (independent sums side by side, no chain of
//   dependent adds), so each result equals the plain twin `TreeEnsemble.rawScore(row:initScore:)` over the
//   tag's full vector (features, then tag values) bit for bit (PooledTreesTests, NaNs included);
// - shared features: a feature whose value is the same for every tag of a group (the track's shared columns;
//   a class's max and mean; a category's score; `Group`) is scanned once per group and track, over *every*
//   split on it (`allList`, `allNaN`), into one bitvector per group (the `leaves` scratch after the block);
//   each tag's start bitvector is ANDed with its groups'. That is QuickScorer's own rule (AND the masks of
//   every failed node, reachable or not: a failed node never clears the exit leaf), so the exit leaves, and
//   the sums, are unchanged. A group is used only when it visits fewer nodes than the tags' own lists would
//   (counted at load); its features then have empty per-tag lists;
// - contract: at most 65,536 trees, every tree at most 64 leaves, a feature at most 65,535 distinct
//   thresholds (`init?` returns nil otherwise; the scorer then scores each tag's specialised trees).
// - where the time goes (Data/ pooled model: 190 tags × 222 trees; issue 14 session, machine shared, load 5-8
//   on 2 cores, so shares not absolute figures; thread CPU time of `decide` over Data/test_X.csv, a harness
//   like Scripts/latency with parts of this loop switched off): per track 414,455 reachable node records in
//   the tags' lists, of which 174,000 fail and are scanned (plus 22,700 in the groups' scans), and 1,330
//   bin searches. Of about 290 µs a track, the per-tag scans took about 140 µs, the bin searches about 55 µs,
//   everything else about 95 µs (of which the feature builder's class ranks about 20 µs). Scanning the
//   shorter side per tag (passed nodes clear right subtrees, highest set bit) would save only 12% of the
//   scanned nodes (153,600 against 174,000). Tried and measured slower or no better: masks as UInt64 beside
//   the records (10 bytes a node: 1.1-1.3 × slower), mask-table records, every feature scanned over all its
//   splits as a group (1.8 ×), and a walk of each tree once for all tags with 256-bit tag sets (commit
//   b47a468, reverted: 1.09-1.11 × the median; its leaf stage, 42,180 tag bits scattered a track with
//   mispredicted loop exits, cost more than the scans). A select in the bin search compiles to a branch
//   (LLVM's x86 cmov conversion), also when written as a mask or a vector compare.

/// The shared ensemble of a pooled model, laid out for bitvector scoring of every pooled tag of a track.
struct PooledTrees: Sendable {
    /// Tags whose bitvectors are built before their sums are formed together.
    static let blockSize = 8

    let tagCount: Int
    let treeCount: Int
    /// Track features (the tag values follow them in a pooled vector and are resolved per tag).
    let featureCount: Int
    /// Per track feature, its distinct split thresholds, ascending (`cutStart[j]..<cutStart[j + 1]`).
    let cuts: [Double]
    let cutStart: [Int]
    /// Split nodes on track features: their tree and the leaves to keep when their test fails.
    let nodeTree: [UInt32]
    let nodeMask: [UInt64]
    /// A reachable node in a tag's list: its threshold's bin, its tree, and its left subtree's leaves
    /// (`leftCount` leaves from position `leftLow`: the bits a failed test clears).
    struct Node {
        var bin: UInt16
        var tree: UInt16
        var leftLow: UInt8
        var leftCount: UInt8
    }
    /// Per tag (`tag * treeCount + tree`), the leaves left after its tag-level splits.
    let tagMasks: [UInt64]
    /// Per tag and feature (`listStart[tag * featureCount + j]..<...[+ 1]`) the reachable nodes
    /// on the feature by threshold bin (ascending, tree order on ties), in `list`.
    let list: [Node]
    let listStart: [Int]
    /// Likewise the reachable nodes that send NaN right: node indices in `nanNode`, per tag and feature from
    /// `nanStart`.
    let nanNode: [UInt32]
    let nanStart: [Int]
    /// `leafValues[tree * 64 + position]`: leaves numbered left to right.
    let leafValues: [Double]

    /// A partition of the tags whose members share the values of `features` (track features); the value is
    /// read from the group's first tag (`representative`).
    struct Group: Sendable {
        var features: [Int]
        /// Per tag its group (0..<representative.count).
        var groupOfTag: [Int]
        var representative: [Int]
        /// Groups by key: `key[tag]` equal means the same group.
        init(features: [Int], key: [Int]) {
            self.features = features
            var index: [Int: Int] = [:], rep: [Int] = []
            groupOfTag = key.enumerated().map { s, k in
                if let g = index[k] { return g }
                index[k] = rep.count; rep.append(s); return rep.count - 1
            }
            representative = rep
        }
    }
    /// The groups in use, each one's bitvectors at `groupOffset[g]` in the scratch after the block.
    let groups: [Group]
    let groupOffset: [Int]
    /// Per grouped feature every split node on it, by threshold bin (`allStart[j]..<allStart[j + 1]`, empty
    /// for other features), and every one that sends NaN right (`allNaNStart`).
    let allList: [Node]
    let allStart: [Int]
    let allNaN: [UInt32]
    let allNaNStart: [Int]
    /// Scratch `accumulate` needs, in UInt64s: the block's bitvectors, then the groups'.
    var scratchCount: Int { PooledTrees.blockSize * treeCount + (groupOffset.last ?? 0) }

    /// Nil when there are more than 65,536 trees, a tree has more than 64 leaves or a feature more than 65,535
    /// distinct thresholds.
    ///
    /// - Parameters:
    ///   - trees: the shared ensemble, over vectors of `featureCount` track features then the tag values.
    ///   - tagValues: per pooled tag its tag values (finite).
    ///   - groups: features shared within groups of tags; each is used when it visits fewer nodes (`always`: every
    ///     one, for tests).
    init?(_ trees: [Tree], featureCount: Int, tagValues: [[Double]], groups candidates: [Group] = [], always: Bool = false) {
        guard trees.allSatisfy({ $0.leafCount <= 64 }), trees.count <= 1 << 16 else { return nil }
        let f = featureCount
        // Thresholds per track feature.
        var perFeature = [[Double]](repeating: [], count: f)
        for t in trees { for i in 0..<t.nodeCount where Int(t.splitFeature[i]) < f { perFeature[Int(t.splitFeature[i])].append(t.threshold[i]) } }
        var cuts: [Double] = [], cutStart = [0]
        var sortedCuts: [[Double]] = []
        for v in perFeature {
            let s = Array(Set(v)).sorted()
            guard s.count <= Int(UInt16.max) else { return nil }
            sortedCuts.append(s); cuts += s; cutStart.append(cuts.count)
        }
        // Leaves left to right, each node's left-subtree mask, track-feature nodes numbered.
        var leafValues = [Double](repeating: 0, count: trees.count * 64)
        var masks: [[UInt64]] = [], nodeIndex: [[Int]] = [], nodeBin: [[UInt16]] = []
        var nodeTree: [UInt32] = [], nodeMask: [UInt64] = [], nodeLeft: [(low: UInt8, count: UInt8)] = []
        for (ti, t) in trees.enumerated() {
            var position = 0
            var mask = [UInt64](repeating: .max, count: t.nodeCount), left = [Range<Int>](repeating: 0..<0, count: t.nodeCount)
            func visit(_ c: Int32) -> Range<Int> {
                if c < 0 { leafValues[ti * 64 + position] = t.leafValue[Int(~c)]; position += 1; return (position - 1)..<position }
                let l = visit(t.leftChild[Int(c)]), r = visit(t.rightChild[Int(c)])
                for b in l { mask[Int(c)] &= ~(UInt64(1) << UInt64(b)) }
                left[Int(c)] = l
                return l.lowerBound..<r.upperBound
            }
            _ = visit(t.nodeCount == 0 ? ~0 : 0)
            var index = [Int](repeating: -1, count: t.nodeCount), bin = [UInt16](repeating: 0, count: t.nodeCount)
            for i in 0..<t.nodeCount where Int(t.splitFeature[i]) < f {
                index[i] = nodeTree.count
                nodeTree.append(UInt32(ti)); nodeMask.append(mask[i])
                nodeLeft.append((UInt8(left[i].lowerBound), UInt8(left[i].count)))
                let c = sortedCuts[Int(t.splitFeature[i])]
                var lo = 0, hi = c.count                     // the threshold's position among the cuts
                while lo < hi { let mid = (lo + hi) / 2; if c[mid] < t.threshold[i] { lo = mid + 1 } else { hi = mid } }
                bin[i] = UInt16(lo)
            }
            masks.append(mask); nodeIndex.append(index); nodeBin.append(bin)
        }
        // Every node per track feature (a group's scan), and the groups worth their scan: reachable node
        // counts per tag and feature decide (a group also costs an AND per tree and tag).
        var all = [[(bin: UInt16, node: UInt32, nanLeft: Bool)]](repeating: [], count: f)
        for (ti, t) in trees.enumerated() {
            for i in 0..<t.nodeCount where Int(t.splitFeature[i]) < f {
                all[Int(t.splitFeature[i])].append((nodeBin[ti][i], UInt32(nodeIndex[ti][i]), t.defaultLeft[i]))
            }
        }
        var reachCount = [Int](repeating: 0, count: f)
        for values in tagValues {
            for t in trees {
                var stack: [Int32] = t.nodeCount == 0 ? [] : [0]
                while let c = stack.popLast() {
                    let i = Int(c), j = Int(t.splitFeature[i])
                    if j >= f {
                        let next = values[j - f] <= t.threshold[i] ? t.leftChild[i] : t.rightChild[i]
                        if next >= 0 { stack.append(next) }
                        continue
                    }
                    reachCount[j] += 1
                    if t.leftChild[i] >= 0 { stack.append(t.leftChild[i]) }
                    if t.rightChild[i] >= 0 { stack.append(t.rightChild[i]) }
                }
            }
        }
        var groups: [Group] = [], groupOffset = [0], grouped = [Bool](repeating: false, count: f)
        for g in candidates where !g.features.isEmpty && g.groupOfTag.count == tagValues.count {
            guard g.features.allSatisfy({ $0 < f && !grouped[$0] }) else { continue }
            let shared = g.features.reduce(0) { $0 + all[$1].count } * g.representative.count + tagValues.count * trees.count
            let own = g.features.reduce(0) { $0 + reachCount[$1] }
            guard always || shared < own else { continue }
            for j in g.features { grouped[j] = true }
            groups.append(g); groupOffset.append(groupOffset.last! + g.representative.count * trees.count)
        }
        var allList: [Node] = [], allStart = [0], allNaN: [UInt32] = [], allNaNStart = [0]
        for j in 0..<f {
            if grouped[j] {
                for n in all[j].sorted(by: { ($0.bin, $0.node) < ($1.bin, $1.node) }) {
                    allList.append(Node(bin: n.bin, tree: UInt16(nodeTree[Int(n.node)]), leftLow: nodeLeft[Int(n.node)].low,
                                        leftCount: nodeLeft[Int(n.node)].count))
                }
                for n in all[j] where !n.nanLeft { allNaN.append(n.node) }
            }
            allStart.append(allList.count); allNaNStart.append(allNaN.count)
        }
        // Per tag: resolve its tag-level splits, collect the nodes it reaches (on features not grouped).
        var tagMasks: [UInt64] = [], list: [Node] = [], listStart = [0]
        var nanNode: [UInt32] = [], nanStart = [0]
        for values in tagValues {
            var reach = [[(bin: UInt16, node: UInt32, nanLeft: Bool)]](repeating: [], count: f)
            for (ti, t) in trees.enumerated() {
                var m = UInt64.max
                var stack: [Int32] = t.nodeCount == 0 ? [] : [0]
                while let c = stack.popLast() {
                    let i = Int(c), j = Int(t.splitFeature[i])
                    if j >= f {
                        // Tag-level: the side is fixed for this tag; a failed test clears its left subtree.
                        if values[j - f] <= t.threshold[i] { if t.leftChild[i] >= 0 { stack.append(t.leftChild[i]) } }
                        else { m &= masks[ti][i]; if t.rightChild[i] >= 0 { stack.append(t.rightChild[i]) } }
                        continue
                    }
                    if !grouped[j] { reach[j].append((nodeBin[ti][i], UInt32(nodeIndex[ti][i]), t.defaultLeft[i])) }
                    if t.leftChild[i] >= 0 { stack.append(t.leftChild[i]) }
                    if t.rightChild[i] >= 0 { stack.append(t.rightChild[i]) }
                }
                tagMasks.append(m)
            }
            for nodes in reach {
                // Node numbers follow tree order, so sorting by (bin, node) keeps tree order on ties.
                for n in nodes.sorted(by: { ($0.bin, $0.node) < ($1.bin, $1.node) }) {
                    list.append(Node(bin: n.bin, tree: UInt16(nodeTree[Int(n.node)]), leftLow: nodeLeft[Int(n.node)].low,
                                     leftCount: nodeLeft[Int(n.node)].count))
                }
                listStart.append(list.count)
                for n in nodes where !n.nanLeft { nanNode.append(n.node) }
                nanStart.append(nanNode.count)
            }
        }
        tagCount = tagValues.count; treeCount = trees.count; self.featureCount = f
        self.cuts = cuts; self.cutStart = cutStart; self.nodeTree = nodeTree; self.nodeMask = nodeMask
        self.tagMasks = tagMasks; self.list = list; self.listStart = listStart
        self.nanNode = nanNode; self.nanStart = nanStart; self.leafValues = leafValues
        self.groups = groups; self.groupOffset = groupOffset
        self.allList = allList; self.allStart = allStart; self.allNaN = allNaN; self.allNaNStart = allNaNStart
    }

    /// Adds every tree's output for each tag to `raw[tag]`, in tree order. Tag `s`'s track features are at
    /// `rows + s * stride` (`featureCount` values); `leaves` holds at least `scratchCount` values (scratch,
    /// overwritten).
    func accumulate(rows: UnsafePointer<Double>, stride: Int, into raw: UnsafeMutablePointer<Double>,
                    leaves: UnsafeMutablePointer<UInt64>) {
        let nt = treeCount, f = featureCount, b = PooledTrees.blockSize
        cuts.withUnsafeBufferPointer { cuts in
        cutStart.withUnsafeBufferPointer { cutStart in
        nodeTree.withUnsafeBufferPointer { nodeTree in
        nodeMask.withUnsafeBufferPointer { nodeMask in
        tagMasks.withUnsafeBufferPointer { tagMasks in
        list.withUnsafeBufferPointer { list in
        listStart.withUnsafeBufferPointer { listStart in
        nanNode.withUnsafeBufferPointer { nanNode in
        nanStart.withUnsafeBufferPointer { nanStart in
        leafValues.withUnsafeBufferPointer { leafValues in
        allList.withUnsafeBufferPointer { allList in
        allStart.withUnsafeBufferPointer { allStart in
        allNaN.withUnsafeBufferPointer { allNaN in
        allNaNStart.withUnsafeBufferPointer { allNaNStart in
            // The groups' bitvectors: every failed split on their features, once per group.
            let groupLeaves = leaves + b * nt
            for (gi, g) in groups.enumerated() {
                for (r, s) in g.representative.enumerated() {
                    let gv = groupLeaves + groupOffset[gi] + r * nt
                    gv.update(repeating: .max, count: nt)
                    let row = rows + s * stride
                    for j in g.features {
                        let v = row[j]
                        if v.isNaN {
                            for k in allNaNStart[j]..<allNaNStart[j + 1] {
                                let n = Int(allNaN[k]); gv[Int(nodeTree[n])] &= nodeMask[n]
                            }
                            continue
                        }
                        var lo = cutStart[j], len = cutStart[j + 1] - lo
                        while len > 0 {
                            let half = len >> 1
                            let less = cuts[lo + half] < v
                            lo = less ? lo + half + 1 : lo
                            len = less ? len - half - 1 : half
                        }
                        let bin = UInt16(truncatingIfNeeded: lo - cutStart[j])
                        var k = allStart[j]
                        let end = allStart[j + 1]
                        while k < end && allList[k].bin < bin {
                            let n = allList[k]
                            gv[Int(n.tree)] &= ~(((1 as UInt64) &<< n.leftCount &- 1) &<< n.leftLow)
                            k += 1
                        }
                    }
                }
            }
            var first = 0
            while first < tagCount {
                let count = min(b, tagCount - first)
                for i in 0..<count {
                    let s = first + i
                    let lv = leaves + i * nt
                    lv.update(from: tagMasks.baseAddress! + s * nt, count: nt)
                    for (gi, g) in groups.enumerated() {
                        let gv = groupLeaves + groupOffset[gi] + g.groupOfTag[s] * nt
                        for t in 0..<nt { lv[t] &= gv[t] }
                    }
                    let row = rows + s * stride
                    let ls = s * f
                    for j in 0..<f {
                        let v = row[j]
                        if v.isNaN {
                            for k in nanStart[ls + j]..<nanStart[ls + j + 1] {
                                let n = Int(nanNode[k]); lv[Int(nodeTree[n])] &= nodeMask[n]
                            }
                            continue
                        }
                        var k = listStart[ls + j]
                        let end = listStart[ls + j + 1]
                        if k == end { continue }
                        // The value's bin: how many of the feature's thresholds are < v (branch-free search).
                        var lo = cutStart[j], len = cutStart[j + 1] - lo
                        while len > 0 {
                            let half = len >> 1
                            let less = cuts[lo + half] < v
                            lo = less ? lo + half + 1 : lo
                            len = less ? len - half - 1 : half
                        }
                        let bin = UInt16(truncatingIfNeeded: lo - cutStart[j])
                        while k < end && list[k].bin < bin {
                            let n = list[k]
                            lv[Int(n.tree)] &= ~(((1 as UInt64) &<< n.leftCount &- 1) &<< n.leftLow)
                            k += 1
                        }
                    }
                }
                // Sums, tree by tree: each tag's outputs in tree order into its own raw score.
                let r = raw + first
                if count == b {
                    for t in 0..<nt {
                        let base = t * 64
                        for i in 0..<b { r[i] += leafValues[base + leaves[i * nt + t].trailingZeroBitCount] }
                    }
                } else {
                    for t in 0..<nt {
                        let base = t * 64
                        for i in 0..<count { r[i] += leafValues[base + leaves[i * nt + t].trailingZeroBitCount] }
                    }
                }
                first += count
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
        }
        }
        }
        }
        }
    }
}
