// Binning: every feature's values are mapped once to at most `maxBins` quantile bins plus one bin for
// missing values (NaN). The binned matrix is shared by every tag's model: only labels differ between tags.
//
// Contract, stated once: for feature `f` with `k = upperBounds[f].count` value bins,
//   - a non-NaN value `v` goes to the first bin `b` with `v <= upperBounds[f][b]` (the last bound is +inf);
//   - NaN goes to bin `k`, the reserved missing bin (so `k <= 255` and every bin fits in a UInt8).
// Bounds follow LightGBM: with at most `maxBins` distinct values, bounds sit at midpoints between
// consecutive distinct values (merging values seen fewer than `minDataInBin` times); otherwise a greedy
// quantile pass over a deterministic sample. Tree thresholds are these bounds, i.e. raw feature values.
// Unlike LightGBM, zero gets no bin of its own (our inputs are dense probabilities).

import TagStackModel
import Foundation

/// Options of `BinnedMatrix` (LightGBM's names in parentheses).
public struct BinningOptions: Sendable, Equatable {
    /// Maximum value bins per feature (`max_bin`), 2...255; one more bin holds missing values.
    public var maxBins: Int = 255
    /// Minimum sample rows per bin (`min_data_in_bin`).
    public var minDataInBin: Int = 3
    /// Rows sampled to find bounds (`bin_construct_sample_cnt`); all rows when there are fewer.
    public var sampleCount: Int = 200_000
    /// Seed of the row sample (only used when rows exceed `sampleCount`).
    public var seed: UInt64 = 0

    public init(maxBins: Int = 255, minDataInBin: Int = 3, sampleCount: Int = 200_000, seed: UInt64 = 0) {
        self.maxBins = maxBins; self.minDataInBin = minDataInBin; self.sampleCount = sampleCount; self.seed = seed
    }

    func validate() throws {
        if maxBins < 2 { throw BoostingError.invalidParameter(name: "maxBins", value: "\(maxBins)", requirement: "should not be smaller than 2") }
        if maxBins > 255 { throw BoostingError.invalidParameter(name: "maxBins", value: "\(maxBins)", requirement: "should not be larger than 255") }
        if minDataInBin < 1 { throw BoostingError.invalidParameter(name: "minDataInBin", value: "\(minDataInBin)", requirement: "should not be smaller than 1") }
        if sampleCount < 1 { throw BoostingError.invalidParameter(name: "sampleCount", value: "\(sampleCount)", requirement: "should not be smaller than 1") }
    }
}

/// A feature matrix mapped to small integer bins, stored column-major (one contiguous UInt8 column per
/// feature). Built once per data set and shared, read-only, by every model trained on it, including models
/// trained on row subsets (cross-validation folds).
public struct BinnedMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rowCount: Int
    /// Number of features (columns).
    public let featureCount: Int
    /// `bins[f * rowCount + r]`: the bin of row `r` in feature `f`.
    public let bins: [UInt8]
    /// Per feature, the upper bound of each value bin, increasing; the last is `+infinity`.
    public let upperBounds: [[Double]]

    /// Number of value bins of feature `f`; its missing bin has this index.
    @inlinable public func valueBinCount(_ f: Int) -> Int { upperBounds[f].count }

    /// Bins a matrix given as columns (`columns[f][r]`). NaN means missing; ±infinity are ordinary values.
    ///
    /// - Throws: `BoostingError` if the columns differ in length or an option is out of range.
    public init(columns: [[Double]], options: BinningOptions = BinningOptions(), threads: Int = 1) throws {
        let n = columns.first?.count ?? 0
        for (f, c) in columns.enumerated() where c.count != n {
            throw BoostingError.invalidInput("BinnedMatrix: column \(f) has \(c.count) rows, column 0 has \(n)")
        }
        try self.init(rowCount: n, featureCount: columns.count, options: options, threads: threads) { f, body in
            columns[f].withUnsafeBufferPointer { body($0.baseAddress, 1) }
        }
    }

    /// Bins a matrix given as one flat array, row-major (`values[r * columnCount + f]`) or column-major
    /// (`values[f * rowCount + r]`).
    public init(values: [Double], rowCount: Int, columnCount: Int, rowMajor: Bool,
                options: BinningOptions = BinningOptions(), threads: Int = 1) throws {
        guard values.count == rowCount * columnCount else {
            throw BoostingError.invalidInput("BinnedMatrix: \(values.count) values for \(rowCount) rows × \(columnCount) columns")
        }
        try self.init(rowCount: rowCount, featureCount: columnCount, options: options, threads: threads) { f, body in
            values.withUnsafeBufferPointer { p in
                if rowMajor { body(p.baseAddress.map { $0 + f }, columnCount) } else { body(p.baseAddress.map { $0 + f * rowCount }, 1) }
            }
        }
    }

    /// Bins new rows (row-major, same columns) with this matrix's bounds, e.g. a test set.
    public func applyingBounds(toRowMajor values: [Double], rowCount n: Int) throws -> BinnedMatrix {
        guard values.count == n * featureCount else {
            throw BoostingError.invalidInput("BinnedMatrix: \(values.count) values for \(n) rows × \(featureCount) columns")
        }
        var out = [UInt8](repeating: 0, count: n * featureCount)
        values.withUnsafeBufferPointer { x in
            for f in 0..<featureCount {
                for r in 0..<n { out[f * n + r] = BinnedMatrix.bin(x[r * featureCount + f], upperBounds[f]) }
            }
        }
        return BinnedMatrix(rowCount: n, featureCount: featureCount, bins: out, upperBounds: upperBounds)
    }

    /// Builds a matrix from bins and bounds directly (tests, or reloading); checks every bin is in range.
    public init(rowCount: Int, featureCount: Int, bins: [UInt8], upperBounds: [[Double]]) {
        precondition(bins.count == rowCount * featureCount && upperBounds.count == featureCount)
        for f in 0..<featureCount {
            precondition((1...255).contains(upperBounds[f].count) && upperBounds[f].last == .infinity)
        }
        self.rowCount = rowCount; self.featureCount = featureCount; self.bins = bins; self.upperBounds = upperBounds
    }

    /// Core initialiser: `column(f, body)` calls `body(pointer, stride)` with feature `f`'s values.
    private init(rowCount n: Int, featureCount m: Int, options: BinningOptions, threads: Int,
                 column: (Int, (UnsafePointer<Double>?, Int) -> Void) -> Void) throws {
        try options.validate()
        // One deterministic row sample shared by all features (all rows when few enough).
        var sample: [Int]
        if n <= options.sampleCount {
            sample = Array(0..<n)
        } else {
            var rng = SplitMix64(seed: options.seed)
            var perm = Array(0..<n)
            for i in 0..<options.sampleCount { perm.swapAt(i, i + rng.nextInt(below: n - i)) }
            sample = Array(perm[0..<options.sampleCount]).sorted()
        }
        var bounds = [[Double]](repeating: [], count: m)
        var bins = [UInt8](repeating: 0, count: n * m)
        bounds.withUnsafeMutableBufferPointer { bp in
            bins.withUnsafeMutableBufferPointer { out in
                let bp = bp, out = out
                parallelFor(m, threads: threads) { f in
                    column(f) { p, stride in
                        guard let p = p else { bp[f] = [.infinity]; return }
                        var vals: [Double] = []
                        vals.reserveCapacity(sample.count)
                        for r in sample { let v = p[r * stride]; if !v.isNaN { vals.append(v) } }
                        vals.sort()
                        let ub = BinnedMatrix.findBounds(sortedValues: vals, maxBins: options.maxBins, minDataInBin: options.minDataInBin)
                        bp[f] = ub
                        let col = out.baseAddress! + f * n
                        ub.withUnsafeBufferPointer { u in
                            for r in 0..<n { col[r] = BinnedMatrix.bin(p[r * stride], u) }
                        }
                    }
                }
            }
        }
        self.rowCount = n; self.featureCount = m; self.bins = bins; self.upperBounds = bounds
    }

    /// The bin of `v` given a feature's bounds (see the contract at the top of the file).
    @inlinable
    static func bin<C: RandomAccessCollection>(_ v: Double, _ ub: C) -> UInt8 where C.Element == Double, C.Index == Int {
        if v.isNaN { return UInt8(ub.count) }
        var lo = 0, hi = ub.count - 1   // the answer is in lo...hi; ub[hi] = +inf
        while lo < hi {
            let mid = (lo + hi) >> 1
            if v <= ub[mid] { hi = mid } else { lo = mid + 1 }
        }
        return UInt8(lo)
    }

    /// Upper bounds of the value bins of one feature from its sorted non-NaN sample.
    static func findBounds(sortedValues v: [Double], maxBins: Int, minDataInBin: Int) -> [Double] {
        if v.isEmpty { return [.infinity] }
        var distinct: [Double] = [], counts: [Int] = []
        for x in v {
            if let last = distinct.last, last == x { counts[counts.count - 1] += 1 } else { distinct.append(x); counts.append(1) }
        }
        let d = distinct.count
        func midpoint(_ i: Int) -> Double {
            let a = distinct[i], b = distinct[i + 1]
            let s = a + b
            var m = s.isFinite ? s / 2 : a / 2 + b / 2
            if !(m >= a && m < b) { m = a }            // adjacent doubles, or infinities
            return m
        }
        var ub: [Double] = []
        if d <= maxBins {
            var cur = 0
            for i in 0..<(d - 1) {
                cur += counts[i]
                if cur >= minDataInBin { ub.append(midpoint(i)); cur = 0 }
            }
        } else {
            // Greedy quantiles: values holding at least a mean bin's worth of rows get a bin of their own;
            // the other values are packed into bins of about the mean size of what is left.
            let total = v.count
            let binsWanted = max(1, min(maxBins, total / minDataInBin))
            var meanSize = Double(total) / Double(binsWanted)
            var big = [Bool](repeating: false, count: d)
            var restBins = binsWanted, restRows = total
            for i in 0..<d where Double(counts[i]) >= meanSize {
                big[i] = true; restBins -= 1; restRows -= counts[i]
            }
            meanSize = restBins > 0 ? Double(restRows) / Double(restBins) : .infinity
            var cur = 0
            for i in 0..<(d - 1) {
                if !big[i] { restRows -= counts[i] }
                cur += counts[i]
                if big[i] || Double(cur) >= meanSize || (big[i + 1] && Double(cur) >= max(1.0, meanSize * 0.5)) {
                    ub.append(midpoint(i))
                    if ub.count >= binsWanted - 1 { break }
                    cur = 0
                    if !big[i] {
                        restBins -= 1
                        meanSize = restBins > 0 ? Double(restRows) / Double(restBins) : .infinity
                    }
                }
            }
        }
        // Keep bounds strictly increasing (midpoint fallbacks can repeat a value).
        var clean: [Double] = []
        for b in ub where clean.last.map({ b > $0 }) ?? true { clean.append(b) }
        clean.append(.infinity)
        return clean
    }
}
