import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13 ("Reliability, round two"), through the built binary: one test per row of the table.
/// Each reproduction ends in exit 0 with a correct result or exit 1/2 with a clear message, never a signal,
/// a trap, or a file the user did not ask to lose.
final class ReliabilityTests: XCTestCase {
    /// A small generated data set (248 tags, 100 training and 10 test tracks) in a scratch folder.
    func generated() throws -> Scratch {
        let s = Scratch()
        let r = try CLI.run(["generate", "--out", s.path + "/G", "--train", "100", "--test", "10"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return s
    }

    /// Rewrites cells of a CSV file: `edit(line index, cells)` may change the cells of each line.
    func rewrite(_ from: String, _ to: String, _ edit: (Int, inout [String]) -> Void) throws {
        let text = try String(contentsOfFile: from, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices where !lines[i].isEmpty {
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            edit(i, &cells)
            lines[i] = cells.joined(separator: ",")
        }
        try lines.joined(separator: "\n").write(toFile: to, atomically: false, encoding: .utf8)
    }

    func assertExit(_ r: CLI.Result, _ status: Int32, _ words: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "stderr: \(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Backtrac") || r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        if !words.isEmpty {
            XCTAssertTrue(r.stderr.lowercased().contains(words.lowercased()), "expected '\(words)' in: \(r.stderr)", file: file, line: line)
        }
    }

    /// Every probability in a scores file is finite and in [0, 1].
    func assertProbabilities(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for row in text.split(separator: "\n").dropFirst() {
            for cell in row.split(separator: ",").dropFirst() {
                let v = Double(cell)
                XCTAssertTrue(v.map { $0 >= 0 && $0 <= 1 } ?? false, "'\(cell)' is not a probability", file: file, line: line)
            }
        }
    }

    // MARK: - Row 1: missing own scores under --allow-missing

    func testRow1MissingOwnScoresTrainEveryLearner() throws {
        let s = try generated()
        let g = s.path + "/G"
        try rewrite(g + "/train_X.csv", s.path + "/xm.csv") { i, c in if i > 0 && i % 3 == 0 { c[1] = "" } }
        for learner in ["thresholds", "logistic", "pooled", "gbdt"] {
            let r = try CLI.run(["train", "--data", g, "--train-x", s.path + "/xm.csv", "--allow-missing", "--folds", "2",
                                 "--rounds", "5", "--model", s.path + "/m.json", "--learner", learner, "--quiet"])
            assertExit(r, 0)
            let p = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/xm.csv", "--allow-missing",
                                 "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv"])
            assertExit(p, 0)
            try assertProbabilities(s.path + "/p.csv")
        }
    }

    // MARK: - Rows 2 and 3: extreme finite values in training and at predict time

    func testRows2And3ExtremeFiniteValues() throws {
        let s = try generated()
        let g = s.path + "/G"
        try rewrite(g + "/train_X.csv", s.path + "/xe.csv") { i, c in if i == 5 { c[2] = "1e308"; c[3] = "-1e308" }; if i == 9 { c[1] = "1.7976931348623157e308"; c[5] = "-1.7976931348623157e308" } }
        try rewrite(g + "/test_X.csv", s.path + "/te.csv") { i, c in if i == 3 { c[1] = "1e308"; c[2] = "-1e308"; c[4] = "1e308" } }
        for learner in ["auto", "logistic", "gbdt"] {
            let r = try CLI.run(["train", "--data", g, "--train-x", s.path + "/xe.csv", "--folds", "2", "--rounds", "5",
                                 "--model", s.path + "/m.json", "--learner", learner, "--quiet"])
            assertExit(r, 0)
            let p = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/te.csv",
                                 "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv"])
            assertExit(p, 0)
            try assertProbabilities(s.path + "/p.csv")
            let e = try CLI.run(["evaluate", "--truth", g + "/test_y.csv", "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv"])
            assertExit(e, 0)
        }
    }

    // MARK: - Row 10: probabilities outside [0, 1]

    func testRow10EvaluateRefusesScoresOutsideTheUnitInterval() throws {
        let s = Scratch()
        let y = s.write("y.csv", "ChallengeID,a,b\n1,1,0\n2,0,1\n")
        for (bad, column) in [("1.5", 2), ("-0.2", 3)] {
            let p = s.write("p.csv", column == 2 ? "ChallengeID,a,b\n1,0.9,0.1\n2,\(bad),0.8\n" : "ChallengeID,a,b\n1,0.9,\(bad)\n2,0.2,0.8\n")
            let r = try CLI.run(["evaluate", "--truth", y, "--decisions", y, "--scores", p])
            assertExit(r, 1, "p.csv:\(column == 2 ? 3 : 2):\(column):")
            XCTAssertTrue(r.stderr.contains("not a probability"), r.stderr)
        }
        // NaN and empty cells: refused without suggesting an option evaluate does not have.
        for bad in ["nan", ""] {
            let p = s.write("p.csv", "ChallengeID,a,b\n1,0.9,\(bad)\n2,0.2,0.8\n")
            let r = try CLI.run(["evaluate", "--truth", y, "--decisions", y, "--scores", p])
            assertExit(r, 1, "p.csv:2:3:")
            XCTAssertFalse(r.stderr.contains("--allow-missing"), r.stderr)
        }
        // Raw tags whose inputs are outside [0, 1] write probabilities.
        let d = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        d.write("t.csv", "ChallengeID,rock,jazz,piano\n1,1.5,-0.2,0.5\n2,7,0.1,-3\n")
        let r = try CLI.run(["predict", "--model", d.path + "/m.json", "--input", d.path + "/t.csv",
                             "--decisions", d.path + "/d.csv", "--scores", d.path + "/p.csv"])
        assertExit(r, 0)
        try assertProbabilities(d.path + "/p.csv")
    }
}
