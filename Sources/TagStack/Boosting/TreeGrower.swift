// Leaf-wise (best-first) growth of one tree on binned data, LightGBM style.
//
// Each round the booster puts the bag's rows into `indices[0..<bagCount]` and calls `grow`. A leaf is a
// contiguous range of `indices`; splitting it partitions the range in place (DataPartition.swift). For each
// split only the smaller child's histogram is built from rows; the larger child's is its parent's minus the
// smaller's, computed in the parent's buffer. Histogram building, subtraction and split scanning for a
// feature run together, feature by feature, so with `threads > 1` features are shared among threads; every
// feature is handled wholly by one thread and results are combined in feature order, so the tree does not
// depend on the thread count.

import TagStackModel

/// A tree as grown on bins (training only); `toTree` turns it into an inference `Tree` with raw thresholds.
struct BinnedTree {
    var feature: [Int32] = []
    var thresholdBin: [Int32] = []
    var defaultLeft: [Bool] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var gain: [Double] = []
    var leafValue: [Double] = []

    /// The leaf row `r` of the matrix falls into.
    @inline(__always)
    func leaf(ofRow r: Int, bins: UnsafePointer<UInt8>, rowCount: Int, valueBins: UnsafePointer<Int>) -> Int {
        if feature.isEmpty { return 0 }
        var node: Int32 = 0
        while node >= 0 {
            let i = Int(node)
            let f = Int(feature[i])
            let b = Int(bins[f &* rowCount &+ r])
            let goLeft = b == valueBins[f] ? defaultLeft[i] : b <= Int(thresholdBin[i])
            node = goLeft ? left[i] : right[i]
        }
        return Int(~node)
    }

    /// The inference tree: threshold bin `t` of feature `f` becomes `upperBounds[f][t]`, the largest value
    /// of that bin; the last bin's bound (+inf) becomes `Double.greatestFiniteMagnitude`.
    func toTree(upperBounds: [[Double]]) -> Tree {
        let thresholds = zip(feature, thresholdBin).map { f, t -> Double in
            let v = upperBounds[Int(f)][Int(t)]
            return v.isFinite ? v : Double.greatestFiniteMagnitude
        }
        if feature.isEmpty { return Tree(constant: leafValue[0]) }
        // The grower only makes consistent trees; a failure here is a bug.
        return try! Tree(splitFeature: feature, threshold: thresholds, leftChild: left, rightChild: right,
                         defaultLeft: defaultLeft, leafValue: leafValue)
    }
}

/// Grows trees for one model; owns every buffer so rounds allocate nothing.
final class TreeGrower {
    let bins: UnsafePointer<UInt8>
    let rowCount: Int
    let featureCount: Int
    let valueBins: [Int]
    let numLeaves: Int
    let maxDepth: Int
    let learningRate: Double
    let constraints: SplitConstraints
    let threads: Int

    /// Row indices of the bag; leaves are contiguous ranges of it.
    let indices: UnsafeMutablePointer<Int32>
    private let scratch: UnsafeMutablePointer<Int32>
    private let ordered: UnsafeMutablePointer<Float>
    private var pool: [UnsafeMutablePointer<Double>] = []
    private let poolCapacity: Int

    // Per-leaf state (index = leaf id).
    private(set) var leafBegin: [Int]
    private(set) var leafCount: [Int]
    private var leafG: [Double], leafH: [Double], leafC: [Double]
    private var leafDepth: [Int]
    private var slotOf: [Int]
    private var best: [SplitCandidate]
    private var leafParent: [Int32]
    private var leafIsLeft: [Bool]
    private(set) var leaves = 0

    // Per-tree feature layout: `offset[f]` (in Doubles) into a leaf's histogram, or -1 when not drawn.
    private var used: [Int] = []
    private var offset: [Int]
    private var usedDoubles = 0

    /// - Parameters: `capacity` is the most rows a bag can hold.
    init(bins: UnsafePointer<UInt8>, rowCount: Int, upperBounds: [[Double]], capacity: Int,
         parameters p: BoostingParameters, threads: Int) {
        self.bins = bins; self.rowCount = rowCount; featureCount = upperBounds.count
        valueBins = upperBounds.map(\.count)
        numLeaves = p.numLeaves; maxDepth = p.maxDepth; learningRate = p.learningRate
        constraints = SplitConstraints(minDataInLeaf: Double(p.minDataInLeaf), minSumHessianInLeaf: p.minSumHessianInLeaf,
                                       lambdaL2: p.lambdaL2, minGainToSplit: p.minGainToSplit)
        self.threads = max(1, threads)
        let cap = max(capacity, 1)
        indices = .allocate(capacity: cap); scratch = .allocate(capacity: cap); ordered = .allocate(capacity: 2 * cap)
        poolCapacity = valueBins.reduce(0) { $0 + ($1 + 1) * HistogramKernel.binStride }
        let L = numLeaves
        leafBegin = Array(repeating: 0, count: L); leafCount = Array(repeating: 0, count: L)
        leafG = Array(repeating: 0, count: L); leafH = Array(repeating: 0, count: L); leafC = Array(repeating: 0, count: L)
        leafDepth = Array(repeating: 0, count: L); slotOf = Array(repeating: 0, count: L)
        best = Array(repeating: SplitCandidate(minGain: p.minGainToSplit), count: L)
        leafParent = Array(repeating: -1, count: L); leafIsLeft = Array(repeating: false, count: L)
        offset = Array(repeating: -1, count: featureCount)
    }

    deinit {
        indices.deallocate(); scratch.deallocate(); ordered.deallocate()
        for p in pool { p.deallocate() }
    }

    /// A histogram buffer for slot `s`, allocated on first use (uninitialised: only the part a tree uses is
    /// ever touched, so memory follows the drawn features).
    private func slot(_ s: Int) -> UnsafeMutablePointer<Double> {
        while pool.count <= s { pool.append(.allocate(capacity: poolCapacity)) }
        return pool[s]
    }

    private func canSplit(_ l: Int) -> Bool {
        (maxDepth <= 0 || leafDepth[l] < maxDepth)
            && leafC[l] >= 2 * constraints.minDataInLeaf
            && leafH[l] >= 2 * constraints.minSumHessianInLeaf
    }

    /// Grows one tree on the rows `indices[0..<bagCount]`.
    ///
    /// - Parameters:
    ///   - allRowsInOrder: `indices[k] == k` for every row of the matrix (lets the root skip the gather).
    ///   - gradients, hessians: per matrix row.
    ///   - features: the features drawn for this tree, increasing.
    func grow(bagCount: Int, allRowsInOrder: Bool, gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>,
              features: [Int]) -> BinnedTree {
        // Feature layout for this tree.
        for f in used { offset[f] = -1 }
        used = features
        var off = 0
        for f in used { offset[f] = off; off += (valueBins[f] + 1) * HistogramKernel.binStride }
        usedDoubles = off

        // Root.
        leaves = 1
        leafBegin[0] = 0; leafCount[0] = bagCount; leafDepth[0] = 0; slotOf[0] = 0; leafParent[0] = -1
        var g = 0.0, h = 0.0
        for k in 0..<bagCount {
            let r = Int(indices[k]); g += Double(gradients[r]); h += Double(hessians[r])
        }
        leafG[0] = g; leafH[0] = h; leafC[0] = Double(bagCount)
        best[0] = SplitCandidate(minGain: constraints.minGainToSplit)
        if numLeaves > 1 && canSplit(0) {
            if !allRowsInOrder {
                HistogramKernel.gather(rows: indices, count: bagCount, gradients: gradients, hessians: hessians, ordered: ordered)
            }
            best[0] = buildAndScan(small: 0, smallSlot: slot(0), large: -1, largeSlot: nil, scanSmall: true,
                                   allRows: allRowsInOrder, gradients: gradients, hessians: hessians).0
        }

        var tree = BinnedTree()
        while leaves < numLeaves {
            // The leaf with the largest gain (ties: the smallest leaf id).
            var l = -1
            for i in 0..<leaves where best[i].isValid && (l < 0 || best[i].gain > best[l].gain) { l = i }
            if l < 0 { break }
            let s = best[l]
            let node = Int32(tree.feature.count)
            let r = leaves
            tree.feature.append(s.feature); tree.thresholdBin.append(s.thresholdBin); tree.defaultLeft.append(s.defaultLeft)
            tree.left.append(~Int32(l)); tree.right.append(~Int32(r)); tree.gain.append(s.gain)
            let parent = leafParent[l]
            if parent >= 0 {
                if leafIsLeft[l] { tree.left[Int(parent)] = node } else { tree.right[Int(parent)] = node }
            }
            // Partition the rows of `l`.
            let f = Int(s.feature)
            let begin = leafBegin[l], count = leafCount[l]
            let nl = DataPartition.partition(indices: indices, scratch: scratch, begin: begin, count: count,
                                             column: bins + f * rowCount, thresholdBin: Int(s.thresholdBin),
                                             missingBin: valueBins[f], defaultLeft: s.defaultLeft)
            assert(Double(nl) == s.leftC, "partition disagrees with the histogram")
            leaves += 1
            leafBegin[r] = begin + nl; leafCount[r] = count - nl; leafCount[l] = nl
            leafG[l] = s.leftG; leafH[l] = s.leftH; leafC[l] = s.leftC
            leafG[r] = s.rightG; leafH[r] = s.rightH; leafC[r] = s.rightC
            leafDepth[r] = leafDepth[l] + 1; leafDepth[l] += 1
            leafParent[l] = node; leafIsLeft[l] = true; leafParent[r] = node; leafIsLeft[r] = false
            best[l] = SplitCandidate(minGain: constraints.minGainToSplit); best[r] = best[l]
            if leaves >= numLeaves { break }

            // Histograms of the children: build the smaller, subtract for the larger (in the parent's buffer).
            let parentSlot = slotOf[l]
            let (small, large) = nl <= count - nl ? (l, r) : (r, l)
            slotOf[small] = r          // slot id `r` is the free one: slots in use are always 0..<leaves-1
            slotOf[large] = parentSlot
            let needSmall = canSplit(small), needLarge = canSplit(large)
            if !needSmall && !needLarge { continue }
            HistogramKernel.gather(rows: indices + leafBegin[small], count: leafCount[small],
                                   gradients: gradients, hessians: hessians, ordered: ordered)
            let (bs, bl) = buildAndScan(small: small, smallSlot: slot(slotOf[small]), large: needLarge ? large : -1,
                                        largeSlot: needLarge ? slot(parentSlot) : nil, scanSmall: needSmall,
                                        allRows: false, gradients: gradients, hessians: hessians)
            if needSmall { best[small] = bs }
            if needLarge { best[large] = bl }
        }

        tree.leafValue = (0..<leaves).map { i in
            let d = leafH[i] + constraints.lambdaL2
            return d > 0 ? -leafG[i] / d * learningRate : 0
        }
        return tree
    }

    /// For every drawn feature: builds the small leaf's histogram (from `ordered`, or from all rows in order
    /// at the root), turns `largeSlot` (the parent's histogram) into the large leaf's by subtraction, and
    /// scans the features of the leaves asked for. Returns the best split of the small and of the large leaf.
    private func buildAndScan(small: Int, smallSlot: UnsafeMutablePointer<Double>, large: Int,
                              largeSlot: UnsafeMutablePointer<Double>?, scanSmall: Bool, allRows: Bool,
                              gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>) -> (SplitCandidate, SplitCandidate) {
        let nUsed = used.count
        let sBegin = leafBegin[small], sCount = leafCount[small]
        let c = constraints
        let sG = leafG[small], sH = leafH[small], sC = leafC[small]
        let sParent = sG * sG / (sH + c.lambdaL2)
        let lG = large >= 0 ? leafG[large] : 0, lH = large >= 0 ? leafH[large] : 0, lC = large >= 0 ? leafC[large] : 0
        let lParent = lG * lG / (lH + c.lambdaL2)
        // Enough work per thread to be worth a fork-join?
        let work = sCount * nUsed
        let chunks = (threads > 1 && work >= 40_000) ? min(threads, nUsed) : 1
        var results = [(SplitCandidate, SplitCandidate)](repeating: (SplitCandidate(minGain: c.minGainToSplit), SplitCandidate(minGain: c.minGainToSplit)), count: chunks)
        used.withUnsafeBufferPointer { usedP in
            offset.withUnsafeBufferPointer { offP in
                valueBins.withUnsafeBufferPointer { vbP in
                    results.withUnsafeMutableBufferPointer { res in
                        let res = res
                        parallelFor(chunks, threads: chunks) { ci in
                            var bestS = SplitCandidate(minGain: c.minGainToSplit), bestL = bestS
                            let lo = ci * nUsed / chunks, hi = (ci + 1) * nUsed / chunks
                            var j = lo
                            while j < hi {
                                // Build up to four features' histograms in one pass, then subtract and scan each.
                                let group = min(4, hi - j)
                                if group == 4 {
                                    let f0 = usedP[j], f1 = usedP[j + 1], f2 = usedP[j + 2], f3 = usedP[j + 3]
                                    HistogramKernel.build4(
                                        columns: (self.bins + f0 * self.rowCount, self.bins + f1 * self.rowCount,
                                                  self.bins + f2 * self.rowCount, self.bins + f3 * self.rowCount),
                                        hists: (smallSlot + offP[f0], smallSlot + offP[f1], smallSlot + offP[f2], smallSlot + offP[f3]),
                                        binCounts: (vbP[f0] + 1, vbP[f1] + 1, vbP[f2] + 1, vbP[f3] + 1),
                                        rows: allRows ? nil : UnsafePointer(self.indices + sBegin), ordered: self.ordered,
                                        gradients: gradients, hessians: hessians, count: sCount)
                                } else {
                                    for f in usedP[j..<(j + group)] {
                                        let column = self.bins + f * self.rowCount, hs = smallSlot + offP[f], nb = vbP[f] + 1
                                        if allRows {
                                            HistogramKernel.buildAllRows(column: column, gradients: gradients, hessians: hessians,
                                                                         count: sCount, hist: hs, binCount: nb)
                                        } else {
                                            HistogramKernel.build(column: column, rows: self.indices + sBegin, ordered: self.ordered,
                                                                  count: sCount, hist: hs, binCount: nb)
                                        }
                                    }
                                }
                                for f in usedP[j..<(j + group)] {
                                    let k = vbP[f], hs = smallSlot + offP[f]
                                    if scanSmall {
                                        SplitFinder.scan(feature: f, hist: hs, valueBins: k, totalG: sG, totalH: sH, totalC: sC,
                                                         parentScore: sParent, constraints: c, best: &bestS)
                                    }
                                    if let ls = largeSlot {
                                        let hl = ls + offP[f]
                                        HistogramKernel.subtract(hl, hs, count: (k + 1) * HistogramKernel.binStride)
                                        SplitFinder.scan(feature: f, hist: hl, valueBins: k, totalG: lG, totalH: lH, totalC: lC,
                                                         parentScore: lParent, constraints: c, best: &bestL)
                                    }
                                }
                                j += group
                            }
                            res[ci] = (bestS, bestL)
                        }
                    }
                }
            }
        }
        var bs = SplitCandidate(minGain: c.minGainToSplit), bl = bs
        for (s, l) in results { bs.merge(s); bl.merge(l) }
        return (bs, bl)
    }
}
