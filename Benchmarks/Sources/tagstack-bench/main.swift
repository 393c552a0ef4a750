import Foundation
import TagStack
import TagStackModel

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

// Random data with signal: y depends on a few features.
func randomData(rows: Int, cols: Int, tags: Int, seed: UInt64) -> ([Double], [[UInt8]]) {
    var rng = SplitMix64(seed: seed)
    var x = [Double](repeating: 0, count: rows * cols)
    for i in 0..<x.count { x[i] = rng.nextDouble() }
    var labels: [[UInt8]] = []
    for t in 0..<tags {
        var y = [UInt8](repeating: 0, count: rows)
        for r in 0..<rows {
            let a = x[r * cols + (t % cols)], b = x[r * cols + ((t * 7 + 3) % cols)]
            let z = 4 * (a - 0.5) + 3 * (b * b - 0.3) + (rng.nextDouble() - 0.5) * 2 - 2
            y[r] = rng.nextDouble() < sigmoid(z) ? 1 : 0
        }
        labels.append(y)
    }
    return (x, labels)
}

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "help"
if mode == "random" {
    let tags = args.count > 2 ? Int(args[2])! : 8
    let threads = args.count > 3 ? Int(args[3])! : 2
    let (x, labels) = randomData(rows: 12000, cols: 289, tags: tags, seed: 1)
    var t0 = now()
    let m = try BinnedMatrix(values: x, rowCount: 12000, columnCount: 289, rowMajor: true, threads: threads)
    print("binning \(now() - t0) s")
    let p = BoostingParameters(numLeaves: 15, minDataInLeaf: 20, lambdaL2: 1, learningRate: 0.1, numRounds: 100, featureFraction: 0.5, seed: 42)
    t0 = now()
    let models = try trainBinaryMany(matrix: m, labels: labels, parameters: p, threads: threads)
    let dt = now() - t0
    print("train \(tags) tags: \(dt) s, \(dt / Double(tags)) s/tag, trees \(models.map { $0.trees.count })")
    t0 = now()
    let s = models[0].ensemble.rawScores(values: x, rowCount: 12000, columnCount: 289)
    print("score \(now() - t0) s  first \(s[0])")
} else {
    print("usage: tagstack-bench random [tags] [threads] | gbdt ...")
}
