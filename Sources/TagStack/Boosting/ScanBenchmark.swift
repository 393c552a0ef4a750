// Development benchmark of the packed split scan alone (`tagstack-bench scan`), apart from histogram
// building and everything else a tree does: synthetic packed histograms of leaves of several sizes, each
// feature's 255 value bins filled as quantile bins fill (rows spread evenly), scanned many times.
import Foundation
import TagStackModel

/// Nanoseconds per scanned bin of `SplitFinder.scanPacked` on `features` synthetic histograms of a leaf of
/// `rows` rows (4 gradient levels, 255 value bins, no missing values, min 20 rows a leaf, λ = 1; the packed
/// layout of a model trained on `trainingRows` rows: compact up to 32,767, see `SplitFinder`), the best
/// of `reps` timed passes; also the checksum of the chosen thresholds (to compare versions).
package func benchmarkPackedScan(rows: Int, trainingRows: Int = 12_000, features: Int = 149, reps: Int = 1000,
                                  seed: UInt64 = 1) -> (nsPerBin: Double, checksum: Int) {
    let k = 255, stride = k + 1
    let layout = PackedLayout(bins: 4, maxRows: max(trainingRows, rows))!
    var rng = SplitMix64(seed: seed)
    var words = [Int64](repeating: 0, count: features * stride)
    for f in 0..<features {
        let signal = rng.nextDouble()
        for _ in 0..<rows {
            let b = rng.nextInt(below: k)
            // Gradient levels lean negative in high bins for some features: real splits to find.
            let lean = signal * Double(b) / Double(k)
            let g = rng.nextDouble() < 0.5 + 0.4 * lean ? -rng.nextInt(below: 3) : rng.nextInt(below: 3)
            words[f * stride + b] &+= layout.pack(gradient: g, hessian: rng.nextInt(below: 5), count: 1)
        }
    }
    let c = SplitConstraints(minDataInLeaf: 20, minSumHessianInLeaf: 1e-3, lambdaL2: 1, minGainToSplit: 0)
    let scratch = UnsafeMutablePointer<Int64>.allocate(capacity: SplitFinder.packedScratch)
    defer { scratch.deallocate() }
    var best = Double.infinity, checksum = 0
    words.withUnsafeBufferPointer { w in
        let totals = (0..<features).map { f in (0..<stride).reduce(Int64(0)) { $0 &+ w[f * stride + $1] } }
        let parents = totals.map { t in
            let (g, h, _) = layout.decode(t, gradientScale: 0.1, hessianScale: 0.05)
            return g * g / (h + c.lambdaL2)
        }
        for _ in 0..<reps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var sum = 0
            for f in 0..<features {
                let hist = PackedHistogram(bins: w.baseAddress! + f * stride, layout: layout, gradientScale: 0.1, hessianScale: 0.05)
                var b = SplitCandidate(minGain: 0)
                SplitFinder.scanPacked(feature: f, hist: hist, valueBins: k, total: totals[f], parentScore: parents[f],
                                       constraints: c, scratch: scratch, best: &b)
                sum &+= Int(b.thresholdBin) &* (f + 1)
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
            checksum = sum
        }
    }
    return (best / Double(features * k), checksum)
}
