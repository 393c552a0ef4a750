import Foundation
import XCTest
import TagStack
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20 ("Reliability, round three"), items 1-4, 6-7 and the `-` convention, through the built binary: no
/// output lands on an input, pipes and folders are handled, every input is opened once.
final class PathAliasTests: XCTestCase {
    /// Generated data (300 train, 100 test tracks), a thresholds model, predictions, an .npy X and a columns file.
    final class Setup {
        let s = Scratch()
        var d: String { s.path + "/d" }
        init() throws {
            let g = try CLI.run(["generate", "--out", s.path + "/d", "--train", "300", "--test", "100", "--seed", "1"])
            XCTAssertEqual(g.status, 0, g.stderr)
            let t = try CLI.run(["train", "--data", s.path + "/d", "--model", s.path + "/m.json", "--learner", "thresholds", "--quiet"])
            XCTAssertEqual(t.status, 0, t.stderr)
            let p = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/d/test_X.csv",
                                 "--decisions", s.path + "/dec.csv", "--scores", s.path + "/sc.csv", "--quiet"])
            XCTAssertEqual(p.status, 0, p.stderr)
            let header = try String(contentsOfFile: s.path + "/d/test_X.csv", encoding: .utf8).split(separator: "\n")[0]
            s.write("cols.txt", header + "\n")
            try writeNPY(csv: s.path + "/d/test_X.csv", to: s.path + "/X.npy")
            try writeNPY(csv: s.path + "/d/test_y.csv", to: s.path + "/y.npy")
        }
    }

    /// A CSV of numbers (ChallengeID first) as a float64 .npy matrix.
    static func npy(rows: [[Double]], columns: Int) -> [UInt8] {
        NPY.encode(NPYMatrix(rows: rows.count, columns: columns, values: rows.flatMap { $0 }), as: .float64)
    }

    static func writeNPY(csv: String, to path: String) throws {
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst()
        let rows = lines.map { $0.split(separator: ",").dropFirst().map { Double($0)! } }
        try Data(npy(rows: rows, columns: rows[0].count)).write(to: URL(fileURLWithPath: path))
    }

    static func sha(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Runs `args` and checks it is refused (exit 1 or 2, a message, no crash) with every file of `unchanged`
    /// byte-identical afterwards.
    func assertRefused(_ args: [String], unchanged: [String], words: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = unchanged.map(Self.sha)
        let r = try CLI.run(args)
        XCTAssertTrue(r.status == 1 || r.status == 2, "exit \(r.status) for \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains("tagstack: error:"), r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(words), "expected '\(words)' in: \(r.stderr)", file: file, line: line)
        for (p, b) in zip(unchanged, before) { XCTAssertEqual(Self.sha(p), b, "\(p) changed", file: file, line: line) }
    }

    /// Runs a bash script with `$T` the tested binary.
    func bash(_ script: String, cwd: String) throws -> CLI.Result {
        var env = ProcessInfo.processInfo.environment
        env["T"] = CLI.binary.path
        return try CLI.run(executable: URL(fileURLWithPath: "/bin/bash"), ["-c", script], cwd: cwd, environment: env)
    }

    // MARK: - 1-4: outputs over inputs

    func testHTMLAndOtherOutputsNeverReplaceTrainingInputs() throws {
        let x = try Setup(), d = x.d, s = x.s.path
        try FileManager.default.copyItem(atPath: d + "/train_groups.csv", toPath: s + "/g.csv")
        for input in ["train_X.csv", "train_y.csv", "labels.csv", "train_groups.csv"] {
            for output in ["--html", "--report", "--model"] {
                var args = ["train", "--data", d, "--learner", "thresholds", "--quiet", output, d + "/" + input]
                if output != "--model" { args += ["--model", s + "/m2.json"] }
                try assertRefused(args, unchanged: [d + "/" + input], words: "would overwrite")
            }
        }
        // Outputs named twice.
        try assertRefused(["train", "--data", d, "--model", s + "/m2.json", "--html", s + "/m2.json", "--learner", "thresholds"],
                          unchanged: [], words: "name the same file")
        try assertRefused(["train", "--data", d, "--model", s + "/m2.json", "--report", s + "/r.csv", "--html", s + "/r.csv", "--learner", "thresholds"],
                          unchanged: [], words: "name the same file")
        XCTAssertFalse(x.s.exists("m2.json") || x.s.exists("r.csv"))
        // Through a symbolic link and a hard link to an input.
        symlink(d + "/train_y.csv", s + "/link.html")
        link(d + "/labels.csv", s + "/hard.html")
        try assertRefused(["train", "--data", d, "--model", s + "/m2.json", "--html", s + "/link.html", "--learner", "thresholds"],
                          unchanged: [d + "/train_y.csv"], words: "would overwrite")
        try assertRefused(["train", "--data", d, "--model", s + "/m2.json", "--html", s + "/hard.html", "--learner", "thresholds"],
                          unchanged: [d + "/labels.csv"], words: "would overwrite")
        // --columns is an input too.
        for output in ["--model", "--html", "--report"] {
            var args = ["train", "--data", d, "--train-x", s + "/X.npy", "--train-y", s + "/y.npy", "--columns", s + "/cols.txt",
                        "--labels", d + "/labels.csv", "--no-groups", "--learner", "thresholds", "--model", s + "/m3.json"]
            if output != "--model" { args += [output, s + "/cols.txt"] } else { args[args.count - 1] = s + "/cols.txt" }
            try assertRefused(args, unchanged: [s + "/cols.txt"], words: "would overwrite")
        }
    }

    func testEvaluateHTMLNeverReplacesItsInputs() throws {
        let x = try Setup(), d = x.d, s = x.s.path
        for target in [d + "/test_y.csv", s + "/dec.csv", s + "/sc.csv"] {
            try assertRefused(["evaluate", "--truth", d + "/test_y.csv", "--decisions", s + "/dec.csv", "--scores", s + "/sc.csv", "--html", target],
                              unchanged: [target], words: "would overwrite")
        }
        try assertRefused(["evaluate", "--truth", d + "/test_y.csv", "--decisions", s + "/dec.csv", "--labels", d + "/labels.csv", "--html", d + "/labels.csv"],
                          unchanged: [d + "/labels.csv"], words: "would overwrite")
        try assertRefused(["evaluate", "--truth", s + "/y.npy", "--decisions", s + "/y.npy", "--html", s + "/y.npy"],
                          unchanged: [s + "/y.npy"], words: "would overwrite")
        // Results go to standard output: no output file may be `-` there.
        try assertRefused(["evaluate", "--truth", d + "/test_y.csv", "--decisions", s + "/dec.csv", "--html", "-"],
                          unchanged: [], words: "prints its results on standard output")
    }

    func testPredictAndExportOutputsNeverReplaceInputs() throws {
        let x = try Setup(), d = x.d, s = x.s.path
        try assertRefused(["predict", "--model", s + "/m.json", "--input", s + "/X.npy", "--columns", s + "/cols.txt", "--decisions", s + "/cols.txt"],
                          unchanged: [s + "/cols.txt"], words: "would overwrite")
        try assertRefused(["predict", "--model", s + "/m.json", "--input", d + "/test_X.csv", "--decisions", s + "/o.csv", "--scores", s + "/m.json"],
                          unchanged: [s + "/m.json"], words: "would overwrite")
        try assertRefused(["predict", "--model", s + "/m.json", "--input", d + "/test_X.csv", "--decisions", "-", "--scores", "-"],
                          unchanged: [], words: "both name standard output")
        // export replaces --out's contents: an input inside it (or the folder itself an input) is refused.
        try assertRefused(["export", "--format", "lightgbm", "--model", s + "/m.json", "--out", s, "--features-for", d + "/test_X.csv"],
                          unchanged: [s + "/m.json"], words: "whose contents this command replaces")
        try assertRefused(["export", "--format", "lightgbm", "--model", s + "/m.json", "--out", d, "--features-for", d + "/test_X.csv"],
                          unchanged: [d + "/test_X.csv"], words: "whose contents this command replaces")
    }

    /// Every option whose help names a FILE or DIR is declared in `PathOptions` (and every declared one is in
    /// the help): the alias check covers each path option, present and future.
    func testEveryPathOptionInTheHelpIsDeclared() throws {
        for command in ["train", "predict", "evaluate", "export", "generate"] {
            let help = try CLI.run([command, "--help"]).stdout
            let regex = try NSRegularExpression(pattern: "^ +(--[a-z-]+) (FILE|DIR)\\b", options: [.anchorsMatchLines])
            let found = Set(regex.matches(in: help, range: NSRange(help.startIndex..., in: help)).map {
                String(help[Range($0.range(at: 1), in: help)!])
            })
            XCTAssertFalse(found.isEmpty, command)
            XCTAssertEqual(found, Set(PathOptions.table[command]?.keys.map { $0 } ?? []), command)
        }
    }

    // MARK: - 6-7: folders, FIFOs, standard input and output

    func testFolderInputsAreSaidNotTrapped() throws {
        let x = try Setup(), d = x.d, s = x.s.path
        try assertRefused(["predict", "--model", s + "/m.json", "--input", d, "--decisions", s + "/o.csv"], unchanged: [], words: "is a folder")
        try assertRefused(["predict", "--model", d, "--input", d + "/test_X.csv", "--decisions", s + "/o.csv"], unchanged: [], words: "is a folder")
        try assertRefused(["evaluate", "--truth", d, "--decisions", s + "/dec.csv"], unchanged: [], words: "is a folder")
        try assertRefused(["train", "--data", d, "--train-y", d, "--model", s + "/o.json"], unchanged: [], words: "is a folder")
        try assertRefused(["predict", "--model", s + "/m.json", "--input", s + "/X.npy", "--columns", d, "--decisions", s + "/o.csv"], unchanged: [], words: "is a folder")
        XCTAssertFalse(x.s.exists("o.csv") || x.s.exists("o.json"))
    }

    func testPipesAreReadOnceAndStandardStreamsWork() throws {
        let x = try Setup(), s = x.s.path
        let expected = try String(contentsOfFile: s + "/dec.csv", encoding: .utf8)
        let script = """
        set -e
        mkfifo f.csv
        cat d/test_X.csv > f.csv &
        timeout 60 $T predict --model m.json --input f.csv --decisions o1.csv --quiet
        cat d/test_X.csv | timeout 60 $T predict --model m.json --input /dev/stdin --decisions o2.csv --quiet
        timeout 60 $T predict --model m.json --input <(cat d/test_X.csv) --decisions o3.csv --quiet
        cat d/test_X.csv | timeout 60 $T predict --model m.json --input - --decisions - --quiet > o4.csv
        timeout 60 $T predict --model <(cat m.json) --input d/test_X.csv --decisions o5.csv --quiet
        timeout 60 $T evaluate --truth <(cat d/test_y.csv) --decisions <(cat dec.csv) --json > e1.json
        timeout 60 $T evaluate --truth d/test_y.csv --decisions dec.csv --json > e2.json
        cat d/train_y.csv | timeout 120 $T train --data d --train-y - --model m6.json --learner thresholds --quiet
        timeout 60 $T predict --model m6.json --input X.npy --columns <(cat cols.txt) --decisions o6.csv --quiet
        """
        let r = try bash(script, cwd: s)
        XCTAssertEqual(r.status, 0, r.stderr)
        for o in ["o1.csv", "o2.csv", "o3.csv", "o4.csv", "o5.csv"] {
            XCTAssertEqual(try String(contentsOfFile: s + "/" + o, encoding: .utf8), expected, o)
        }
        XCTAssertEqual(try String(contentsOfFile: s + "/e1.json", encoding: .utf8), try String(contentsOfFile: s + "/e2.json", encoding: .utf8))
        XCTAssertEqual(Self.sha(s + "/m6.json"), Self.sha(s + "/m.json"), "train_y from standard input trains the same model")
        // .npy rows are numbered from 0: compare the decisions without the ID column.
        let strip = { (t: String) in t.split(separator: "\n").map { $0.split(separator: ",", maxSplits: 1).last.map(String.init) ?? "" } }
        XCTAssertEqual(strip(try String(contentsOfFile: s + "/o6.csv", encoding: .utf8)), strip(expected))
    }

    func testOneStandardInputCannotFeedAStreamAndAnotherInput() throws {
        let x = try Setup()
        let r = try bash("cat m.json | $T predict --model - --input - --decisions o.csv", cwd: x.s.path)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("both read standard input"), r.stderr)
    }
}
