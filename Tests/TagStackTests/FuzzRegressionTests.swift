import Foundation
import XCTest
@testable import TagStack
import TagStackModel

/// Inputs found by (or written while building) the libFuzzer harnesses in Fuzz/: each once trapped or hung.
/// They must now give a typed error or a value, quickly. Run the harnesses with `make fuzz`.
final class FuzzRegressionTests: XCTestCase {
    /// A `.npy` header (version 1.0) followed by `data`.
    func npy(_ header: String, data: [UInt8] = []) -> [UInt8] {
        var h = header
        let unpadded = 10 + h.utf8.count + 1
        h += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(h.utf8.count & 0xFF), UInt8(h.utf8.count >> 8)] + Array(h.utf8) + data
    }

    /// rows × columns fits in Int but × 8 bytes does not: was an arithmetic-overflow trap.
    func testNPYShapeWhoseByteCountOverflows() {
        let bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 1), }")
        XCTAssertThrowsError(try NPY.decode(bytes, path: "x.npy")) { e in
            XCTAssertEqual((e as? DataError)?.kind, .badNPY)
            XCTAssertTrue("\(e)".contains("more than"), "\(e)")
        }
    }

    /// An empty Fortran-order array with a huge column count: was a loop over 10^18 columns (a hang).
    func testNPYEmptyFortranArrayWithHugeShape() throws {
        let bytes = npy("{'descr': '<f8', 'fortran_order': True, 'shape': (0, 1000000000000000000), }")
        let m = try NPY.decode(bytes, path: "x.npy")
        XCTAssertEqual(m.rows, 0)
        XCTAssertEqual(m.values, [])
    }
}

/// Found by `fuzz-csv` (differential check against `CSVReader.parseSimple`).
final class CSVFuzzRegressionTests: XCTestCase {
    /// Two byte-order marks, then a short header, read in small chunks: the second mark was skipped too
    /// (the check ran again on the refill that hit the end of the file), so the header lost its first bytes.
    func testOnlyTheFirstByteOrderMarkIsSkipped() throws {
        let dir = TempDir()
        let path = dir.path + "/bom.csv"
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("ChalOChleng".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for chunk in [64, 1 << 20] {
            let r = try CSVReader(path: path, chunkSize: chunk)
            XCTAssertTrue(try r.nextRecord())
            XCTAssertEqual(r.strings(), ["\u{FEFF}ChalOChleng"], "chunk \(chunk)")
            XCTAssertEqual(r.strings(), CSVReader.parseSimple(String(decoding: bytes, as: UTF8.self))[0])
        }
    }

    /// A comma followed by a combining mark (U+065A): the twin split text into Characters, where the two
    /// form one grapheme, and lost the delimiter; the reader (bytes) was right. The twin now uses scalars.
    func testCommaBeforeACombiningMarkIsADelimiter() throws {
        let dir = TempDir()
        let text = "ChallengeID,a,0561 7\n3,4.9e,324,\u{65A}400Range"
        let path = dir.write("m.csv", text)
        let r = try CSVReader(path: path, chunkSize: 64)
        var records: [[String]] = []
        while try r.nextRecord() { records.append(r.strings()) }
        XCTAssertEqual(records, [["ChallengeID", "a", "0561 7"], ["3", "4.9e", "324", "\u{65A}400Range"]])
        XCTAssertEqual(CSVReader.parseSimple(text), records)
        XCTAssertEqual(CSVReader.parseSimple("a,b\r\n\r\nc\r\"\"\r\n"), [["a", "b"], ["c"], [""]])
    }

    /// An escaped quote followed by a combining mark (U+0317): the reader unescaped `""` with a Character
    /// search, which does not see `"` + U+0317 as a quote, and returned the field still escaped.
    func testEscapedQuoteBeforeACombiningMarkIsUnescaped() throws {
        let dir = TempDir()
        let text = "C\",\"\"\"\u{317}\u{FFFD}enex\"\"y\"\r\n"
        let path = dir.write("q.csv", text)
        let r = try CSVReader(path: path, chunkSize: 64)
        XCTAssertTrue(try r.nextRecord())
        XCTAssertEqual(r.strings(), ["C\"", "\"\u{317}\u{FFFD}enex\"y"])
        XCTAssertEqual(CSVReader.parseSimple(text), [r.strings()])
    }
}

/// Found by `fuzz-model` (Fuzz/regressions/model-network-not-listed.json): a model whose `per_tag` features
/// name a network (`net:n2`) missing from `features.networks` was accepted by `decode` and `ModelScorer`, then
/// trapped while scoring (`FeatureBuilder.features`, `firstIndex(of:)!`). A service loading such a file
/// crashed. It must be refused when loaded. (The fix belongs in Sources/TagStackModel/Features.swift.)
final class ModelFuzzRegressionTests: XCTestCase {
    func testModelNamingAnUnlistedNetworkIsRefusedWhenLoaded() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let seed = try String(contentsOf: root.appendingPathComponent("Fuzz/corpus/model/logistic-class.json"), encoding: .utf8)
        XCTAssertTrue(seed.contains("\"networks\":[\"n2\"]") && seed.contains("\"net:n2\""))
        let bad = Data(seed.replacingOccurrences(of: "\"networks\":[\"n2\"]", with: "\"networks\":[\"n1\"]").utf8)
        // Never score it here: without the fix that traps and ends the test run.
        var refused = false
        do {
            let model = try StackerModel.decode(from: bad)
            _ = try ModelScorer(model: model)
        } catch is ModelError { refused = true }
        XCTAssertTrue(refused, "a model whose features name a network not in features.networks must be refused when loaded")
    }
}

/// Found by `fuzz-model` (Fuzz/regressions/model-linear-lengths.json): a linear model whose `means` (or
/// `scales`) are shorter than its `weights` was accepted (the synthesized decoder skips `LinearModel.init`'s
/// precondition), then read past `means` while scoring. It must be refused when loaded. (The fix belongs in
/// Sources/TagStackModel: see Fuzz/regressions/model-validation-fixes.patch.)
final class LinearModelFuzzRegressionTests: XCTestCase {
    func testLinearModelWithMismatchedLengthsIsRefusedWhenLoaded() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let bad = try Data(contentsOf: root.appendingPathComponent("Fuzz/regressions/model-linear-lengths.json"))
        var refused = false
        do {
            let model = try StackerModel.decode(from: bad)
            _ = try ModelScorer(model: model)
        } catch is ModelError { refused = true }
        XCTAssertTrue(refused, "a linear model whose means/scales do not match its weights must be refused when loaded")
    }
}

/// Found by `fuzz-train` (Fuzz/regressions/train-out-of-range.csv), and the issue-13 reproductions it stands
/// for: training on values the readers accept (scores outside [0, 1], ±1e308, missing own scores) trapped in
/// `DescendingCurve.init` (a NaN out-of-fold probability) or gave NaN probabilities. Training must now give a
/// model whose probabilities are finite and in [0, 1] (the harness's checks, in-process).
final class TrainFuzzRegressionTests: XCTestCase {
    let labels = try! LabelSet(tags: ["rock", "jazz", "piano"], categories: ["genres-a", "genres-a", "instruments-k"],
                               classes: ["Genres", "Genres", "Instruments"])

    func train(_ csv: String, allowMissing: Bool = false) throws {
        let dir = TempDir()
        let path = dir.write("x.csv", csv)
        let x = try DataFiles.readFeatures(path: path, labels: labels, options: FeatureReadOptions(allowMissing: allowMissing))
        let cols = try TrainingData.requireTagColumns(x: x, labels: labels, path: path)
        var v = [UInt8](repeating: 0, count: x.rowCount * 3)
        for i in 0..<x.rowCount { v[i * 3] = UInt8(i % 2); v[i * 3 + 1] = i % 3 == 0 ? 1 : 0; v[i * 3 + 2] = i % 4 == 1 ? 1 : 0 }
        let data = TrainingData(labels: labels, x: x, y: LabelMatrix(ids: x.ids, tags: labels.tags, values: v), groups: nil, tagColumns: cols)
        for learner in [LearnerKind.thresholds, .logistic] {
            for folds in [0, 2] {
                var o = StackerOptions()
                o.learner = learner; o.candidates = [learner]; o.folds = folds
                o.guards.confidence = 0; o.guards.minPositives = 1; o.guards.bootstrapDraws = 10
                let result = try Stacker.train(data: data, options: o)
                for t in result.model.tags { XCTAssertTrue(t.threshold?.isFinite ?? true, "\(learner) \(folds): \(t.name)") }
                let model = try StackerModel.decode(from: result.model.encoded())
                let p = try ModelScorer(model: model).score(values: x.values, columns: x.columns, threads: 1).probabilities
                XCTAssertTrue(p.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(learner) \(folds): \(p)")
            }
        }
    }

    func testScoresOutsideTheUnitIntervalAndNearOverflow() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try train(String(contentsOf: root.appendingPathComponent("Fuzz/regressions/train-out-of-range.csv"), encoding: .utf8))
        try train("ChallengeID,rock,jazz,piano\n1,1e308,-1e308,0.2\n2,-1.7976931348623157e308,1.7976931348623157e308,0.1\n3,0.7,0.6,0.9\n4,0.1,0.2,0.7\n5,0.5,0.5,0.5\n")
    }

    func testMissingOwnScores() throws {
        try train("ChallengeID,rock,jazz,piano\n1,,0.1,0.2\n2,nan,0.8,\n3,0.7,,0.9\n4,,0.2,0.7\n5,0.5,0.4,0.3\n6,,,\n", allowMissing: true)
    }

    /// NaN scores never trap the threshold search or the ranking metrics; they are never predicted.
    func testThresholdSearchAndCurveWithNaN() {
        let t = ThresholdSearch.best(scores: [0.9, .nan, 0.2, .nan, 0.8], labels: [1, 1, 0, 0, 1])
        XCTAssertEqual(t.truePositives, 2)
        XCTAssertEqual(t.f1, 2.0 * 2 / Double(3 + 2))
        XCTAssertEqual(ThresholdSearch.best(scores: [.nan, .nan], labels: [1, 0]).threshold, nil)
        XCTAssertNotNil(Metrics.rocAUC(labels: [1, 0, 1], scores: [.nan, 0.3, 0.4]))
        XCTAssertEqual(clippedLogit(.nan), 0)
        XCTAssertEqual(sigmoid(.nan), 0.5)
        XCTAssertEqual(rawProbability(.nan), 0); XCTAssertEqual(rawProbability(1.5), 1); XCTAssertEqual(rawProbability(-0.2), 0)
    }

    /// IDs are bytes: non-UTF-8 IDs round-trip and stay distinct.
    func testIDsRoundTripByteForByte() {
        for bytes: [UInt8] in [[0xFF, 0x30, 0x31], [0xFE, 0x30, 0x31], Array("caf\u{E9}".utf8), Array("\u{F780}x".utf8), [0x41, 0x2C, 0xC3]] {
            let s = bytes.withUnsafeBufferPointer { MewoIO.idString($0) }
            XCTAssertEqual(MewoIO.idBytes(s), bytes)
        }
        let a = [UInt8]([0xFF, 0x30, 0x31]).withUnsafeBufferPointer { MewoIO.idString($0) }
        let b = [UInt8]([0xFE, 0x30, 0x31]).withUnsafeBufferPointer { MewoIO.idString($0) }
        XCTAssertNotEqual(a, b)
        // NFC and NFD spellings of "é" are different bytes, so different IDs.
        let nfc = Array("\u{E9}".utf8).withUnsafeBufferPointer { MewoIO.idString($0) }
        let nfd = Array("e\u{301}".utf8).withUnsafeBufferPointer { MewoIO.idString($0) }
        XCTAssertNotEqual(nfc, nfd)
        XCTAssertEqual(MewoIO.idBytes(nfd), Array("e\u{301}".utf8))
        XCTAssertEqual(MewoIO.csvID("a,b"), Array("\"a,b\"".utf8))
    }

    func testReadOnlyFilesystemIsSaidAsSuch() {
        XCTAssertTrue(OutputTarget.describe(errno: EROFS, folder: "/x").contains("read-only filesystem"))
    }
}
