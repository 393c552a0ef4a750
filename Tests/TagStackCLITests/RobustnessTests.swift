import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6, through the built binary: the input errors CLIErrorTests does not cover, inputs that must be
/// accepted (quoted fields, CRLF), model files that are truncated, corrupted or for other tags, outputs that
/// stay atomic when a run is killed, and byte-identical models at 1 and 2 threads.
///
/// Every error row of the README's troubleshooting table names a test here or in CLIErrorTests.
final class RobustnessTests: XCTestCase {
    let labels = TinyData.labels, xGood = TinyData.x, yGood = TinyData.y

    func folder(x: String? = nil, y: String? = nil, labels l: String? = nil) -> Scratch {
        TinyData.folder(x: x, y: y, labels: l)
    }

    /// Runs `args` (paths relative to `s`); checks exit 1, `location` and `words` in stderr, nothing new in `s`.
    func assertFails(_ s: Scratch, _ args: [String], _ location: String, _ words: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let before = s.files()
        let r = try CLI.run(args)
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(location), "expected '\(location)' in: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.lowercased().contains(words.lowercased()), "expected '\(words)' in: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(s.files(), before, "no output (nor temporary) left behind", file: file, line: line)
    }

    func train(_ s: Scratch, model: String = "model.json", _ extra: [String] = []) -> [String] {
        ["train", "--data", s.path, "--model", s.path + "/" + model, "--quiet", "--learner", "thresholds"] + extra
    }

    func predict(_ s: Scratch, model: String = "model.json", input: String = "t.csv") -> [String] {
        ["predict", "--model", s.path + "/" + model, "--input", s.path + "/" + input,
         "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv"]
    }

    func trainedFolder() throws -> Scratch {
        let s = folder()
        let r = try CLI.run(train(s))
        XCTAssertEqual(r.status, 0, r.stderr)
        return s
    }

    // MARK: - Missing, empty, header-only

    func testMissingLabelsModelAndInput() throws {
        let s = folder()
        try FileManager.default.removeItem(atPath: s.path + "/labels.csv")
        try assertFails(s, train(s), "labels.csv", "not found")
        let t = try trainedFolder()
        t.write("t.csv", "ChallengeID,rock,jazz,piano\n1,0.5,0.5,0.5\n")
        try assertFails(t, predict(t, model: "nope.json"), "nope.json", "model file not found")
        try assertFails(t, predict(t, input: "nope.csv"), "nope.csv", "not found")
    }

    func testHeaderOnlyYAndPredictInput() throws {
        let s = folder(y: "ChallengeID,rock,jazz,piano\n")
        try assertFails(s, train(s), "train_y.csv:2", "no data rows")
        let t = try trainedFolder()
        t.write("t.csv", "ChallengeID,rock,jazz,piano\r\n")
        try assertFails(t, predict(t), "t.csv:2", "no data rows")
    }

    // MARK: - Values

    /// `train` on the good folder with X (`x`) or Y (`y`) edited by one replacement fails at `location` with `words`.
    func assertTrainFails(_ cases: [(file: String, of: String, with: String, location: String, words: String)],
                          file: StaticString = #filePath, line: UInt = #line) throws {
        for c in cases {
            let s = c.file == "x" ? folder(x: xGood.replacingOccurrences(of: c.of, with: c.with))
                                  : folder(y: yGood.replacingOccurrences(of: c.of, with: c.with))
            try assertFails(s, train(s), c.location, c.words, file: file, line: line)
        }
    }

    func testInfinityInXAndY() throws {
        try assertTrainFails([
            ("x", "0.7,0.6", "0.7,inf", "train_X.csv:3:4", "infinite value 'inf' in column 'piano'"),
            ("x", "0.7,0.6", "0.7,-Infinity", "train_X.csv:3:4", "infinite"),
            ("y", "002,0,1,1", "002,0,inf,1", "train_y.csv:3:3", "'inf' in column 'jazz' is not 0 or 1"),
            ("x", "0.7,0.6", "0.7,1e999", "train_X.csv:3:4", "infinite value '1e999'"),
        ])
    }

    func testMalformedQuotesAndEmptyCells() throws {
        let s = folder(x: xGood + "004,\"0.1,0.2,0.3,0.4\n")
        try assertFails(s, train(s), "train_X.csv:5:2", "unterminated quoted field")
        try assertTrainFails([
            ("x", "002,0.2,", "002,\"0.2\"x,", "train_X.csv:3:2", "unexpected character after a closing quote"),
            ("x", "0.7,0.6", "0.7,", "train_X.csv:3:4", "empty cell in column 'piano' (use --allow-missing"),
        ])
    }

    func testDuplicateIDInY() throws {
        let s = folder(y: yGood.replacingOccurrences(of: "003,1,0,0", with: "001,1,0,0"))
        try assertFails(s, train(s), "train_y.csv:4:1", "duplicate ChallengeID '001' (first on line 2)")
    }

    // MARK: - labels.csv

    func testLabelsErrors() throws {
        let dup = ",rock,jazz,rock\ncategory,genres-a,genres-a,genres-a\nclass,Genres,Genres,Genres\n"
        var s = folder(labels: dup)
        try assertFails(s, train(s), "labels.csv:1:4", "duplicate tag 'rock' (first in column 2)")
        s = folder(labels: ",rock,jazz,piano\ncategory,genres-a,genres-a,instruments-k\n")
        try assertFails(s, train(s), "labels.csv:2", "2 line(s); expected exactly 3")
        s = folder(labels: labels + "extra,a,b,c\n")
        try assertFails(s, train(s), "labels.csv:4", "4 line(s); expected exactly 3")
        s = folder(labels: ",rock,jazz,piano\ncategory,genres-a,genres-a\nclass,Genres,Genres,Instruments\n")
        try assertFails(s, train(s), "labels.csv:2:4", "3 cells; line 1 has 4")
        // A tag of labels.csv that y lacks (X has it): the y file is named, with the tag.
        let violin = ",rock,jazz,piano,violin\ncategory,genres-a,genres-a,instruments-k,instruments-k\nclass,Genres,Genres,Instruments,Instruments\n"
        s = folder(x: "ChallengeID,rock,jazz,piano,violin\n001,0.9,0.1,0.2,0.1\n002,0.2,0.7,0.6,0.3\n003,0.6,0.4,0.1,0.2\n", labels: violin)
        try assertFails(s, train(s), "train_y.csv:1", "missing column(s) for 1 tag(s): 'violin'")
    }

    // MARK: - Accepted: quoted fields, CRLF, BOM

    /// The same data with every field quoted, CRLF line ends and a byte-order mark trains the same model
    /// (byte for byte) and predicts the same decisions as the plain files.
    func testQuotedFieldsAndCRLFGiveTheSameModelAndDecisions() throws {
        let plain = Scratch(), quoted = Scratch()
        try generate(into: plain, train: 1000, test: 60, tags: 40)
        for name in ["labels.csv", "train_X.csv", "train_y.csv", "test_X.csv"] {
            let text = try String(contentsOfFile: plain.path + "/" + name, encoding: .utf8)
            let rows = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let q = rows.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { "\"\($0)\"" }.joined(separator: ",") }
            quoted.write(name, "\u{FEFF}" + q.joined(separator: "\r\n") + "\r\n")
        }
        XCTAssertTrue(try String(contentsOfFile: quoted.path + "/train_X.csv", encoding: .utf8).contains("\"\r\n\""))
        var decisions: [String] = [], models: [Data] = []
        for s in [plain, quoted] {
            let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--quiet", "--no-groups",
                                 "--learner", "logistic", "--folds", "3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let p = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/test_X.csv",
                                 "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--quiet"])
            XCTAssertEqual(p.status, 0, p.stderr)
            models.append(try Data(contentsOf: URL(fileURLWithPath: s.path + "/m.json")))
            decisions.append(try String(contentsOfFile: s.path + "/d.csv", encoding: .utf8)
                             + String(contentsOfFile: s.path + "/p.csv", encoding: .utf8))
        }
        XCTAssertEqual(models[0], models[1], "quoted/CRLF input gives the same model bytes")
        XCTAssertEqual(decisions[0], decisions[1], "and the same decisions and probabilities")
        XCTAssertTrue(String(decoding: models[0], as: UTF8.self).contains("\"path\":\"stacked\""), "the comparison covers stacked tags")
    }

    // MARK: - Columns of the test X

    /// Extra columns are ignored and said once, however many blocks the input spans; decisions equal those
    /// of the same file without them.
    func testExtraColumnsIgnoredAndSaidOnce() throws {
        let s = try trainedFolder()
        var plain = "ChallengeID,rock,jazz,piano\n", extra = "ChallengeID,extra1,rock,jazz,NET:rock,piano\n"
        for i in 0..<9000 {   // more than two blocks of 4096 rows
            let v = [(i * 7) % 10, (i * 3) % 10, (i * 11) % 10].map { "0.\($0)" }
            plain += "\(i),\(v[0]),\(v[1]),\(v[2])\n"
            extra += "\(i),5,\(v[0]),\(v[1]),0.5,\(v[2])\n"
        }
        s.write("plain.csv", plain); s.write("extra.csv", extra)
        var out: [String] = []
        for input in ["plain.csv", "extra.csv"] {
            let r = try CLI.run(predict(s, input: input))
            XCTAssertEqual(r.status, 0, r.stderr)
            let notes = r.stderr.components(separatedBy: "ignoring").count - 1
            XCTAssertEqual(notes, input == "plain.csv" ? 0 : 1, r.stderr)
            if input == "extra.csv" { XCTAssertTrue(r.stderr.contains("ignoring 2 column(s) the model does not use (extra1, NET:rock)"), r.stderr) }
            out.append(try String(contentsOfFile: s.path + "/d.csv", encoding: .utf8) + String(contentsOfFile: s.path + "/p.csv", encoding: .utf8))
        }
        XCTAssertEqual(out[0], out[1])
    }

    // MARK: - Model files

    func testTruncatedCorruptedAndForeignModels() throws {
        let s = try trainedFolder()
        let good = try String(contentsOfFile: s.path + "/model.json", encoding: .utf8)
        s.write("t.csv", "ChallengeID,rock,jazz,piano\n1,0.5,0.5,0.5\n")
        let cases: [(String, String)] = [
            ("", "not valid JSON"),                                                     // truncated to nothing
            (String(good.prefix(40)), "not valid JSON"),                                // truncated early
            (String(good.dropLast(3)), "not valid JSON"),                               // truncated at the end
            (good.replacingOccurrences(of: "\"path\":\"raw\"", with: "\"path\":\"rwa\""), "malformed model"),
            (good.replacingOccurrences(of: "\"threshold\":", with: "\"threshold\":\"x\",\"t\":"), "tags.[0].threshold"),
            (good.replacingOccurrences(of: "\"name\":\"jazz\"", with: "\"name\":\"jzaz\""), "tags[1].name is 'jzaz'"),
            (good.replacingOccurrences(of: "\"format_version\":3", with: "\"format_version\":0"), "format_version 0 is not supported"),
            (good.replacingOccurrences(of: "\"input_columns\":[\"rock\",", with: "\"input_columns\":["), "'rock': its own score column"),
            ("\u{0}\u{1}binary\u{FF}", "not valid JSON"),
        ]
        for (text, words) in cases {
            s.write("bad.json", text)
            try assertFails(s, predict(s, model: "bad.json"), "bad.json:", words)
        }
        // A model trained on other tags, applied to X that lacks them: the missing columns are named.
        let other = folder(x: "ChallengeID,violin,cello\n1,0.9,0.1\n2,0.2,0.7\n3,0.6,0.4\n",
                           y: "ChallengeID,violin,cello\n1,1,0\n2,0,1\n3,1,0\n",
                           labels: ",violin,cello\ncategory,strings,strings\nclass,Instruments,Instruments\n")
        XCTAssertEqual(try CLI.run(train(other)).status, 0)
        try assertFails(s, ["predict", "--model", other.path + "/model.json", "--input", s.path + "/t.csv",
                            "--decisions", s.path + "/d.csv"], "t.csv:1", "lacks 2 column(s) the model needs: 'violin', 'cello'")
    }

    func testUnwritableOutputFailsBeforeTraining() throws {
        let s = folder()
        try assertFails(s, ["train", "--data", s.path, "--model", s.path + "/no/such/folder/m.json", "--learner", "thresholds"],
                        "m.json", "folder")
        try FileManager.default.createDirectory(atPath: s.path + "/dir.json", withIntermediateDirectories: false)
        try assertFails(s, train(s, model: "dir.json"), "dir.json", "is a folder")
        let t = try trainedFolder()
        t.write("t.csv", "ChallengeID,rock,jazz,piano\n1,0.5,0.5,0.5\n")
        try assertFails(t, ["predict", "--model", t.path + "/model.json", "--input", t.path + "/t.csv",
                            "--decisions", t.path + "/missing/d.csv"], "d.csv", "does not exist")
    }

    // MARK: - Killed runs

    /// SIGKILL while `train` runs: the previous model stays byte for byte, and no partial or temporary file
    /// remains (the model is created only once trained, as an unnamed file until renamed).
    func testSIGKILLDuringTrainingKeepsPreviousModelAndLeavesNothing() throws {
        let s = Scratch()
        try generate(into: s, train: 3000, test: 10, tags: nil)
        let small = try trainedFolder()
        try FileManager.default.copyItem(atPath: small.path + "/model.json", toPath: s.path + "/model.json")
        let previous = try Data(contentsOf: URL(fileURLWithPath: s.path + "/model.json"))
        let before = s.files()
        // Once while the data is read (0.3 s), once while trees are grown (progress on stderr appears after 2 s).
        for waitForProgress in [false, true] {
            let stderr = Pipe()
            let seen = LockedText()
            stderr.fileHandleForReading.readabilityHandler = { seen.append($0.availableData) }
            // --progress: stderr is a pipe here, where progress shows only when asked.
            let p = try start(["train", "--data", s.path, "--model", s.path + "/model.json", "--learner", "gbdt", "--progress"], stderr: stderr)
            if waitForProgress {
                let deadline = Date().addingTimeInterval(120)
                while p.isRunning, Date() < deadline, !seen.text.contains("tags ") { Thread.sleep(forTimeInterval: 0.05) }
                XCTAssertTrue(seen.text.contains("tags "), "progress appeared: \(seen.text)")
            } else {
                Thread.sleep(forTimeInterval: 0.3)
            }
            XCTAssertTrue(p.isRunning, "train still running (the kill must interrupt it)")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            stderr.fileHandleForReading.readabilityHandler = nil
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            XCTAssertEqual(p.terminationStatus, SIGKILL)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.path + "/model.json")), previous, "previous model intact")
            XCTAssertEqual(s.files(), before, "no partial or temporary file after SIGKILL (progress: \(waitForProgress))")
        }
    }

    /// SIGINT / SIGTERM while `predict` writes through a named temporary (the fallback used where the
    /// filesystem has no unnamed files): the handler removes it; the process still ends by the signal.
    func testSIGINTAndSIGTERMRemoveNamedTemporaries() throws {
        let s = try trainedFolder()
        var big = "ChallengeID,rock,jazz,piano\n"
        for i in 0..<200_000 { big += "\(i),0.\(i % 10),0.\((i / 10) % 10),0.\((i / 100) % 10)\n" }
        s.write("big.csv", big)
        for sig in [SIGINT, SIGTERM] {
            let before = s.files()
            let p = try start(predict(s, input: "big.csv"), environment: ["TAGSTACK_NO_TMPFILE": "1"])
            // Wait for the named temporary to appear, then signal.
            let deadline = Date().addingTimeInterval(20)
            var seen = false
            while p.isRunning, Date() < deadline {
                if s.files().contains(where: { $0.contains(".tagstack-tmp-") }) { seen = true; break }
                Thread.sleep(forTimeInterval: 0.002)
            }
            XCTAssertTrue(seen && p.isRunning, "predict was still writing when signalled")
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal, "ended by signal \(sig)")
            XCTAssertEqual(p.terminationStatus, sig)
            XCTAssertEqual(s.files(), before, "no temporary left after signal \(sig)")
        }
    }

    /// A temporary left by a process that no longer exists is removed by the next write to the same file.
    func testStaleTemporaryOfDeadProcessIsRemoved() throws {
        let s = folder()
        var dead: Int32 = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        s.write(".model.json.tagstack-tmp-\(dead)", "partial")
        XCTAssertEqual(try CLI.run(train(s)).status, 0)
        XCTAssertEqual(s.files(), ["labels.csv", "model.json", "train_X.csv", "train_y.csv"])
    }

    // MARK: - Repeatability

    /// The same data and seed give byte-identical models and decisions at 1 and 2 threads.
    func testSameSeedSameModelBytesAtOneAndTwoThreads() throws {
        let s = Scratch()
        try generate(into: s, train: 1000, test: 100, tags: 40)
        var models: [Data] = [], decisions: [String] = []
        for threads in ["1", "2"] {
            let m = s.path + "/m\(threads).json"
            let r = try CLI.run(["train", "--data", s.path, "--model", m, "--quiet", "--learner", "gbdt", "--rounds", "20",
                                 "--folds", "3", "--seed", "7", "--threads", threads])
            XCTAssertEqual(r.status, 0, r.stderr)
            let p = try CLI.run(["predict", "--model", m, "--input", s.path + "/test_X.csv", "--decisions", s.path + "/d\(threads).csv",
                                 "--scores", s.path + "/p\(threads).csv", "--quiet"])
            XCTAssertEqual(p.status, 0, p.stderr)
            models.append(try Data(contentsOf: URL(fileURLWithPath: m)))
            decisions.append(try String(contentsOfFile: s.path + "/d\(threads).csv", encoding: .utf8)
                             + String(contentsOfFile: s.path + "/p\(threads).csv", encoding: .utf8))
        }
        XCTAssertEqual(models[0], models[1], "model bytes at 1 and 2 threads")
        XCTAssertEqual(decisions[0], decisions[1], "decisions and probabilities at 1 and 2 threads")
        XCTAssertTrue(String(decoding: models[0], as: UTF8.self).contains("\"booster\""), "the comparison covers trees")
    }

    // MARK: - Helpers

    /// `tagstack generate` into `s`; with `tags`, keeps only the first `tags` tags (labels, y, and the X
    /// columns of those tags and their categories) so debug-build tests stay fast.
    func generate(into s: Scratch, train: Int, test: Int, tags: Int?) throws {
        let r = try CLI.run(["generate", "--out", s.path, "--train", String(train), "--test", String(test), "--seed", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard let tags else { return }
        func read(_ name: String) throws -> [[Substring]] {
            try String(contentsOfFile: s.path + "/" + name, encoding: .utf8).split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false)
            }
        }
        func write(_ name: String, _ rows: [[Substring]]) {
            s.write(name, rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
        }
        let l = try read("labels.csv")
        let keptTags = Set(l[0][1...tags])
        let keptCategories = Set(l[1][1...tags])
        write("labels.csv", l.map { Array($0[0...tags]) })
        for name in ["train_X.csv", "test_X.csv", "train_y.csv", "test_y.csv"] {
            let rows = try read(name)
            let keep = rows[0].indices.filter { $0 == 0 || keptTags.contains(rows[0][$0]) || keptCategories.contains(rows[0][$0]) }
            write(name, rows.map { row in keep.map { row[$0] } })
        }
    }

    func start(_ args: [String], environment: [String: String] = [:], stderr: Pipe? = nil) throws -> Process {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = stderr ?? FileHandle.nullDevice
        try p.run()
        return p
    }
}

/// Text appended from a pipe's handler thread, read from the test's.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
