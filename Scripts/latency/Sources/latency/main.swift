// Times `ModelScorer.decide(inputRow:probabilities:decisions:workspace:)` (one track: inputs → probabilities
// and decisions) over every row of X, several passes, and `ModelScorer.score(values:columns:threads:)`
// (batch) with 1 and 2 threads. Prints the median and p99 single-track latency and the batch throughput.

import Foundation
import TagStackModel

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: latency MODEL.json X.csv [--reps N]"); exit(2)
}
let reps = args.firstIndex(of: "--reps").map { Int(args[$0 + 1])! } ?? 5
let scorer = try ModelScorer(contentsOf: URL(fileURLWithPath: args[1]))
let text = try String(contentsOfFile: args[2], encoding: .utf8)
var lines = text.split(whereSeparator: \.isNewline)   // "\r\n" is one Character
let columns = lines.removeFirst().split(separator: ",").dropFirst().map(String.init)
let values = lines.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().map { Double($0) ?? .nan } }
let rows = lines.count, width = columns.count
let mapping = try scorer.columnMapping(for: columns)
let m = scorer.model
let pooledTags = m.tags.filter { $0.path == .pooled }.count
let treesPerTrack = m.tags.compactMap { $0.booster?.trees.count }.reduce(0, +) + pooledTags * (m.pooled?.booster.trees.count ?? 0)
print("model: \(m.learner), \(m.tags.count) tags (\(m.tags.filter { $0.path == .stacked }.count) stacked, \(pooledTags) pooled, "
      + "\(treesPerTrack) trees a track), \(m.inputColumns.count) inputs, decision \(m.decision.rawValue); \(rows) rows")

// Single track.
var ws = scorer.makeWorkspace()
var x = [Double](repeating: 0, count: mapping.count)
var p = [Double](repeating: 0, count: m.tags.count)
var d = [UInt8](repeating: 0, count: m.tags.count)
var times: [Double] = []
var checksum = 0
for pass in 0...reps {
    for i in 0..<rows {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for j in 0..<mapping.count { x[j] = values[i * width + mapping[j]] }
        x.withUnsafeBufferPointer { xb in
            p.withUnsafeMutableBufferPointer { pb in
                d.withUnsafeMutableBufferPointer { scorer.decide(inputRow: xb, probabilities: pb, decisions: $0, workspace: &ws) }
            }
        }
        let t1 = DispatchTime.now().uptimeNanoseconds
        if pass > 0 { times.append(Double(t1 - t0) / 1000) }   // pass 0 warms up
        checksum &+= Int(d[0])
    }
}
times.sort()
print(String(format: "single track: median %.1f µs, p99 %.1f µs over %d calls", times[times.count / 2], times[times.count * 99 / 100], times.count))

// Batch.
for threads in [1, 2] {
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try scorer.score(values: values, columns: columns, threads: threads)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        checksum &+= Int(r.decisions[0])
    }
    print(String(format: "batch, %d thread(s): %.0f tracks/s (%d rows in %.3f s, best of 3)", threads, Double(rows) / best, rows, best))
}
if checksum == -1 { print(checksum) }
