// libFuzzer harness: training (thresholds and logistic learners) on small fuzzed X files.
//
// The input is split at the first byte 0x00: the part before is train_X.csv, read with and without
// `allowMissing` against a fixed three-tag labels set (rock, jazz: genres; piano: instruments); the part after
// (if any) is train_y.csv, aligned to X's IDs. Without a y part, labels are derived from the row index (every
// tag gets positives and negatives), so inputs that only vary X still train. Each accepted data set is trained
// with the thresholds and logistic learners (2 folds and no folds, confidence test off, min 1 positive), then
// the model is scored on the training rows. Checks beyond "no trap, no memory error, no hang": only
// `DataError`s come out; every out-of-fold and scored probability is finite and in [0, 1]; every threshold is
// finite; the model encodes and decodes.

import Foundation
import TagStackModel

let scratchX = FuzzScratch(name: "train-x")
let scratchY = FuzzScratch(name: "train-y")
let labels = try! LabelSet(tags: ["rock", "jazz", "piano"], categories: ["genres-a", "genres-a", "instruments-k"],
                           classes: ["Genres", "Genres", "Instruments"])

func check(_ data: TrainingData, learner: LearnerKind, folds: Int) {
    var o = StackerOptions()
    o.learner = learner
    o.candidates = [learner]
    o.folds = folds
    o.guards.confidence = 0
    o.guards.minPositives = 1
    o.guards.bootstrapDraws = 10
    let result: StackerResult
    do { result = try Stacker.train(data: data, options: o) }
    catch is DataError { return }
    catch { fatalError("train threw a non-DataError: \(error)") }
    for t in result.model.tags {
        if let th = t.threshold { precondition(th.isFinite, "threshold \(th) of \(t.name)") }
    }
    let json: Data
    do { json = try result.model.encoded() } catch { fatalError("encode failed: \(error)") }
    let model: StackerModel
    do { model = try StackerModel.decode(from: json) } catch { fatalError("a trained model does not decode: \(error)") }
    do {
        let scorer = try ModelScorer(model: model)
        let p = try scorer.score(values: data.x.values, columns: data.x.columns, threads: 1).probabilities
        for v in p { precondition(v.isFinite && v >= 0 && v <= 1, "scored probability \(v) (\(learner), folds \(folds))") }
    } catch is ModelError {
    } catch { fatalError("scoring threw: \(error)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrain(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cut = bytes.firstIndex(of: 0) ?? bytes.count
    let xPath = scratchX.write(Array(bytes[..<cut]))
    let yPath = cut < bytes.count ? scratchY.write(Array(bytes[(cut + 1)...])) : nil
    for allowMissing in [false, true] {
        do {
            let x = try DataFiles.readFeatures(path: xPath, labels: labels, options: FeatureReadOptions(allowMissing: allowMissing))
            guard x.rowCount <= 64 else { continue }   // small files only: keep each input fast
            let tagColumns = try TrainingData.requireTagColumns(x: x, labels: labels, path: xPath)
            let y: LabelMatrix
            if let yPath {
                y = try DataFiles.readLabels(path: yPath, labels: labels, alignTo: x.ids, idsSource: xPath)
            } else {
                var v = [UInt8](repeating: 0, count: x.rowCount * 3)
                for i in 0..<x.rowCount { v[i * 3] = UInt8(i % 2); v[i * 3 + 1] = i % 3 == 0 ? 1 : 0; v[i * 3 + 2] = i % 4 == 1 ? 1 : 0 }
                y = LabelMatrix(ids: x.ids, tags: labels.tags, values: v)
            }
            let d = TrainingData(labels: labels, x: x, y: y, groups: nil, tagColumns: tagColumns)
            for learner in [LearnerKind.thresholds, .logistic] {
                for folds in [0, 2] { check(d, learner: learner, folds: folds) }
            }
        } catch is DataError {
        } catch { fatalError("reading threw a non-DataError: \(error)") }
    }
    return 0
}
