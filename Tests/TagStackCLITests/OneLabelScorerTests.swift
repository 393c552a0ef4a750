import Foundation
import XCTest
import TagStackModel
import TagStack

/// The one-label stage in both scorers: Scripts/score_model.py agrees with the Swift scorer to 1e-12 on each
/// kind (renormalised on a mean base, softmax with networks and biases, multinomial), NaN inputs included, and
/// on a model trained now on generated one-label data.
final class OneLabelScorerTests: XCTestCase {
    static let tags = ["a", "b", "c", "d"]

    func model(_ stage: OneLabelStage, base: BaseScore? = nil) throws -> StackerModel {
        let t = Self.tags
        let labels = try LabelSet(tags: t, categories: t.map { _ in "g" }, classes: t.map { _ in "C" })
        var m = StackerModel(learner: "one_label", labels: labels, inputColumns: t + t.map { "n2:" + $0 },
                             tags: t.map { TagModel(name: $0, form: .raw, threshold: nil) }, decision: .thresholds, base: base)
        m.formatVersion = StackerModel.oneLabelFormatVersion
        m.oneLabel = stage
        return m
    }

    func testPythonAgreesWithSwift() throws {
        guard let python = Repo.which("python3") else { throw XCTSkip("python3 is not installed") }
        let dir = Scratch()
        var g = SplitMix64(seed: 3)
        var csv = "ChallengeID," + (Self.tags + Self.tags.map { "n2:" + $0 }).joined(separator: ",") + "\n"
        for i in 0..<30 {
            let cells = (0..<8).map { j -> String in
                if j >= 4 && i % 7 == 0 && j == 5 { return "" }   // a missing network value
                if i == 3 { return j < 4 ? "0" : "1" }            // exact 0 and 1
                return String(g.nextDouble())
            }
            csv += "r\(i)," + cells.joined(separator: ",") + "\n"
        }
        let input = dir.write("x.csv", csv)
        let t = Self.tags.count
        let stages: [(String, OneLabelStage, BaseScore?)] = [
            ("renormalised-mean", .renormalised, BaseScore(kind: .mean, networks: ["n2"])),
            ("softmax", .softmax(.init(networks: ["n2"], weights: [0.8, 0.5], biases: [0.2, -0.1, 0, 0.4])), nil),
            ("temperature-logitmean", .softmax(.init(networks: [], weights: [1.7])), BaseScore(kind: .logitMean, networks: ["n2"])),
            ("multinomial", .multinomial(.init(columns: ["a", "b", "n2:c", "n2:b"], means: [-1, -0.5, 0, 0.2], scales: [1.5, 1, 2, 0.7],
                                               coefficients: (0..<t).map { k in (0..<4).map { Double($0 - k) * 0.3 } },
                                               intercepts: [0.1, 0.2, -0.3, 0])), nil),
        ]
        for (name, stage, base) in stages {
            let m = try model(stage, base: base)
            let path = dir.path + "/\(name).json"
            try m.encoded().write(to: URL(fileURLWithPath: path))
            let s = dir.path + "/\(name).p.csv", d = dir.path + "/\(name).d.csv"
            let r = try Repo.run(python, [Repo.root.appendingPathComponent("Scripts/score_model.py").path,
                                          "--model", path, "--input", input, "--scores", s, "--decisions", d])
            XCTAssertEqual(r.status, 0, r.stderr)
            let x = try Repo.readCSV(input)
            let swift = try ModelScorer(model: m).score(values: x.values, columns: x.columns, threads: 1)
            let py = try Repo.readCSV(s), pd = try Repo.readCSV(d)
            XCTAssertEqual(py.values.count, swift.probabilities.count)
            let worst = zip(py.values, swift.probabilities).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-12, name)
            XCTAssertEqual(pd.values, swift.decisions.map(Double.init), name)
            for i in 0..<x.ids.count { XCTAssertEqual(swift.probabilities[(i * t)..<((i + 1) * t)].reduce(0, +), 1, accuracy: 1e-12) }
        }
    }
}

extension OneLabelScorerTests {
    /// The LightGBM export writes what it can and says the one-label stage is not exported.
    func testExportSaysWhatLightGBMCannotExpress() throws {
        let dir = Scratch()
        let path = dir.path + "/m.json"
        try model(.softmax(.init(networks: ["n2"], weights: [0.8, 0.5]))).encoded().write(to: URL(fileURLWithPath: path))
        let r = try CLI.run(["export", "--format", "lightgbm", "--model", path, "--out", dir.path + "/exp"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("one-label stage") && r.stderr.contains("not expressible in LightGBM"), r.stderr)
        let features = try String(contentsOfFile: dir.path + "/exp/features.json", encoding: .utf8)
        XCTAssertTrue(features.contains("\"one_label\"") && features.contains("\"kind\" : \"softmax\"") && features.contains("not exported"), features)
        XCTAssertTrue(try String(contentsOfFile: dir.path + "/exp/README.txt", encoding: .utf8).contains("ONE LABEL A TRACK"))
    }
}
