import Foundation
import XCTest
import TagStack
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20 ("Reliability, round three"), items 8-14, through the built binary: wrong results are refused,
/// not accepted silently; groups work with .npy training; columns files read as CSV; no level chooses by
/// in-sample evidence.
final class InputRulesTests: XCTestCase {
    typealias Setup = PathAliasTests.Setup

    func run(_ args: [String]) throws -> CLI.Result { try CLI.run(args) }

    func assertFails(_ r: CLI.Result, _ words: String, status: Int32 = 1, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(words), "expected '\(words)' in: \(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
    }

    // MARK: - 8: .npy with no rows, as a header-only CSV

    func testNPYWithNoRowsIsRefusedLikeAHeaderOnlyCSV() throws {
        let x = try Setup(), s = x.s.path, d = x.d
        try Data(PathAliasTests.npy(rows: [], columns: 248)).write(to: URL(fileURLWithPath: s + "/X0.npy"))
        try Data(PathAliasTests.npy(rows: [], columns: 248)).write(to: URL(fileURLWithPath: s + "/y0.npy"))
        assertFails(try run(["train", "--data", d, "--train-x", s + "/X0.npy", "--train-y", s + "/y0.npy", "--no-groups",
                             "--learner", "thresholds", "--model", s + "/o.json"]), "has no rows")
        assertFails(try run(["predict", "--model", s + "/m.json", "--input", s + "/X0.npy", "--decisions", s + "/o.csv"]), "has no rows")
        assertFails(try run(["evaluate", "--truth", s + "/y0.npy", "--decisions", s + "/y0.npy"]), "has no rows")
        XCTAssertFalse(x.s.exists("o.json") || x.s.exists("o.csv"))
    }

    // MARK: - 9: a label file scored as features, an X file evaluated as scores

    func testLabelFileAsFeaturesAndXFileAsScoresAreRefused() throws {
        let x = try Setup(), s = x.s.path, d = x.d
        assertFails(try run(["predict", "--model", s + "/m.json", "--input", d + "/test_y.csv", "--decisions", s + "/o.csv"]),
                    "looks like a label file")
        XCTAssertFalse(x.s.exists("o.csv"))
        assertFails(try run(["evaluate", "--truth", d + "/test_y.csv", "--decisions", s + "/dec.csv", "--scores", d + "/test_X.csv"]),
                    "not tags of the truth file")
    }

    // MARK: - 10: contradicting options, --columns with a CSV X, empty group cells

    func testContradictionsAndEmptyGroupCells() throws {
        let x = try Setup(), s = x.s.path, d = x.d
        assertFails(try run(["train", "--data", d, "--groups", d + "/train_groups.csv", "--no-groups", "--model", s + "/o.json"]),
                    "contradict", status: 2)
        assertFails(try run(["train", "--data", d, "--columns", s + "/cols.txt", "--model", s + "/o.json"]),
                    "is a CSV file, whose header names them", status: 2)
        // Every group cell empty: no row belongs to a group, so folds are still made (not one group, in-sample).
        let ids = try String(contentsOfFile: d + "/train_y.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",")[0] }
        x.s.write("empty_groups.csv", "ChallengeID,artist,album\n" + ids.map { "\($0),," }.joined(separator: "\n") + "\n")
        let r = try run(["train", "--data", d, "--groups", s + "/empty_groups.csv", "--learner", "thresholds", "--model", s + "/o.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("folds: 5, grouped by"), r.stdout)
        XCTAssertTrue(r.stdout.contains("300 row(s) with only empty group cells"), r.stdout)
        XCTAssertEqual(Folds.components(rowCount: 3, groups: [["", "a", "a"], ["", "", " "]]), [0, 1, 1])
    }

    // MARK: - 11: groups for .npy training

    func testNPYTrainingTakesGroupsByPosition() throws {
        let x = try Setup(), s = x.s.path, d = x.d
        try PathAliasTests.writeNPY(csv: d + "/train_X.csv", to: s + "/trX.npy")
        try PathAliasTests.writeNPY(csv: d + "/train_y.csv", to: s + "/trY.npy")
        // The folder's train_groups.csv is paired by position with the .npy X's rows.
        let a = try run(["train", "--data", d, "--train-x", s + "/trX.npy", "--train-y", s + "/trY.npy", "--learner", "thresholds", "--model", s + "/a.json"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stdout.contains("paired with X's rows by position"), a.stdout)
        // The same artists as a 1-D .npy of group ids give the same folds, so the same model.
        let artists = try String(contentsOfFile: d + "/train_groups.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",")[1] }
        var ids: [String: Double] = [:]
        let codes = artists.map { a -> [Double] in
            if ids[String(a)] == nil { ids[String(a)] = Double(ids.count) }
            return [ids[String(a)]!]
        }
        var g = PathAliasTests.npy(rows: codes, columns: 1)
        // A 1-D array: shape (n,) instead of (n, 1).
        let header = String(decoding: g[10..<(10 + Int(g[8]) + Int(g[9]) << 8)], as: UTF8.self)
        let oneD = header.replacingOccurrences(of: "(\(codes.count), 1)", with: "(\(codes.count),)  ")
        XCTAssertEqual(oneD.utf8.count, header.utf8.count)
        g.replaceSubrange(10..<(10 + header.utf8.count), with: Array(oneD.utf8))
        try Data(g).write(to: URL(fileURLWithPath: s + "/groups.npy"))
        let b = try run(["train", "--data", d, "--train-x", s + "/trX.npy", "--train-y", s + "/trY.npy", "--groups", s + "/groups.npy",
                         "--learner", "logistic", "--folds", "3", "--model", s + "/b.json"])
        XCTAssertEqual(b.status, 0, b.stderr)
        x.s.write("artist_only.csv", "ChallengeID,artist\n" + artists.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\n") + "\n")
        let c = try run(["train", "--data", d, "--train-x", s + "/trX.npy", "--train-y", s + "/trY.npy", "--groups", s + "/artist_only.csv",
                         "--learner", "logistic", "--folds", "3", "--model", s + "/c.json"])
        XCTAssertEqual(c.status, 0, c.stderr)
        // Same folds, same per-tag models: only the groups file's description differs.
        func tags(_ p: String) throws -> Data {
            let j = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any]
            return try JSONSerialization.data(withJSONObject: j["tags"]!, options: [.sortedKeys])
        }
        XCTAssertEqual(try tags(s + "/b.json"), try tags(s + "/c.json"))
        // A groups file of another length is refused, naming both counts.
        x.s.write("short.csv", "ChallengeID,artist\n0,a\n1,b\n")
        assertFails(try run(["train", "--data", d, "--train-x", s + "/trX.npy", "--train-y", s + "/trY.npy", "--groups", s + "/short.csv",
                             "--learner", "thresholds", "--model", s + "/o.json"]), "has 2 rows")
    }

    // MARK: - 12: columns files read as CSV; export's --columns

    func testColumnsFileIsReadAsCSV() throws {
        let s = Scratch()
        s.write("labels.csv", ",\"rock, hard\",\"say \"\"hi\"\"\",piano\ncategory,g,g,i\nclass,G,G,I\n")
        s.write("train_X.csv", "ChallengeID,\"rock, hard\",\"say \"\"hi\"\"\",piano,n2:piano\n" + (0..<40).map { i in
            "\(i),\(Double(i % 7) / 7),\(Double(i % 5) / 5),\(Double(i % 3) / 3),\(Double(i % 4) / 4)" }.joined(separator: "\n") + "\n")
        s.write("train_y.csv", "ChallengeID,\"rock, hard\",\"say \"\"hi\"\"\",piano\n" + (0..<40).map { i in
            "\(i),\(i % 7 > 3 ? 1 : 0),\(i % 5 > 2 ? 1 : 0),\(i % 3 > 1 ? 1 : 0)" }.joined(separator: "\n") + "\n")
        let header = try String(contentsOfFile: s.path + "/train_X.csv", encoding: .utf8).split(separator: "\n")[0]
        s.write("columns.txt", header + "\n")
        XCTAssertEqual(try DataFiles.readColumnNames(path: s.path + "/columns.txt"), ["rock, hard", "say \"hi\"", "piano", "n2:piano"])
        try PathAliasTests.writeNPY(csv: s.path + "/train_X.csv", to: s.path + "/X.npy")
        try PathAliasTests.writeNPY(csv: s.path + "/train_y.csv", to: s.path + "/y.npy")
        let t = try run(["train", "--data", s.path, "--train-x", s.path + "/X.npy", "--train-y", s.path + "/y.npy", "--columns", s.path + "/columns.txt",
                         "--learner", "gbdt", "--rounds", "3", "--folds", "2", "--model", s.path + "/m.json", "--quiet"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let e = try run(["export", "--format", "lightgbm", "--model", s.path + "/m.json", "--out", s.path + "/exp",
                         "--features-for", s.path + "/X.npy", "--columns", s.path + "/columns.txt", "--quiet"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.path + "/exp/features.csv"))
        assertFails(try run(["export", "--format", "lightgbm", "--model", s.path + "/m.json", "--out", s.path + "/exp2", "--columns", s.path + "/columns.txt"]),
                    "--columns names an .npy --features-for", status: 2)
    }

    // MARK: - 13: no level chooses by in-sample evidence

    func testWithoutFoldsEveryLevelKeepsItsSimplestCandidate() throws {
        let x = try Setup(), s = x.s.path, d = x.d
        func trainPredict(_ name: String, _ extra: [String]) throws -> (String, String) {
            let t = try run(["train", "--data", d, "--learner", "gbdt", "--rounds", "10", "--folds", "0", "--model", s + "/\(name).json"] + extra)
            XCTAssertEqual(t.status, 0, t.stderr)
            let p = try run(["predict", "--model", s + "/\(name).json", "--input", d + "/test_X.csv", "--decisions", s + "/\(name).d.csv",
                             "--scores", s + "/\(name).p.csv", "--quiet"])
            XCTAssertEqual(p.status, 0, p.stderr)
            return (t.stdout, try String(contentsOfFile: s + "/\(name).p.csv", encoding: .utf8))
        }
        let (autoLog, autoScores) = try trainPredict("auto", [])
        let (_, noneScores) = try trainPredict("none", ["--calibration", "none"])
        XCTAssertTrue(autoLog.contains("calibration (in-sample log loss"), autoLog)
        XCTAssertTrue(autoLog.contains("→ none (no cross-validated evidence"), autoLog)
        // Not chosen in-sample: the probabilities are those of --calibration none, so the test log loss is the same.
        XCTAssertEqual(autoScores, noneScores)
        let ev = { (p: String) in try self.run(["evaluate", "--truth", d + "/test_y.csv", "--decisions", s + "/\(p).d.csv", "--scores", s + "/\(p).p.csv", "--json"]).stdout }
        XCTAssertEqual(try ev("auto"), try ev("none"))
        // The learner level: auto without folds fits only its simplest learner, and says so.
        let a = try run(["train", "--data", d, "--folds", "0", "--model", s + "/a.json"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stdout.contains("learner (in-sample weighted F1, higher is better): thresholds"), a.stdout)
        XCTAssertTrue(a.stdout.contains("→ thresholds (no cross-validated evidence"), a.stdout)
        XCTAssertTrue(a.stdout.contains("decision rule (in-sample weighted F1, higher is better): thresholds"), a.stdout)
    }

    // MARK: - 14: an .npy header length past the header

    func testNPYHeaderLengthPastTheHeaderGivesAShortMessage() throws {
        let x = try Setup(), s = x.s.path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: s + "/X.npy")))
        bytes[8] = 0xFF; bytes[9] = 0xFF   // header length 65,535: runs into the float64 data
        try Data(bytes).write(to: URL(fileURLWithPath: s + "/bad.npy"))
        let r = try run(["predict", "--model", s + "/m.json", "--input", s + "/bad.npy", "--decisions", s + "/o.csv"])
        assertFails(r, "wrong header length")
        XCTAssertLessThan(r.stderr.utf8.count, 600, r.stderr)
    }
}
