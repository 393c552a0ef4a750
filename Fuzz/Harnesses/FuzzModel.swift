// libFuzzer harness: the model decoder, then everything a service does with a model it accepted: build a
// scorer, map columns, score rows (zeros, ones, NaN, the tag's own column varied) and decide.
//
// `StackerModel.decode(from:)` must return a model or throw a `ModelError`; a model it returns must be
// scorable without a trap: validation is the only gate between a file and the scoring loops.

import Foundation
import TagStackModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let model: StackerModel
    do { model = try StackerModel.decode(from: Data(bytes: data, count: size)) }
    catch is ModelError { return 0 }
    catch { fatalError("decode threw a non-ModelError: \(error)") }
    let scorer: ModelScorer
    do { scorer = try ModelScorer(model: model) }
    catch is ModelError { return 0 }
    catch { fatalError("ModelScorer threw a non-ModelError: \(error)") }
    let columns = model.inputColumns.reversed() + ["extra"]
    let mapping: [Int]
    do { mapping = try scorer.columnMapping(for: Array(columns)) } catch { fatalError("columnMapping of its own inputs failed: \(error)") }
    let w = columns.count
    var values: [Double] = []
    for fill in [0.0, 1.0, .nan, 0.25, -3] { values += [Double](repeating: fill, count: w) }
    for j in 0..<w { values.append(Double(j) / Double(w)) }
    let rows = values.count / w
    let r = scorer.score(rows: rows, columns: w, values: values, mapping: mapping, threads: 1)
    precondition(r.scores.count == rows * model.tags.count && r.probabilities.count == r.scores.count)
    precondition(r.probabilities.allSatisfy { $0 >= 0 && $0 <= 1 }, "a written probability outside [0, 1]")
    let d = scorer.decider.decide(rows: rows, probabilities: r.scores, categoryScores: r.categoryScores)
    precondition(d.count == r.scores.count && d.allSatisfy { $0 <= 1 })
    _ = try? model.encoded()
    return 0
}
