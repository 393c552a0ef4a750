// The reliability diagram's data, shared by the training and the evaluation pages: ten equal-width bins of
// the predicted probability over every (track, tag) pair.

struct ReliabilityBins {
    /// Per bin: the summed probability, the true pairs and the pairs.
    var sum = [Double](repeating: 0, count: 10), hits = [Double](repeating: 0, count: 10), count = [Int](repeating: 0, count: 10)

    /// Bins the pairs (probability, label); NaN probabilities are left out.
    init<P: Sequence>(_ pairs: P) where P.Element == (Double, UInt8) {
        for (s, y) in pairs where !s.isNaN {
            let b = min(9, max(0, Int(s * 10)))
            sum[b] += s; hits[b] += Double(y); count[b] += 1
        }
    }

    /// The bins holding at least one pair.
    var used: [Int] { (0..<10).filter { count[$0] > 0 } }
    /// Per used bin: (mean predicted probability, observed share of true pairs).
    var points: [(x: Double, y: Double)] { used.map { (x: sum[$0] / Double(count[$0]), y: hits[$0] / Double(count[$0])) } }
    /// Expected calibration error: the pair-weighted mean gap between the two.
    var expectedCalibrationError: Double {
        let total = Double(count.reduce(0, +))
        return used.reduce(0.0) { $0 + Double(count[$1]) / total * abs(sum[$1] / Double(count[$1]) - hits[$1] / Double(count[$1])) }
    }
}
