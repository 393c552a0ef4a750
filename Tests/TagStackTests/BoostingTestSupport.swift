// Shared helpers for the binning / histogram / split / grower / boosting tests.
@testable import TagStack
import TagStackModel
import XCTest

/// Random data with signal: features uniform in [0, 1), label depends on features 0 and 1 (+ noise).
struct ToyData {
    var rows: Int, cols: Int
    var x: [Double]          // row-major
    var y: [UInt8]

    init(rows: Int, cols: Int, seed: UInt64, nanFeature: Int? = nil) {
        self.rows = rows; self.cols = cols
        var rng = SplitMix64(seed: seed)
        x = (0..<(rows * cols)).map { _ in rng.nextDouble() }
        y = []
        for r in 0..<rows {
            var z = 4 * (x[r * cols] - 0.5) + 3 * (x[r * cols + 1] * x[r * cols + 1] - 0.33)
            if let f = nanFeature, rng.nextDouble() < 0.15 { x[r * cols + f] = .nan; z += 3 }
            y.append(rng.nextDouble() < sigmoid(z + (rng.nextDouble() - 0.5)) ? 1 : 0)
        }
    }

    func matrix(maxBins: Int = 255, minDataInBin: Int = 3) throws -> BinnedMatrix {
        try BinnedMatrix(values: x, rowCount: rows, columnCount: cols, rowMajor: true,
                         options: BinningOptions(maxBins: maxBins, minDataInBin: minDataInBin))
    }

    /// The same data with rows in the order `perm` (new row i = old row perm[i]).
    func permuted(_ perm: [Int]) -> ToyData {
        var d = self
        d.x = perm.flatMap { x[($0 * cols)..<($0 * cols + cols)] }
        d.y = perm.map { y[$0] }
        return d
    }
}

func logLossMean(_ raw: [Double], _ y: [UInt8]) -> Double {
    zip(raw, y).map { logLoss(rawScore: $0, label: Double($1)) }.reduce(0, +) / Double(raw.count)
}
