// tagstack-bench: benchmarks only (`make bench`), never part of `make test`.
//
//   tagstack-bench gbdt-export --data DIR --out OUT
//       Reads DIR/{labels.csv,train_X.csv,train_y.csv,test_X.csv,test_y.csv} and writes the exact feature
//       matrices and labels the GBDT benchmark trains on as OUT/{train_X,test_X}.npy (float64) and
//       OUT/{train_y,test_y}.npy (uint8), so that the LightGBM peer (Benchmarks/lightgbm_peer.py) loads
//       the very same numbers.
//   tagstack-bench gbdt --in OUT [--threads N] [--rounds 100] [--leaves 15] [--gradient-bins 4|K|0]
//                       [--threshold-step-rows 8|R|0] [--init prior|tag-logit] [--prob FILE] [--out FILE]
//       Bins train_X once, trains one model per tag (the benchmark's fixed parameters; --gradient-bins K:
//       quantized training with K levels, default 4; 0: exact; --threshold-step-rows: quantized training's
//       threshold step in small leaves, the library's default 8; 0: every bin), boosting from the prior log-odds or
//       (tag-logit) from the logit of the tag's own first-stage score column (OUT/tag_columns.npy), scores
//       test_X with every model, writes the test probabilities (rows × tags, float64 .npy) and prints one
//       JSON line (also to --out): wall times (binning, training, scoring) and peak resident memory.
//   tagstack-bench generate-data --out DIR [--train 12000] [--test 4000] [--seed 1]
//       The default synthetic data set (same as `tagstack generate`), for when the CLI command is absent.
//   tagstack-bench random [tags] [threads]
//       Quick synthetic-data timing for development.

import Dispatch
import Foundation
import TagStack
import TagStackModel

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Peak resident set size of this process so far, in MiB.
func peakRSSMiB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024          // Linux reports KiB
}

/// CPU time (user + system) of this process so far, in seconds.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tagstack-bench: \(message)\n".utf8))
    exit(2)
}

/// `--name value` options after the subcommand.
func options(_ args: ArraySlice<String>) -> [String: String] {
    var out: [String: String] = [:]
    var it = args.makeIterator()
    while let a = it.next() {
        guard a.hasPrefix("--"), let v = it.next() else { fail("bad argument '\(a)' (expected --name value)") }
        out[String(a.dropFirst(2))] = v
    }
    return out
}

func exportData(_ o: [String: String]) throws {
    guard let dir = o["data"], let out = o["out"] else { fail("gbdt-export needs --data DIR --out OUT") }
    let labels = try MewoIO.readLabels(path: "\(dir)/labels.csv")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    for split in ["train", "test"] {
        let x0 = try DataFiles.readFeatures(path: "\(dir)/\(split)_X.csv", labels: labels)
        let x = withClassStatistics(x0, labels: labels)
        let y = try DataFiles.readLabels(path: "\(dir)/\(split)_y.csv", labels: labels, alignTo: x.ids, idsSource: "\(split)_X.csv")
        try NPY.write(NPYMatrix(rows: x.rowCount, columns: x.columnCount, values: x.values), to: "\(out)/\(split)_X.npy")
        try NPY.write(NPYMatrix(rows: y.rowCount, columns: y.tags.count, values: y.values.map(Double.init)),
                      to: "\(out)/\(split)_y.npy", as: .uint8)
        print("\(split): \(x.rowCount) rows, \(x.columnCount) feature columns, \(y.tags.count) tags")
        if split == "train" {     // each tag's own first-stage score column (for --init tag-logit)
            let cols = labels.tags.map { Double(x.columnIndex($0)!) }
            try NPY.write(NPYMatrix(rows: cols.count, columns: 1, values: cols), to: "\(out)/tag_columns.npy")
        }
    }
}

/// The input columns plus the row statistics every tag can share: per class, the max, mean and (population)
/// standard deviation of the track's tag scores (3 classes: 9 columns; 289 + 9 = 298 on Mewo-shaped data).
func withClassStatistics(_ x: FeatureTable, labels: LabelSet) -> FeatureTable {
    let tagCols = labels.tags.map { x.columnIndex($0)! }
    let groups = labels.tagIndicesByClass
    let extra = groups.count * 3, w = x.columnCount
    var values = [Double](); values.reserveCapacity(x.rowCount * (w + extra))
    for i in 0..<x.rowCount {
        values.append(contentsOf: x.values[(i * w)..<((i + 1) * w)])
        for g in groups {
            let s = g.map { x[i, tagCols[$0]] }
            let mean = s.reduce(0, +) / Double(s.count)
            let sd = (s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(s.count)).squareRoot()
            values += [s.max()!, mean, sd]
        }
    }
    let names = labels.classes.flatMap { ["\($0):max", "\($0):mean", "\($0):sd"] }
    return FeatureTable(ids: x.ids, columns: x.columns + names, values: values)
}

/// CSV reading speed: writes a `rows × cols` X file of 6-significant-digit probabilities (like network
/// outputs) and times `MewoIO.readFeatures` (best of 3).
func runCSV(_ o: [String: String]) throws {
    let rows = Int(o["rows"] ?? "20000")!, cols = Int(o["cols"] ?? "290")!
    let path = NSTemporaryDirectory() + "tagstack-bench-\(getpid()).csv"
    defer { unlink(path) }
    var g = SplitMix64(seed: 1)
    let w = try AtomicFileWriter(path: path)
    try w.write("ChallengeID," + (1..<cols).map { "c\($0)" }.joined(separator: ",") + "\n")
    for i in 0..<rows {
        var line = String(format: "%07d", i)
        for _ in 1..<cols { line += ","; line += String(format: "%.6g", g.nextUnit()) }
        try w.write(line + "\n")
    }
    try w.commit()
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = Date()
        let x = try MewoIO.readFeatures(path: path)
        best = min(best, Date().timeIntervalSince(t0))
        precondition(x.rowCount == rows)
    }
    print(String(format: "{\"bench\": \"csv_read\", \"rows\": %d, \"columns\": %d, \"megabytes\": %.1f, \"seconds\": %.3f, \"mb_per_s\": %.0f}",
                 rows, cols, Double(size) / 1e6, best, Double(size) / 1e6 / best))
}

/// The benchmark's fixed parameters (Benchmarks/README.md); LightGBM's peer uses the same.
func benchParameters(_ o: [String: String]) -> BoostingParameters {
    BoostingParameters(numLeaves: Int(o["leaves"] ?? "15")!, minDataInLeaf: 20, lambdaL2: 1, learningRate: 0.1,
                       numRounds: Int(o["rounds"] ?? "100")!, featureFraction: 0.5, seed: 1,
                       gradientBins: Int(o["gradient-bins"] ?? "4")!,
                       thresholdStepRows: Int(o["threshold-step-rows"] ?? "8")!)
}


func runGBDT(_ o: [String: String]) throws {
    guard let dir = o["in"] else { fail("gbdt needs --in DIR (made by gbdt-export)") }
    let threads = Int(o["threads"] ?? "2")!
    let trainX = try NPY.read(path: "\(dir)/train_X.npy"), trainY = try NPY.read(path: "\(dir)/train_y.npy")
    let testX = try NPY.read(path: "\(dir)/test_X.npy")
    let n = trainX.rows, tags = min(trainY.columns, Int(o["tags"] ?? "\(trainY.columns)")!)
    // Labels per tag, from the row-major y matrix.
    let labels: [[UInt8]] = (0..<tags).map { t in (0..<n).map { UInt8(trainY.values[$0 * trainY.columns + t]) } }
    let initMode = o["init"] ?? "prior"
    guard initMode == "prior" || initMode == "tag-logit" else { fail("--init is prior or tag-logit, not '\(initMode)'") }
    var initTrain: [[Double]]? = nil, initTest: [[Double]]? = nil
    if initMode == "tag-logit" {
        let cols = try NPY.read(path: "\(dir)/tag_columns.npy").values.map { Int($0) }
        // The logit of the score clipped to [1e-7, 1 - 1e-7], as the peer computes it (the export has no NaN).
        initTrain = (0..<tags).map { t in (0..<n).map { clippedLogit(trainX.values[$0 * trainX.columns + cols[t]]) } }
        initTest = (0..<tags).map { t in (0..<testX.rows).map { clippedLogit(testX.values[$0 * testX.columns + cols[t]]) } }
    }
    let loaded = peakRSSMiB()

    let c0 = cpuSeconds()
    let t0 = now()
    let matrix = try BinnedMatrix(values: trainX.values, rowCount: n, columnCount: trainX.columns, rowMajor: true,
                                  options: BinningOptions(maxBins: 255), threads: threads)
    let t1 = now()
    let parameters = benchParameters(o)
    let models = try trainBinaryMany(matrix: matrix, labels: labels, initScores: initTrain, parameters: parameters, threads: threads)
    let t2 = now()
    let trainCPU = cpuSeconds() - c0
    let trainPeak = peakRSSMiB()

    // Scoring: every tag's model on every test row, tags shared among threads.
    let m = testX.rows
    var prob = [Double](repeating: 0, count: m * tags)
    let t3 = now()
    let workers = max(1, min(threads, tags))
    let next = NSLock(); var counter = 0
    prob.withUnsafeMutableBufferPointer { out in
        let out = out
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                next.lock(); let t = counter; counter += 1; next.unlock()
                if t >= tags { break }
                let raw = models[t].ensemble.rawScores(values: testX.values, rowCount: m, columnCount: testX.columns)
                for r in 0..<m { out[r * tags + t] = sigmoid(raw[r] + (initTest?[t][r] ?? 0)) }
            }
        }
    }
    var t4 = now()
    if let reps = o["score-reps"].flatMap(Int.init) {      // development: time scoring alone, best of reps
        var best = t4 - t3
        for _ in 0..<reps {
            let s0 = now()
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var t = w
                while t < tags { _ = models[t].ensemble.rawScores(values: testX.values, rowCount: m, columnCount: testX.columns); t += workers }
            }
            best = min(best, now() - s0)
        }
        t4 = t3 + best
    }
    if let path = o["prob"] {
        try NPY.write(NPYMatrix(rows: m, columns: tags, values: prob), to: path)
    }
    let trees = models.reduce(0) { $0 + $1.trees.count }
    let line = String(format: #"{"engine":"tagstack","init":"\#(initMode)","gradient_bins":%d,"threshold_step_rows":%d,"threads":%d,"rows":%d,"features":%d,"tags":%d,"trees":%d,"bin_s":%.3f,"train_s":%.3f,"total_train_s":%.3f,"train_cpu_s":%.3f,"score_s":%.3f,"loaded_rss_mib":%.1f,"train_peak_rss_mib":%.1f,"peak_rss_mib":%.1f}"#,
                 parameters.gradientBins, parameters.thresholdStepRows, threads, n, trainX.columns, tags, trees, t1 - t0, t2 - t1, t2 - t0, trainCPU, t4 - t3, loaded, trainPeak, peakRSSMiB())
    print(line)
    if let path = o["out"] { try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8) }
}

// Random data with signal (development only).
func runRandom(tags: Int, threads: Int) throws {
    let rows = 12000, cols = 289
    var rng = SplitMix64(seed: 1)
    let x = (0..<(rows * cols)).map { _ in rng.nextDouble() }
    let labels: [[UInt8]] = (0..<tags).map { t in
        (0..<rows).map { r in
            let a = x[r * cols + (t % cols)], b = x[r * cols + ((t * 7 + 3) % cols)]
            let z = 4 * (a - 0.5) + 3 * (b * b - 0.3) + (rng.nextDouble() - 0.5) * 2 - 2
            return rng.nextDouble() < sigmoid(z) ? 1 : 0
        }
    }
    var t0 = now()
    let m = try BinnedMatrix(values: x, rowCount: rows, columnCount: cols, rowMajor: true, threads: threads)
    print("binning \(now() - t0) s")
    t0 = now()
    let models = try trainBinaryMany(matrix: m, labels: labels, parameters: benchParameters([:]), threads: threads)
    let dt = now() - t0
    print("train \(tags) tags: \(dt) s, \(dt / Double(tags)) s/tag, trees \(models.map { $0.trees.count }.reduce(0, +))")
}

let args = CommandLine.arguments
do {
    switch args.count > 1 ? args[1] : "" {
    case "gbdt-export": try exportData(options(args.dropFirst(2)))
    case "gbdt": try runGBDT(options(args.dropFirst(2)))
    case "csv": try runCSV(options(args.dropFirst(2)))
    case "scan":      // development: the packed split scan alone, ns per bin for leaves of several sizes
        // (the layout of a 12,000-row training set, and of a 100,000-row one)
        for training in [12_000, 100_000] {
            for rows in [100, 300, 1000, 5000] {
                let (ns, sum) = benchmarkPackedScan(rows: rows, trainingRows: training)
                print(String(format: "{\"bench\": \"scan\", \"training_rows\": %d, \"leaf_rows\": %d, \"ns_per_bin\": %.3f, \"checksum\": %d}",
                             training, rows, ns, sum))
            }
        }
    case "generate-data":
        let o = options(args.dropFirst(2))
        guard let out = o["out"] else { fail("generate-data needs --out DIR") }
        let config = SyntheticConfig(trainCount: Int(o["train"] ?? "12000")!, testCount: Int(o["test"] ?? "4000")!,
                                     seed: UInt64(o["seed"] ?? "1")!)
        try SyntheticData.generate(config).write(to: out)
    case "random": try runRandom(tags: args.count > 2 ? Int(args[2])! : 8, threads: args.count > 3 ? Int(args[3])! : 2)
    default:
        print("usage: tagstack-bench gbdt-export --data DIR --out OUT | gbdt --in OUT [--threads N] [--prob FILE] | csv [--rows N] [--cols M] | random [tags] [threads]")
        exit(args.count > 1 ? 2 : 0)
    }
} catch {
    fail("\(error)")
}
