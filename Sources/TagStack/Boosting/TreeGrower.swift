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

/// The histogram kernels of one kind, as the grower drives them: exact (3 Doubles a bin, Float gradients)
/// or packed (one Int64 a bin, quantized gradients). `Element` is the histogram's element type.
protocol HistogramKind {
    associatedtype Element
    /// Elements per bin.
    static var stride: Int { get }
    /// Copies the per-row values of `rows` into the grower's ordered buffer.
    func gather(rows: UnsafePointer<Int32>, count: Int)
    func build(column: UnsafePointer<UInt8>, rows: UnsafePointer<Int32>, count: Int, hist: UnsafeMutablePointer<Element>, binCount: Int)
    func buildAllRows(column: UnsafePointer<UInt8>, count: Int, hist: UnsafeMutablePointer<Element>, binCount: Int)
    func build4(columns: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>),
                hists: (UnsafeMutablePointer<Element>, UnsafeMutablePointer<Element>, UnsafeMutablePointer<Element>, UnsafeMutablePointer<Element>),
                binCounts: (Int, Int, Int, Int), rows: UnsafePointer<Int32>?, count: Int)
    func subtract(_ target: UnsafeMutablePointer<Element>, _ child: UnsafePointer<Element>, count: Int)
    /// Updates `best` with the feature's best split (SplitFinder).
    /// `scratch`: `SplitFinder.packedScratch` words of this thread's own.
    func scan(feature: Int, hist: UnsafePointer<Element>, valueBins: Int, totalG: Double, totalH: Double, totalC: Double,
              totalWord: Int64, parentScore: Double, constraints: SplitConstraints, scratch: UnsafeMutablePointer<Int64>,
              best: inout SplitCandidate)
    /// Sums (gradient, hessian, count) over `rows`, on the scale splits are chosen on, and (packed) their word.
    func totals(rows: UnsafePointer<Int32>, count: Int) -> (Double, Double, Double, Int64)
}

/// Exact kernels (HistogramKernel.swift).
struct ExactKind: HistogramKind {
    let gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>
    let ordered: UnsafeMutablePointer<Float>
    static var stride: Int { HistogramKernel.binStride }
    @inline(__always) func gather(rows: UnsafePointer<Int32>, count: Int) {
        HistogramKernel.gather(rows: rows, count: count, gradients: gradients, hessians: hessians, ordered: ordered)
    }
    @inline(__always) func build(column: UnsafePointer<UInt8>, rows: UnsafePointer<Int32>, count: Int, hist: UnsafeMutablePointer<Double>, binCount: Int) {
        HistogramKernel.build(column: column, rows: rows, ordered: ordered, count: count, hist: hist, binCount: binCount)
    }
    @inline(__always) func buildAllRows(column: UnsafePointer<UInt8>, count: Int, hist: UnsafeMutablePointer<Double>, binCount: Int) {
        HistogramKernel.buildAllRows(column: column, gradients: gradients, hessians: hessians, count: count, hist: hist, binCount: binCount)
    }
    @inline(__always) func build4(columns: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>),
                                  hists: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>),
                                  binCounts: (Int, Int, Int, Int), rows: UnsafePointer<Int32>?, count: Int) {
        HistogramKernel.build4(columns: columns, hists: hists, binCounts: binCounts, rows: rows, ordered: ordered,
                               gradients: gradients, hessians: hessians, count: count)
    }
    @inline(__always) func subtract(_ target: UnsafeMutablePointer<Double>, _ child: UnsafePointer<Double>, count: Int) {
        HistogramKernel.subtract(target, child, count: count)
    }
    @inline(__always) func scan(feature: Int, hist: UnsafePointer<Double>, valueBins: Int, totalG: Double, totalH: Double, totalC: Double,
                                totalWord: Int64, parentScore: Double, constraints: SplitConstraints, scratch: UnsafeMutablePointer<Int64>,
                                best: inout SplitCandidate) {
        SplitFinder.scan(feature: feature, hist: hist, valueBins: valueBins, totalG: totalG, totalH: totalH, totalC: totalC,
                         parentScore: parentScore, constraints: constraints, best: &best)
    }
    func totals(rows: UnsafePointer<Int32>, count: Int) -> (Double, Double, Double, Int64) {
        let (g, h) = exactSums(rows: rows, count: count, gradients: gradients, hessians: hessians)
        return (g, h, Double(count), 0)
    }
}

/// The sums of the exact gradients and hessians of `count` rows, added in row order.
func exactSums(rows: UnsafePointer<Int32>, count: Int, gradients: UnsafePointer<Float>,
               hessians: UnsafePointer<Float>) -> (Double, Double) {
    var g = 0.0, h = 0.0
    for k in 0..<count { let r = Int(rows[k]); g += Double(gradients[r]); h += Double(hessians[r]) }
    return (g, h)
}

/// Packed integer kernels (PackedHistogramKernel.swift) on the round's quantized words.
struct PackedKind: HistogramKind {
    let words: UnsafePointer<Int64>
    let ordered: UnsafeMutablePointer<Int64>
    let layout: PackedLayout
    let gradientScale: Double, hessianScale: Double
    static var stride: Int { 1 }
    @inline(__always) func gather(rows: UnsafePointer<Int32>, count: Int) {
        PackedHistogramKernel.gather(rows: rows, count: count, words: words, ordered: ordered)
    }
    @inline(__always) func build(column: UnsafePointer<UInt8>, rows: UnsafePointer<Int32>, count: Int, hist: UnsafeMutablePointer<Int64>, binCount: Int) {
        PackedHistogramKernel.build(column: column, rows: rows, ordered: ordered, count: count, hist: hist, binCount: binCount)
    }
    @inline(__always) func buildAllRows(column: UnsafePointer<UInt8>, count: Int, hist: UnsafeMutablePointer<Int64>, binCount: Int) {
        PackedHistogramKernel.buildAllRows(column: column, words: words, count: count, hist: hist, binCount: binCount)
    }
    @inline(__always) func build4(columns: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>),
                                  hists: (UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>),
                                  binCounts: (Int, Int, Int, Int), rows: UnsafePointer<Int32>?, count: Int) {
        PackedHistogramKernel.build4(columns: columns, hists: hists, binCounts: binCounts, rows: rows, ordered: ordered,
                                     words: words, count: count)
    }
    @inline(__always) func subtract(_ target: UnsafeMutablePointer<Int64>, _ child: UnsafePointer<Int64>, count: Int) {
        PackedHistogramKernel.subtract(target, child, count: count)
    }
    @inline(__always) func scan(feature: Int, hist: UnsafePointer<Int64>, valueBins: Int, totalG: Double, totalH: Double, totalC: Double,
                                totalWord: Int64, parentScore: Double, constraints: SplitConstraints, scratch: UnsafeMutablePointer<Int64>,
                                best: inout SplitCandidate) {
        let view = PackedHistogram(bins: hist, layout: layout, gradientScale: gradientScale, hessianScale: hessianScale)
        SplitFinder.scanPacked(feature: feature, hist: view, valueBins: valueBins, total: totalWord, parentScore: parentScore,
                               constraints: constraints, scratch: scratch, best: &best)
    }
    func totals(rows: UnsafePointer<Int32>, count: Int) -> (Double, Double, Double, Int64) {
        var w: Int64 = 0
        for k in 0..<count { w &+= words[Int(rows[k])] }
        let (g, h, c) = layout.decode(w, gradientScale: gradientScale, hessianScale: hessianScale)
        return (g, h, c, w)
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
    /// Quantized training (nil: exact): the round's scales, set by `quantize`.
    private(set) var quantizer: GradientQuantizer?
    var isQuantized: Bool { quantizer != nil }

    /// Row indices of the bag; leaves are contiguous ranges of it.
    let indices: UnsafeMutablePointer<Int32>
    private let scratch: UnsafeMutablePointer<Int32>
    private let ordered: UnsafeMutablePointer<Float>
    /// Quantized training: each matrix row's packed word this round, and the gathered words of a leaf.
    let words: UnsafeMutablePointer<Int64>
    private let orderedWords: UnsafeMutablePointer<Int64>
    /// Per thread, the packed scan's candidate words.
    private let scanScratch: UnsafeMutablePointer<Int64>
    private var pool: [UnsafeMutablePointer<Double>] = []
    private var packedPool: [UnsafeMutablePointer<Int64>] = []
    private let binsPerHistogram: Int

    /// One leaf of the tree being grown: its rows, sums, place in the tree and best split.
    struct Leaf {
        /// Its rows: `indices[begin..<(begin + count)]`.
        var begin = 0, count = 0
        /// Sums of its rows on the scale splits are chosen on (gradient, hessian, count), and (packed) their word.
        var g = 0.0, h = 0.0, c = 0.0
        var word: Int64 = 0
        var depth = 0
        /// Its histogram's buffer.
        var slot = 0
        var best: SplitCandidate
        /// The node above it (-1: the root) and whether it is that node's left child.
        var parent: Int32 = -1
        var isLeft = false
    }
    /// Per leaf id, its state.
    private(set) var leaf: [Leaf]
    private(set) var leaves = 0

    // Per-tree feature layout: `offset[f]` (in histogram elements) into a leaf's histogram, or -1 when not drawn.
    private var used: [Int] = []
    private var offset: [Int]

    /// - Parameters: `capacity` is the most rows a bag can hold. With `parameters.gradientBins > 0` the
    ///   grower trains quantized when the packed layout fits `capacity` rows (else exactly).
    init(bins: UnsafePointer<UInt8>, rowCount: Int, upperBounds: [[Double]], capacity: Int,
         parameters p: BoostingParameters, threads: Int) {
        self.bins = bins; self.rowCount = rowCount; featureCount = upperBounds.count
        valueBins = upperBounds.map(\.count)
        numLeaves = p.numLeaves; maxDepth = p.maxDepth; learningRate = p.learningRate
        constraints = SplitConstraints(minDataInLeaf: Double(p.minDataInLeaf), minSumHessianInLeaf: p.minSumHessianInLeaf,
                                       lambdaL2: p.lambdaL2, minGainToSplit: p.minGainToSplit, thresholdStepRows: p.thresholdStepRows)
        self.threads = max(1, threads)
        let cap = max(capacity, 1)
        quantizer = p.gradientBins > 0 ? GradientQuantizer(bins: p.gradientBins, maxRows: cap) : nil
        indices = .allocate(capacity: cap); scratch = .allocate(capacity: cap)
        ordered = .allocate(capacity: quantizer == nil ? 2 * cap : 1)
        words = .allocate(capacity: quantizer == nil ? 1 : max(rowCount, 1))
        orderedWords = .allocate(capacity: quantizer == nil ? 1 : cap)
        scanScratch = .allocate(capacity: quantizer == nil ? 1 : self.threads * SplitFinder.packedScratch)
        binsPerHistogram = valueBins.reduce(0) { $0 + $1 + 1 }
        leaf = Array(repeating: Leaf(best: SplitCandidate(minGain: p.minGainToSplit)), count: numLeaves)
        offset = Array(repeating: -1, count: featureCount)
    }

    deinit {
        indices.deallocate(); scratch.deallocate(); ordered.deallocate(); words.deallocate(); orderedWords.deallocate(); scanScratch.deallocate()
        for p in pool { p.deallocate() }
        for p in packedPool { p.deallocate() }
    }

    /// A histogram buffer for slot `s`, allocated on first use (uninitialised: only the part a tree uses is
    /// ever touched, so memory follows the drawn features).
    private func slot(_ s: Int) -> UnsafeMutablePointer<Double> {
        while pool.count <= s { pool.append(.allocate(capacity: binsPerHistogram * HistogramKernel.binStride)) }
        return pool[s]
    }

    private func packedSlot(_ s: Int) -> UnsafeMutablePointer<Int64> {
        while packedPool.count <= s { packedPool.append(.allocate(capacity: binsPerHistogram)) }
        return packedPool[s]
    }

    /// Quantized training: rounds this round's gradients and hessians of `rows` (per matrix row) into
    /// `words`, with the rounding stream `seed`. Does nothing when training exactly.
    func quantize(rows: UnsafeBufferPointer<Int32>, gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>,
                  round: Int, seed: UInt64) {
        quantizer?.quantize(rows: rows, gradients: gradients, hessians: hessians, round: round, seed: seed, words: words)
    }

    private func canSplit(_ l: Int) -> Bool {
        (maxDepth <= 0 || leaf[l].depth < maxDepth)
            && leaf[l].c >= 2 * constraints.minDataInLeaf
            && leaf[l].h >= 2 * constraints.minSumHessianInLeaf
    }

    /// Grows one tree on the rows `indices[0..<bagCount]`.
    ///
    /// - Parameters:
    ///   - allRowsInOrder: `indices[k] == k` for every row of the matrix (lets the root skip the gather).
    ///   - gradients, hessians: per matrix row (exact; in quantized training `words` holds this round's
    ///     quantized values and `quantizer` their scales, and these give the leaf values).
    ///   - features: the features drawn for this tree, increasing.
    func grow(bagCount: Int, allRowsInOrder: Bool, gradients: UnsafePointer<Float>, hessians: UnsafePointer<Float>,
              features: [Int]) -> BinnedTree {
        var tree: BinnedTree
        if let q = quantizer {
            let kind = PackedKind(words: words, ordered: orderedWords, layout: q.layout,
                                  gradientScale: q.gradientScale, hessianScale: q.hessianScale)
            tree = grow(kind: kind, slot: packedSlot, bagCount: bagCount, allRowsInOrder: allRowsInOrder, features: features)
        } else {
            let kind = ExactKind(gradients: gradients, hessians: hessians, ordered: ordered)
            tree = grow(kind: kind, slot: slot, bagCount: bagCount, allRowsInOrder: allRowsInOrder, features: features)
        }
        // Leaf values: exact training has each leaf's exact sums already; quantized training renews them from
        // the exact gradients of the leaf's rows (in the leaf's row order).
        tree.leafValue = (0..<leaves).map { i in
            let (g, h) = quantizer == nil ? (leaf[i].g, leaf[i].h)
                : exactSums(rows: indices + leaf[i].begin, count: leaf[i].count, gradients: gradients, hessians: hessians)
            let d = h + constraints.lambdaL2
            return d > 0 ? -g / d * learningRate : 0
        }
        return tree
    }

    /// The growth loop on one kind of histogram; leaves `leafValue` empty.
    private func grow<K: HistogramKind>(kind: K, slot: (Int) -> UnsafeMutablePointer<K.Element>, bagCount: Int,
                                        allRowsInOrder: Bool, features: [Int]) -> BinnedTree {
        // Feature layout for this tree.
        for f in used { offset[f] = -1 }
        used = features
        var off = 0
        for f in used { offset[f] = off; off += (valueBins[f] + 1) * K.stride }

        // Root.
        leaves = 1
        let (g, h, c, w) = kind.totals(rows: indices, count: bagCount)
        leaf[0] = Leaf(begin: 0, count: bagCount, g: g, h: h, c: c, word: w, depth: 0, slot: 0,
                       best: SplitCandidate(minGain: constraints.minGainToSplit), parent: -1, isLeft: false)
        if numLeaves > 1 && canSplit(0) {
            if !allRowsInOrder { kind.gather(rows: indices, count: bagCount) }
            leaf[0].best = buildAndScan(kind: kind, small: 0, smallSlot: slot(0), large: -1, largeSlot: nil, scanSmall: true,
                                   allRows: allRowsInOrder).0
        }

        var tree = BinnedTree()
        while leaves < numLeaves {
            // The leaf with the largest gain (ties: the smallest leaf id).
            var l = -1
            for i in 0..<leaves where leaf[i].best.isValid && (l < 0 || leaf[i].best.gain > leaf[l].best.gain) { l = i }
            if l < 0 { break }
            let (r, nl, count, parentSlot) = split(leaf: l, into: &tree)
            if leaves >= numLeaves { break }

            // Histograms of the children: build the smaller, subtract for the larger (in the parent's buffer).
            let (small, large) = nl <= count - nl ? (l, r) : (r, l)
            leaf[small].slot = r       // slot id `r` is the free one: slots in use are always 0..<leaves-1
            leaf[large].slot = parentSlot
            let needSmall = canSplit(small), needLarge = canSplit(large)
            if !needSmall && !needLarge { continue }
            kind.gather(rows: indices + leaf[small].begin, count: leaf[small].count)
            let (bs, bl) = buildAndScan(kind: kind, small: small, smallSlot: slot(leaf[small].slot), large: needLarge ? large : -1,
                                        largeSlot: needLarge ? slot(parentSlot) : nil, scanSmall: needSmall, allRows: false)
            if needSmall { leaf[small].best = bs }
            if needLarge { leaf[large].best = bl }
        }
        return tree
    }

    /// Applies leaf `l`'s best split: a node in `tree`, the leaf's rows partitioned, `l` the left child and the
    /// new leaf `r` the right. Returns `r`, the left child's row count, the parent's row count and its slot.
    private func split(leaf l: Int, into tree: inout BinnedTree) -> (r: Int, nl: Int, count: Int, parentSlot: Int) {
        let s = leaf[l].best
        let node = Int32(tree.feature.count)
        let r = leaves
        tree.feature.append(s.feature); tree.thresholdBin.append(s.thresholdBin); tree.defaultLeft.append(s.defaultLeft)
        tree.left.append(~Int32(l)); tree.right.append(~Int32(r)); tree.gain.append(s.gain)
        let parent = leaf[l].parent
        if parent >= 0 {
            if leaf[l].isLeft { tree.left[Int(parent)] = node } else { tree.right[Int(parent)] = node }
        }
        // Partition the rows of `l`.
        let f = Int(s.feature)
        let begin = leaf[l].begin, count = leaf[l].count
        let nl = DataPartition.partition(indices: indices, scratch: scratch, begin: begin, count: count,
                                         column: bins + f * rowCount, thresholdBin: Int(s.thresholdBin),
                                         missingBin: valueBins[f], defaultLeft: s.defaultLeft)
        assert(Double(nl) == s.leftC, "partition disagrees with the histogram")
        leaves += 1
        let depth = leaf[l].depth + 1, parentSlot = leaf[l].slot, none = SplitCandidate(minGain: constraints.minGainToSplit)
        leaf[l] = Leaf(begin: begin, count: nl, g: s.leftG, h: s.leftH, c: s.leftC, word: s.leftWord, depth: depth,
                       slot: parentSlot, best: none, parent: node, isLeft: true)
        leaf[r] = Leaf(begin: begin + nl, count: count - nl, g: s.rightG, h: s.rightH, c: s.rightC, word: s.rightWord,
                       depth: depth, slot: leaf[r].slot, best: none, parent: node, isLeft: false)
        return (r, nl, count, parentSlot)
    }

    /// A leaf's sums as a split scan reads them, and its score as a parent (G² / (H + λ)).
    private struct Totals {
        var g = 0.0, h = 0.0, c = 0.0, word: Int64 = 0, parentScore = 0.0
        init() {}
        init(_ leaf: Leaf, lambdaL2: Double) {
            g = leaf.g; h = leaf.h; c = leaf.c; word = leaf.word; parentScore = g * g / (h + lambdaL2)
        }
    }

    /// Where one thread's share of `buildAndScan` reads and writes: the drawn features' layout, the small leaf's
    /// rows (nil: every row in order) and the two leaves' histogram buffers and sums.
    private struct ScanJob<Element> {
        let used: UnsafeBufferPointer<Int>, offsets: UnsafeBufferPointer<Int>, valueBins: UnsafeBufferPointer<Int>
        let rows: UnsafePointer<Int32>?, count: Int
        let smallSlot: UnsafeMutablePointer<Element>, small: Totals, scanSmall: Bool
        let largeSlot: UnsafeMutablePointer<Element>?, large: Totals
    }

    /// For every drawn feature: builds the small leaf's histogram (from the gathered rows, or from all rows
    /// in order at the root), turns `largeSlot` (the parent's histogram) into the large leaf's by
    /// subtraction, and scans the features of the leaves asked for. Returns the best split of the small and
    /// of the large leaf.
    private func buildAndScan<K: HistogramKind>(kind: K, small: Int, smallSlot: UnsafeMutablePointer<K.Element>, large: Int,
                                                largeSlot: UnsafeMutablePointer<K.Element>?, scanSmall: Bool,
                                                allRows: Bool) -> (SplitCandidate, SplitCandidate) {
        let nUsed = used.count
        let sBegin = leaf[small].begin, sCount = leaf[small].count
        let c = constraints
        let smallTotals = Totals(leaf[small], lambdaL2: c.lambdaL2)
        let largeTotals = large >= 0 ? Totals(leaf[large], lambdaL2: c.lambdaL2) : Totals()
        // Enough work per thread to be worth a fork-join?
        let work = sCount * nUsed
        let chunks = (threads > 1 && work >= 40_000) ? min(threads, nUsed) : 1
        var results = [(SplitCandidate, SplitCandidate)](repeating: (SplitCandidate(minGain: c.minGainToSplit), SplitCandidate(minGain: c.minGainToSplit)), count: chunks)
        let rows: UnsafePointer<Int32>? = allRows ? nil : UnsafePointer(indices + sBegin)
        used.withUnsafeBufferPointer { usedP in
            offset.withUnsafeBufferPointer { offP in
                valueBins.withUnsafeBufferPointer { vbP in
                    results.withUnsafeMutableBufferPointer { res in
                        let res = res
                        let job = ScanJob(used: usedP, offsets: offP, valueBins: vbP, rows: rows, count: sCount,
                                          smallSlot: smallSlot, small: smallTotals, scanSmall: scanSmall,
                                          largeSlot: largeSlot, large: largeTotals)
                        parallelChunks(nUsed, chunks: chunks) { ci, features in
                            res[ci] = self.buildAndScan(kind: kind, job: job, features: features,
                                                        scratch: self.scanScratch + ci * SplitFinder.packedScratch)
                        }
                    }
                }
            }
        }
        var bs = SplitCandidate(minGain: c.minGainToSplit), bl = bs
        for (s, l) in results { bs.merge(s); bl.merge(l) }
        return (bs, bl)
    }

    /// One thread's share of `buildAndScan`: the drawn features at `features` (positions in `job.used`).
    @inline(__always)
    private func buildAndScan<K: HistogramKind>(kind: K, job: ScanJob<K.Element>, features: Range<Int>,
                                                scratch: UnsafeMutablePointer<Int64>) -> (SplitCandidate, SplitCandidate) {
        let c = constraints
        let usedP = job.used, offP = job.offsets, vbP = job.valueBins, smallSlot = job.smallSlot, sCount = job.count
        let s = job.small, l = job.large
        var bestS = SplitCandidate(minGain: c.minGainToSplit), bestL = bestS
        var j = features.lowerBound
        let hi = features.upperBound
        while j < hi {
            // Build up to four features' histograms in one pass, then subtract and scan each.
            let group = min(4, hi - j)
            if group == 4 {
                let f0 = usedP[j], f1 = usedP[j + 1], f2 = usedP[j + 2], f3 = usedP[j + 3]
                kind.build4(
                    columns: (bins + f0 * rowCount, bins + f1 * rowCount, bins + f2 * rowCount, bins + f3 * rowCount),
                    hists: (smallSlot + offP[f0], smallSlot + offP[f1], smallSlot + offP[f2], smallSlot + offP[f3]),
                    binCounts: (vbP[f0] + 1, vbP[f1] + 1, vbP[f2] + 1, vbP[f3] + 1), rows: job.rows, count: sCount)
            } else {
                for f in usedP[j..<(j + group)] {
                    let column = bins + f * rowCount, hs = smallSlot + offP[f], nb = vbP[f] + 1
                    if let rows = job.rows {
                        kind.build(column: column, rows: rows, count: sCount, hist: hs, binCount: nb)
                    } else {
                        kind.buildAllRows(column: column, count: sCount, hist: hs, binCount: nb)
                    }
                }
            }
            for f in usedP[j..<(j + group)] {
                let k = vbP[f], hs = smallSlot + offP[f]
                if job.scanSmall {
                    kind.scan(feature: f, hist: hs, valueBins: k, totalG: s.g, totalH: s.h, totalC: s.c, totalWord: s.word,
                              parentScore: s.parentScore, constraints: c, scratch: scratch, best: &bestS)
                }
                if let ls = job.largeSlot {
                    let hl = ls + offP[f]
                    kind.subtract(hl, hs, count: (k + 1) * K.stride)
                    kind.scan(feature: f, hist: hl, valueBins: k, totalG: l.g, totalH: l.h, totalC: l.c, totalWord: l.word,
                              parentScore: l.parentScore, constraints: c, scratch: scratch, best: &bestL)
                }
            }
            j += group
        }
        return (bestS, bestL)
    }
}
