import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13 ("Reliability, round two"), through the built binary: one test per row of the issue's table.
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

    // MARK: - Row 4: models are trees

    /// The golden model files (Tests/TagStackModelTests/Golden).
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TagStackModelTests/Golden")

    /// The golden boosted model with its first boosted tag's first tree rewritten by `edit`.
    func editedTreeModel(_ s: Scratch, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let golden = ReliabilityTests.golden.appendingPathComponent("gbdt-hierarchical.json")
        var m = try JSONSerialization.jsonObject(with: Data(contentsOf: golden)) as! [String: Any]
        var tags = m["tags"] as! [[String: Any]]
        let k = try XCTUnwrap(tags.firstIndex { $0["booster"] != nil }, "a boosted tag")
        var booster = tags[k]["booster"] as! [String: Any]
        var trees = booster["trees"] as! [[String: Any]]
        edit(&trees[0])
        booster["trees"] = trees; tags[k]["booster"] = booster; m["tags"] = tags
        try JSONSerialization.data(withJSONObject: m).write(to: URL(fileURLWithPath: s.path + "/bad.json"))
        return s.path + "/bad.json"
    }

    func testRow4SharedChildrenAreNotATree() throws {
        let s = Scratch()
        let input = ReliabilityTests.golden.appendingPathComponent("input_X.csv").path
        let n = 40
        let model = try editedTreeModel(s) { t in
            t["split_feature"] = [Int](repeating: 0, count: n); t["threshold"] = [Double](repeating: 0.5, count: n)
            t["default_left"] = [Bool](repeating: true, count: n)
            t["left_child"] = (1..<n).map { $0 } + [-1]; t["right_child"] = (1..<n).map { $0 } + [-2]
            t["leaf_value"] = [Double](repeating: 0, count: n + 1)
        }
        let r = try CLI.run(["predict", "--model", model, "--input", input, "--allow-missing", "--decisions", s.path + "/d.csv"])
        assertExit(r, 1, "more than one parent")
        let e = try CLI.run(["export", "--format", "lightgbm", "--model", model, "--out", s.path + "/e", "--features-for", input, "--allow-missing"])
        assertExit(e, 1, "not a tree")
        XCTAssertFalse(s.exists("d.csv") || s.exists("e"))
    }

    // MARK: - Row 5: a failing write replaces nothing

    func testRow5FileSizeLimitReplacesNeitherOutput() throws {
        let d = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        var rows = "ChallengeID,rock,jazz,piano\n"
        for i in 0..<400 { rows += "\(i),0.\(i % 10)1234567,0.\(i % 7)7654321,0.\(i % 3)5555555\n" }
        d.write("t.csv", rows)
        d.write("d.csv", "old decisions\n"); d.write("p.csv", "old scores\n")
        // ulimit -f is in 512-byte blocks: 16 (8 KiB) fits the decisions (~7 KiB), not the probabilities.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -f 16 && exec \"$0\" predict --model m.json --input t.csv --decisions d.csv --scores p.csv", CLI.binary.path]
        p.currentDirectoryURL = URL(fileURLWithPath: d.path)
        let err = Pipe(); p.standardError = err
        try p.run(); let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1, e)
        XCTAssertTrue(e.contains("too large"), e)
        XCTAssertEqual(try String(contentsOfFile: d.path + "/d.csv", encoding: .utf8), "old decisions\n")
        XCTAssertEqual(try String(contentsOfFile: d.path + "/p.csv", encoding: .utf8), "old scores\n")
        XCTAssertFalse(d.files().contains { $0.contains("tagstack-tmp") }, "\(d.files())")
    }

    // MARK: - Row 6: links followed, devices written directly

    func testRow6SymlinksAreFollowedAndDevicesNotReplaced() throws {
        let d = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        let fm = FileManager.default
        try fm.createDirectory(atPath: d.path + "/sub", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: d.path + "/link.csv", withDestinationPath: "sub/real.csv")
        try fm.createSymbolicLink(atPath: d.path + "/out", withDestinationPath: "/proc/self/fd/1")
        func predict(_ decisions: String, _ scores: String? = nil) throws -> CLI.Result {
            try CLI.run(["predict", "--model", d.path + "/m.json", "--input", d.path + "/train_X.csv", "--decisions", decisions, "--quiet"]
                        + (scores.map { ["--scores", $0] } ?? []))
        }
        var r = try predict(d.path + "/link.csv")
        assertExit(r, 0)
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: d.path + "/link.csv"), "sub/real.csv", "the link stays a link")
        XCTAssertTrue(try String(contentsOfFile: d.path + "/sub/real.csv", encoding: .utf8).hasPrefix("ChallengeID,rock"))
        r = try predict(d.path + "/out")
        assertExit(r, 0)
        XCTAssertTrue(r.stdout.hasPrefix("ChallengeID,rock,jazz,piano\n001,"), r.stdout)
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: d.path + "/out"), "/proc/self/fd/1")
        r = try predict("/dev/stdout", "/dev/null")
        assertExit(r, 0)
        XCTAssertTrue(r.stdout.hasPrefix("ChallengeID,rock"), r.stdout)
        var st = stat()
        XCTAssertEqual(stat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "/dev/null is still a device")
        // A device node the user made (root only): written through, not replaced.
        if mknod(d.path + "/xnull", S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 {
            assertExit(try predict(d.path + "/xnull"), 0)
            XCTAssertEqual(lstat(d.path + "/xnull", &st), 0)
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
        }
        try fm.createSymbolicLink(atPath: d.path + "/loop1", withDestinationPath: "loop2")
        try fm.createSymbolicLink(atPath: d.path + "/loop2", withDestinationPath: "loop1")
        assertExit(try predict(d.path + "/loop1"), 1, "loop of symbolic links")
        assertExit(try predict(d.path + "/sub"), 1, "is a folder")
    }

    // MARK: - Row 7: the same file twice, an output that is an input

    func testRow7SameFileTwiceOrOverAnInputIsRefused() throws {
        let d = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        let x = try String(contentsOfFile: d.path + "/train_X.csv", encoding: .utf8)
        let model = try Data(contentsOf: URL(fileURLWithPath: d.path + "/m.json"))
        try FileManager.default.createSymbolicLink(atPath: d.path + "/alias.csv", withDestinationPath: "train_X.csv")
        let cases: [([String], String)] = [
            (["predict", "--model", "m.json", "--input", "train_X.csv", "--decisions", "o.csv", "--scores", "./o.csv"], "name the same file"),
            (["predict", "--model", "m.json", "--input", "train_X.csv", "--decisions", "train_X.csv"], "would overwrite the --input file"),
            (["predict", "--model", "m.json", "--input", "train_X.csv", "--decisions", "alias.csv"], "would overwrite the --input file"),
            (["predict", "--model", "m.json", "--input", "train_X.csv", "--decisions", "d.csv", "--scores", "m.json"], "would overwrite the --model file"),
            (["train", "--data", ".", "--model", "m.json", "--report", "m.json", "--learner", "thresholds"], "name the same file"),
            (["train", "--data", ".", "--model", "train_X.csv", "--learner", "thresholds"], "would overwrite the --train-x file"),
            (["train", "--data", ".", "--model", "m2.json", "--report", "train_y.csv", "--learner", "thresholds"], "would overwrite the --train-y file"),
        ]
        for (args, words) in cases {
            let p = Process()
            p.executableURL = CLI.binary; p.arguments = args; p.currentDirectoryURL = URL(fileURLWithPath: d.path)
            let err = Pipe(); p.standardError = err; p.standardOutput = Pipe()
            try p.run(); let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self); p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 1, "\(args): \(e)")
            XCTAssertTrue(e.contains(words), "\(args): expected '\(words)' in \(e)")
        }
        XCTAssertEqual(try String(contentsOfFile: d.path + "/train_X.csv", encoding: .utf8), x)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: d.path + "/m.json")), model)
        XCTAssertFalse(d.exists("o.csv") || d.exists("d.csv") || d.exists("m2.json"))
    }

    // MARK: - Row 13: folders TagStack owns

    /// The project's `Data/` holds a README beside the generated files: `generate` carries it over unchanged
    /// (a clean clone's `make submit` generates into it) and still replaces its own files as a set.
    func testGenerateCarriesAReadmeOver() throws {
        let s = Scratch()
        let dir = s.path + "/data"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "# about this folder\n".write(toFile: dir + "/README.md", atomically: true, encoding: .utf8)
        assertExit(try CLI.run(["generate", "--out", dir, "--train", "40", "--test", "10"]), 0)
        assertExit(try CLI.run(["generate", "--out", dir, "--train", "40", "--test", "0"]), 0)
        XCTAssertEqual(try String(contentsOfFile: dir + "/README.md", encoding: .utf8), "# about this folder\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/test_X.csv"), "no stale test split")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/train_X.csv"))
    }

    func testRow13ExportAndGenerateReplaceTheirFolderAsASet() throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: ReliabilityTests.golden.appendingPathComponent("gbdt-hierarchical.json").path, toPath: s.path + "/gbdt.json")
        try FileManager.default.copyItem(atPath: ReliabilityTests.golden.appendingPathComponent("thresholds.json").path, toPath: s.path + "/raw.json")
        let out = s.path + "/e"
        assertExit(try CLI.run(["export", "--format", "lightgbm", "--model", s.path + "/gbdt.json", "--out", out, "--quiet"]), 0)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: out).contains { $0.hasPrefix("000_") || $0.hasPrefix("001_") || $0.hasPrefix("002_") })
        assertExit(try CLI.run(["export", "--format", "lightgbm", "--model", s.path + "/raw.json", "--out", out, "--quiet"]), 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["README.txt", "features.json"], "no stale model file")
        // A folder with files export does not write is refused, not emptied; so is an input inside --out.
        s.write("e/notes.md", "mine\n")
        assertExit(try CLI.run(["export", "--format", "lightgbm", "--model", s.path + "/raw.json", "--out", out]), 1, "notes.md")
        XCTAssertTrue(s.exists("e/notes.md"))
        assertExit(try CLI.run(["export", "--format", "lightgbm", "--model", s.path + "/raw.json", "--out", s.path]), 1, "inside --out")
        // generate --test 0 into a folder with a test split: no old test file stays.
        let g = s.path + "/g"
        assertExit(try CLI.run(["generate", "--out", g, "--train", "20", "--test", "5"]), 0)
        assertExit(try CLI.run(["generate", "--out", g, "--train", "20", "--test", "0"]), 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: g).sorted(), ["labels.csv", "train_X.csv", "train_groups.csv", "train_y.csv"])
        XCTAssertEqual(s.files().filter { $0.hasPrefix(".") }, [], "no staging folder left")
    }

    // MARK: - Row 14: messages that say what the problem is

    func testRow14MessagesNameTheProblem() throws {
        let s = Scratch()
        s.write("t.csv", "ChallengeID,rock,jazz,piano\n1,0.5,0.5,0.5\n")
        func predict(_ model: String) throws -> CLI.Result {
            try CLI.run(["predict", "--model", model, "--input", s.path + "/t.csv", "--decisions", s.path + "/d.csv"])
        }
        // A FIFO is read once, like any pipe (issue 20; PathAliasTests.testPipesAreReadOnceAndStandardStreamsWork):
        // one fed with a model that is not JSON says so, naming it.
        XCTAssertEqual(mkfifo(s.path + "/fifo", 0o644), 0)
        let writer = Thread { if let h = FileHandle(forWritingAtPath: s.path + "/fifo") { h.write(Data("not json".utf8)); try? h.close() } }
        writer.start()
        assertExit(try predict(s.path + "/fifo"), 1, "malformed model")
        assertExit(try predict("/dev/null"), 1, "is a device")
        assertExit(try predict(s.path), 1, "is a folder")
        try FileManager.default.createSymbolicLink(atPath: s.path + "/l1", withDestinationPath: "l2")
        try FileManager.default.createSymbolicLink(atPath: s.path + "/l2", withDestinationPath: "l1")
        assertExit(try predict(s.path + "/l1"), 1, "loop of symbolic links")
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TagStackModelTests/Golden/thresholds.json").path
        let text = try String(contentsOfFile: golden, encoding: .utf8)
        XCTAssertTrue(text.contains("\"format_version\":"), "golden model has a format_version")
        func variant(_ name: String, _ replace: (String) -> String) -> String { s.write(name, replace(text)) }
        let v25 = variant("v25.json") { $0.replacingOccurrences(of: #"\"format_version\":\s*[0-9]+"#, with: "\"format_version\":2.5", options: .regularExpression) }
        assertExit(try predict(v25), 1, "format_version 2.5 is not an integer")
        let big = variant("big.json") { $0.replacingOccurrences(of: #"\"format_version\":\s*[0-9]+"#, with: "\"format_version\":1e30", options: .regularExpression) }
        assertExit(try predict(big), 1, "integer out of range")
        XCTAssertFalse(s.exists("d.csv"))
    }

    /// `export --out` (and any output) on a read-only filesystem: a tmpfs mounted read-only in a private mount
    /// namespace (`unshare -r -m`, nothing outside the test process sees it); skipped where that is not allowed.
    func testRow14ReadOnlyFilesystemIsSaidAsSuch() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.path + "/ro", withIntermediateDirectories: false)
        let model = ReliabilityTests.golden.appendingPathComponent("thresholds.json").path
        func run(_ args: String) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "unshare -r -m true 2>/dev/null || exit 77; unshare -r -m sh -c 'mount -t tmpfs -o ro none \"$1\" || exit 77; shift; exec \"$@\"' sh \"$0\" " + args,
                           s.path + "/ro"]
            let err = Pipe(); p.standardError = err; p.standardOutput = Pipe()
            try p.run(); let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self); p.waitUntilExit()
            return (p.terminationStatus, e)
        }
        let bin = CLI.binary.path
        var (status, e) = try run("\"\(bin)\" export --format lightgbm --model \"\(model)\" --out \"\(s.path)/ro/e\"")
        if status == 77 { throw XCTSkip("cannot mount a read-only tmpfs in a private namespace here") }
        XCTAssertEqual(status, 1, e)
        XCTAssertTrue(e.contains("is on a read-only filesystem"), e)
        (status, e) = try run("\"\(bin)\" generate --out \"\(s.path)/ro/g\" --train 5 --test 0")
        XCTAssertEqual(status, 1, e)
        XCTAssertTrue(e.contains("is on a read-only filesystem"), e)
    }

    func testRow14LinearScalesMustBePositive() throws {
        let d = Scratch()
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TagStackModelTests/Golden")
        let text = try String(contentsOfFile: golden.appendingPathComponent("logistic-class.json").path, encoding: .utf8)
        let range = try XCTUnwrap(text.range(of: #""scales":\[[^,\]]+"#, options: .regularExpression), "a logistic tag")
        for bad in ["0", "-1"] {
            let m = d.write("bad.json", text.replacingCharacters(in: range, with: "\"scales\":[\(bad)"))
            let r = try CLI.run(["predict", "--model", m, "--input", golden.appendingPathComponent("input_X.csv").path,
                                 "--allow-missing", "--decisions", d.path + "/d.csv"])
            assertExit(r, 1, "scales must be finite and > 0")
        }
    }

    // MARK: - Row 8: IDs are bytes

    func testRow8NonUTF8IDsAreKeptByteForByte() throws {
        let d = Scratch()
        d.write("labels.csv", TinyData.labels)
        func bytes(_ parts: [[UInt8]]) -> Data { Data(parts.joined()) }
        let x = bytes([Array("ChallengeID,rock,jazz,piano\n".utf8), [0xFF, 0x30, 0x31], Array(",0.9,0.1,0.2\n".utf8),
                       [0xFE, 0x30, 0x31], Array(",0.2,0.7,0.6\n".utf8), Array("003,0.6,0.4,0.1\n".utf8)])
        let y = bytes([Array("ChallengeID,rock,jazz,piano\n".utf8), [0xFE, 0x30, 0x31], Array(",0,1,1\n".utf8),
                       [0xFF, 0x30, 0x31], Array(",1,0,0\n".utf8), Array("003,1,0,0\n".utf8)])
        try x.write(to: URL(fileURLWithPath: d.path + "/train_X.csv"))
        try y.write(to: URL(fileURLWithPath: d.path + "/train_y.csv"))
        assertExit(try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds", "--quiet"]), 0)
        assertExit(try CLI.run(["predict", "--model", d.path + "/m.json", "--input", d.path + "/train_X.csv",
                                "--decisions", d.path + "/d.csv", "--scores", d.path + "/p.csv", "--quiet"]), 0)
        for out in ["d.csv", "p.csv"] {
            let lines = try Data(contentsOf: URL(fileURLWithPath: d.path + "/" + out)).split(separator: 0x0A)
            XCTAssertEqual(Array(lines[1].prefix(3)), [0xFF, 0x30, 0x31], out)
            XCTAssertEqual(Array(lines[2].prefix(3)), [0xFE, 0x30, 0x31], out)
        }
        // The decisions read back as the truth: every ID matches.
        assertExit(try CLI.run(["evaluate", "--truth", d.path + "/train_y.csv", "--decisions", d.path + "/d.csv", "--scores", d.path + "/p.csv"]), 0)
    }

    // MARK: - Row 9: bounded input

    func testRow9ALineWithoutEndIsAnError() throws {
        let d = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        let r = try CLI.run(["predict", "--model", d.path + "/m.json", "--input", "/dev/zero", "--decisions", d.path + "/d.csv"])
        assertExit(r, 1, "/dev/zero:1: a line (or quoted field) longer than 64 MiB")
        XCTAssertFalse(d.exists("d.csv"))
    }

    // MARK: - Rows 11 and 12: names

    func testRow11ATagShapedLikeANetworkColumnIsRefused() throws {
        let d = TinyData.folder(labels: ",a,n2:a\ncategory,g,g\nclass,G,G\n")
        let r = try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json"])
        assertExit(r, 1, "labels.csv:1:3: tag 'n2:a' has the shape NET:tag")
        XCTAssertFalse(d.exists("m.json"))
    }

    func testRow12ReportIsRFC4180() throws {
        let name = "q\"t,x"
        let d = TinyData.folder(x: TinyData.x.replacingOccurrences(of: "jazz", with: "\"q\"\"t,x\""),
                                y: TinyData.y.replacingOccurrences(of: "jazz", with: "\"q\"\"t,x\""),
                                labels: TinyData.labels.replacingOccurrences(of: "jazz", with: "\"q\"\"t,x\""))
        let r = try CLI.run(["train", "--data", d.path, "--model", d.path + "/m.json", "--learner", "thresholds",
                             "--report", d.path + "/r.csv", "--quiet"])
        assertExit(r, 0)
        let text = try String(contentsOfFile: d.path + "/r.csv", encoding: .utf8)
        XCTAssertTrue(text.contains("\n\"q\"\"t,x\","), text)
        // Read back with the project's RFC 4180 reader: every record has the header's 9 fields.
        let records = CSVReaderTwin.parse(text)
        XCTAssertEqual(records.map(\.count), [Int](repeating: 9, count: 4), "\(records)")
        XCTAssertEqual(records[2][0], name)
        assertExit(try CLI.run(["predict", "--model", d.path + "/m.json", "--input", d.path + "/train_X.csv",
                                "--decisions", d.path + "/d.csv", "--quiet"]), 0)
        XCTAssertTrue(try String(contentsOfFile: d.path + "/d.csv", encoding: .utf8).hasPrefix("ChallengeID,rock,\"q\"\"t,x\",piano\n"))
    }
}

/// A minimal RFC 4180 splitter for reading outputs back (the CLI tests do not import TagStack).
enum CSVReaderTwin {
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false, i = text.unicodeScalars.startIndex
        let s = text.unicodeScalars
        while i < s.endIndex {
            let c = s[i]
            if quoted {
                if c == "\"" {
                    let n = s.index(after: i)
                    if n < s.endIndex && s[n] == "\"" { field.unicodeScalars.append("\""); i = n } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { record.append(field); field = ""
            } else if c == "\n" { record.append(field); records.append(record); record = []; field = ""
            } else { field.unicodeScalars.append(c) }
            i = s.index(after: i)
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
