import Foundation
import XCTest
import TagStackModel

/// Thresholds on the scale the user sees (issue 25 item 2): `train --report` and the training page give each
/// tag's threshold on the probabilities `predict --scores` writes (`threshold_probability`, the model's
/// `calibration.threshold`) and on the score before calibration (`threshold_score`); applying the first to the
/// written probabilities reproduces `predict --decisions` exactly under the thresholds rule.
final class ThresholdScaleTests: XCTestCase {
    /// A CSV of IDs and numbers (no quoted cells): header, then rows of Doubles.
    func table(_ path: String) throws -> (header: [String], rows: [[Double]]) {
        let lines = try String(contentsOfFile: path).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().map { Double($0)! } }
        return (header, rows)
    }

    func testProbabilityThresholdsReproduceTheDecisionsFromTheScores() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "400", "--test", "300", "--seed", "3"]).status, 0)
        // Platt per tag on the network's score; the logistic learner (calibration auto) on its learned score.
        for (name, flags) in [("platt", ["--learner", "thresholds", "--calibration", "platt"]),
                              ("logistic", ["--learner", "logistic", "--decision", "thresholds"]),
                              ("none", ["--learner", "thresholds", "--calibration", "none"])] {
            let m = s.path + "/\(name).json", report = s.path + "/\(name).csv", html = s.path + "/\(name).html"
            var r = try CLI.run(["train", "--data", s.path + "/data", "--model", m, "--folds", "3", "--report", report, "--html", html, "--quiet"] + flags)
            XCTAssertEqual(r.status, 0, r.stderr)
            let model = try StackerModel.load(contentsOf: URL(fileURLWithPath: m))
            XCTAssertEqual(model.decision, .thresholds, name)
            let d = s.path + "/\(name).d.csv", p = s.path + "/\(name).p.csv"
            r = try CLI.run(["predict", "--model", m, "--input", s.path + "/data/test_X.csv", "--decisions", d, "--scores", p])
            XCTAssertEqual(r.status, 0, r.stderr)

            // The report: both scales, named; the probability one first (the headline) and equal to the model's.
            let lines = try String(contentsOfFile: report).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            XCTAssertEqual(Array(lines[0].prefix(6)), ["tag", "support", "oof_f1_raw", "oof_f1_stacked", "threshold_probability", "threshold_score"])
            var probabilityThreshold: [String: Double?] = [:]
            for row in lines.dropFirst() {
                let tag = row[0], tp = row[4] == "never" ? nil : Double(row[4]), ts = row[5] == "never" ? nil : Double(row[5])
                probabilityThreshold[tag] = tp
                let t = model.tags.first { $0.name == tag }!
                XCTAssertEqual(ts, t.threshold, "\(name) \(tag): threshold_score is the model's threshold")
                if let c = t.calibration { XCTAssertEqual(tp, c.threshold, "\(name) \(tag): threshold_probability is calibration.threshold") }
                else { XCTAssertEqual(tp, t.threshold.map(rawProbability), "\(name) \(tag)") }
            }
            XCTAssertEqual(probabilityThreshold.count, model.tags.count)
            if name != "none" { XCTAssertTrue(model.tags.contains { $0.calibration != nil }, "\(name): some tag calibrated") }

            // threshold_probability applied to `--scores` gives `--decisions`, cell for cell (>=, as decisions).
            let scores = try table(p), decisions = try table(d)
            XCTAssertEqual(scores.header, decisions.header)
            var positives = 0, cells = 0, onScoreScale = 0
            for (k, tag) in scores.header.dropFirst().enumerated() {
                let t = probabilityThreshold[tag]!
                let scoreThreshold = model.tags.first { $0.name == tag }!.threshold
                for (i, row) in scores.rows.enumerated() {
                    let mine: Double = t.map { row[k] >= $0 ? 1 : 0 } ?? 0
                    XCTAssertEqual(mine, decisions.rows[i][k], "\(name) \(tag) row \(i): p \(row[k]), threshold_probability \(t.map { "\($0)" } ?? "never")")
                    positives += Int(mine); cells += 1
                    onScoreScale += scoreThreshold.map { row[k] >= $0 ? 1 : 0 } ?? 0
                }
            }
            XCTAssertGreaterThan(positives, 0, name)
            XCTAssertLessThan(positives, cells, name)
            if name == "platt" {
                XCTAssertNotEqual(onScoreScale, positives, "the score-scale thresholds do not apply to calibrated probabilities")
            }

            // The training page names both columns.
            let page = try String(contentsOfFile: html)
            XCTAssertTrue(page.contains("<th>threshold_probability</th><th>threshold_score</th>"), name)
        }
    }

    /// An uncalibrated tag whose score threshold is below 0 writes its scores clamped at 0 on both sides of it:
    /// no threshold on the probabilities gives its decisions, and the report says n/a rather than a wrong 0.
    func testAThresholdBelowZeroWithoutCalibrationHasNoProbabilityThreshold() throws {
        let x = "ChallengeID,rock,jazz,piano,genres-a\n001,-0.3,0.1,0.2,0.8\n002,-0.2,0.7,0.6,0.5\n003,-0.1,0.4,0.1,0.7\n"
            + "004,0.2,0.3,0.9,0.1\n005,-0.4,0.2,0.3,0.2\n006,0.5,0.9,0.2,0.3\n"
        let y = "ChallengeID,rock,jazz,piano\n001,0,0,1\n002,1,1,0\n003,1,0,0\n004,1,0,1\n005,0,0,0\n006,1,1,0\n"
        let s = TinyData.folder(x: x, y: y)
        var r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--calibration", "none",
                             "--folds", "0", "--no-groups", "--report", s.path + "/r.csv", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rock = try String(contentsOfFile: s.path + "/r.csv").split(separator: "\n").first { $0.hasPrefix("rock,") }!.split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(rock[5], "-0.25", "threshold_score: between -0.3 and -0.2")
        XCTAssertEqual(rock[4], "n/a", "threshold_probability")
        r = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/train_X.csv", "--decisions", s.path + "/d.csv",
                         "--scores", s.path + "/p.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let p = try table(s.path + "/p.csv"), d = try table(s.path + "/d.csv")
        // Rows 002 and 005 both write 0 for rock; one is on, the other off.
        XCTAssertEqual([p.rows[1][0], p.rows[4][0]], [0, 0])
        XCTAssertEqual([d.rows[1][0], d.rows[4][0]], [1, 0])
    }
}
