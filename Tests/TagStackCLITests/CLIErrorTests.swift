import XCTest

/// Every user error of the Mewo files, through the built binary: non-zero exit, a message naming the file,
/// line and column, and no output file left behind.
final class CLIErrorTests: XCTestCase {
    let labels = TinyData.labels, xGood = TinyData.x, yGood = TinyData.y

    /// Writes a data folder with the good files, then overrides some.
    func folder(x: String? = nil, y: String? = nil, labels l: String? = nil) -> Scratch {
        TinyData.folder(x: x, y: y, labels: l)
    }

    /// Runs train on `s`; checks exit status 1, that stderr names `file:line:column` (as given), and that no
    /// model (nor temporary) file was left behind.
    func assertTrainFails(_ s: Scratch, _ location: String, _ words: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = s.files()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/model.json", "--quiet", "--learner", "thresholds",
                             "--calibration", "none"])
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(location), "expected '\(location)' in: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.lowercased().contains(words.lowercased()), "expected '\(words)' in: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(s.files(), before, "no output left behind", file: file, line: line)
    }

    func testGoodFilesTrain() throws {
        let s = folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/model.json", "--learner", "thresholds"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(s.exists("model.json"))
    }

    func testMissingFile() throws {
        let s = folder()
        try FileManager.default.removeItem(atPath: s.path + "/train_y.csv")
        try assertTrainFails(s, "train_y.csv", "not found")
    }

    func testEmptyFiles() throws {
        try assertTrainFails(folder(x: ""), "train_X.csv", "empty")
        try assertTrainFails(folder(y: ""), "train_y.csv", "empty")
        try assertTrainFails(folder(labels: ""), "labels.csv", "empty")
        try assertTrainFails(folder(x: "ChallengeID,rock,jazz,piano\n"), "train_X.csv:2", "no data rows")
    }

    func testRaggedRow() throws {
        try assertTrainFails(folder(x: xGood + "004,0.1,0.2\n"), "train_X.csv:5:4", "3 cells")
        try assertTrainFails(folder(y: yGood.replacingOccurrences(of: "002,0,1,1", with: "002,0,1,1,0")), "train_y.csv:3:5", "5 cells")
    }

    func testNonNumber() throws {
        try assertTrainFails(folder(x: xGood.replacingOccurrences(of: "0.7,0.6", with: "0.7,abc")), "train_X.csv:3:4", "'abc' is not a number")
    }

    func testNaNInXAndY() throws {
        try assertTrainFails(folder(x: xGood.replacingOccurrences(of: "0.7,0.6", with: "0.7,NaN")), "train_X.csv:3:4", "NaN")
        try assertTrainFails(folder(y: yGood.replacingOccurrences(of: "002,0,1,1", with: "002,0,nan,1")), "train_y.csv:3:3", "not 0 or 1")
    }

    func testYNotBinary() throws {
        try assertTrainFails(folder(y: yGood.replacingOccurrences(of: "002,0,1,1", with: "002,0,1,2")), "train_y.csv:3:4", "'2'")
        try assertTrainFails(folder(y: yGood.replacingOccurrences(of: "002,0,1,1", with: "002,0,1,0.5")), "train_y.csv:3:4", "not 0 or 1")
    }

    func testUnknownAndMissingTagColumns() throws {
        try assertTrainFails(folder(y: "ChallengeID,rock,jazz,piano,violin\n001,1,0,0,0\n002,0,1,1,0\n003,1,0,0,0\n"),
                             "train_y.csv:1:5", "unknown tag column 'violin'")
        try assertTrainFails(folder(y: "ChallengeID,rock,jazz\n001,1,0\n002,0,1\n003,1,0\n"), "train_y.csv:1", "'piano'")
        try assertTrainFails(folder(x: "ChallengeID,rock,jazz\n001,0.9,0.1\n002,0.2,0.7\n003,0.6,0.4\n"), "train_X.csv:1", "'piano'")
    }

    func testIDMismatch() throws {
        try assertTrainFails(folder(y: yGood.replacingOccurrences(of: "003,", with: "009,")), "train_y.csv", "'003'")
        try assertTrainFails(folder(y: yGood + "004,0,0,0\n"), "train_y.csv:5:1", "'004'")
        try assertTrainFails(folder(x: xGood + "001,0.1,0.1,0.1,0.1\n"), "train_X.csv:5:1", "duplicate ChallengeID '001'")
    }

    func testTooFewRowsForCrossValidation() throws {
        let s = folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/model.json", "--learner", "gbdt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("only 3 rows for 5 cross-validation folds"), r.stderr)
        XCTAssertFalse(s.exists("model.json"))
        XCTAssertEqual(s.files(), ["labels.csv", "train_X.csv", "train_y.csv"], "no temporary left behind")
    }

    func testUsageErrorsExitTwo() throws {
        let s = folder()
        var r = try CLI.run(["train", "--data", s.path])
        XCTAssertEqual(r.status, 2); XCTAssertTrue(r.stderr.contains("--model"), r.stderr)
        r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "magic"])
        XCTAssertEqual(r.status, 2); XCTAssertTrue(r.stderr.contains("magic"), r.stderr)
        r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "logistic,auto"])
        XCTAssertEqual(r.status, 2); XCTAssertTrue(r.stderr.contains("--learner list items") && r.stderr.contains("'auto'"), r.stderr)
        r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--max-trees-per-track", "-1"])
        XCTAssertEqual(r.status, 2); XCTAssertTrue(r.stderr.contains("--max-trees-per-track=-1 is out of range"), r.stderr)
        r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--bogus"])
        XCTAssertEqual(r.status, 2); XCTAssertTrue(r.stderr.contains("--bogus"), r.stderr)
        r = try CLI.run(["frobnicate"])
        XCTAssertEqual(r.status, 2)
        XCTAssertFalse(s.exists("m.json"))
    }

    func testHelpOnEveryCommand() throws {
        for c in ["train", "predict", "evaluate", "generate"] {
            let r = try CLI.run([c, "--help"])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("USAGE: tagstack \(c)"), r.stdout)
        }
    }

    // MARK: - predict

    func trainedFolder() throws -> Scratch {
        let s = folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/model.json", "--quiet", "--learner", "thresholds",
                             "--calibration", "none"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return s
    }

    func testPredictWritesDecisionsInXOrderAndIgnoresExtraColumns() throws {
        let s = try trainedFolder()
        s.write("test_X.csv", "ChallengeID,extra,piano,jazz,rock\n0010,5,0.9,0.9,0.9\n0002,5,0,0,0\n")
        let r = try CLI.run(["predict", "--model", s.path + "/model.json", "--input", s.path + "/test_X.csv",
                             "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("ignoring 1 column(s)"), r.stderr)
        let d = try String(contentsOfFile: s.path + "/d.csv", encoding: .utf8)
        XCTAssertEqual(d, "ChallengeID,rock,jazz,piano\n0010,1,1,1\n0002,0,0,0\n")
        let p = try String(contentsOfFile: s.path + "/p.csv", encoding: .utf8)
        XCTAssertEqual(p, "ChallengeID,rock,jazz,piano\n0010,0.9,0.9,0.9\n0002,0,0,0\n")
    }

    func testPredictErrorsLeaveNothing() throws {
        let s = try trainedFolder()
        let cases: [(String, String, String)] = [
            ("ChallengeID,rock,jazz\n1,0.5,0.5\n", "t.csv:1", "'piano'"),
            ("ChallengeID,rock,jazz,piano\n1,0.5,0.5,x\n", "t.csv:2:4", "not a number"),
            ("ChallengeID,rock,jazz,piano\n1,0.5,0.5\n", "t.csv:2:4", "cells"),
            ("ChallengeID,rock,jazz,piano\n1,0.5,inf,0.1\n", "t.csv:2:3", "infinite"),
            ("", "t.csv", "empty"),
        ]
        for (text, location, words) in cases {
            s.write("t.csv", text)
            let before = s.files()
            let r = try CLI.run(["predict", "--model", s.path + "/model.json", "--input", s.path + "/t.csv",
                                 "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(location) && r.stderr.contains(words), "\(location) \(words): \(r.stderr)")
            XCTAssertEqual(s.files(), before, "nothing left behind for \(text.debugDescription)")
        }
    }

    func testPredictRefusesBadModels() throws {
        let s = try trainedFolder()
        let good = try String(contentsOfFile: s.path + "/model.json", encoding: .utf8)
        s.write("t.csv", "ChallengeID,rock,jazz,piano\n1,0.5,0.5,0.5\n")
        let cases: [(String, String)] = [
            (String(good.prefix(good.count / 2)), "not valid JSON"),
            (good.replacingOccurrences(of: "\"format_version\":3", with: "\"format_version\":99"), "format_version 99"),
            (good.replacingOccurrences(of: "\"tagstack-model\"", with: "\"other\""), "not a TagStack model"),
            ("{}", "not a TagStack model"),
        ]
        for (text, words) in cases {
            s.write("bad.json", text)
            let r = try CLI.run(["predict", "--model", s.path + "/bad.json", "--input", s.path + "/t.csv", "--decisions", s.path + "/d.csv"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("bad.json") && r.stderr.contains(words), "\(words): \(r.stderr)")
            XCTAssertFalse(s.exists("d.csv"))
        }
    }
}
