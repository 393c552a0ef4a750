// The second scorer (Scripts/score_model.py, standard-library Python written from docs/MODEL_FORMAT.md) must
// agree with the Swift scorer to 1e-12: on the golden models and on models trained on generated data
// (gbdt with extra-network and quantile features, hierarchical decisions; logistic over every column).
// It must refuse what Swift refuses: every model of Tests/TagStackModelTests/InvalidModels (which
// InvalidModelTests has Swift refuse), with the field named, and leave no output behind.

import Foundation
import XCTest
import TagStackModel

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = root.appendingPathComponent("Tests/TagStackModelTests/Golden")
    static let invalidModels = root.appendingPathComponent("Tests/TagStackModelTests/InvalidModels")
    static let scorer = root.appendingPathComponent("Scripts/score_model.py").path

    /// The path of an executable on PATH, or nil.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs a program; returns status and stderr.
    @discardableResult
    static func run(_ exe: String, _ args: [String], cwd: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// A CSV of `ChallengeID` then numbers: (ids, columns, row-major values).
    static func readCSV(_ path: String) throws -> (ids: [String], columns: [String], values: [Double]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let columns = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var ids: [String] = [], values: [Double] = []
        for line in lines {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            ids.append(String(cells[0]))
            values += cells.dropFirst().map { $0.isEmpty ? .nan : Double($0)! }
        }
        return (ids, Array(columns), values)
    }
}

final class PythonScorerTests: XCTestCase {
    var python: String!

    override func setUpWithError() throws {
        guard let p = Repo.which("python3") else { throw XCTSkip("python3 is not installed: the Python scorer is not checked") }
        python = p
    }

    /// Runs score_model.py and returns its scores and decisions.
    func pythonScores(model: String, input: String, in dir: Scratch) throws -> (p: [Double], d: [Double], ids: [String], tags: [String]) {
        let s = dir.path + "/py_scores.csv", d = dir.path + "/py_decisions.csv"
        let r = try Repo.run(python, [Repo.root.appendingPathComponent("Scripts/score_model.py").path,
                                      "--model", model, "--input", input, "--scores", s, "--decisions", d])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ps = try Repo.readCSV(s), ds = try Repo.readCSV(d)
        return (ps.values, ds.values, ps.ids, ps.columns)
    }

    func assertClose(_ a: [Double], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        var worst = 0.0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) }
        XCTAssertLessThanOrEqual(worst, 1e-12, "\(what): largest difference \(worst)", file: file, line: line)
    }

    /// The golden models: a few tags with every feature kind and edge rows, and models trained on full-size
    /// generated data (248 tags: classes of 90, 112 and 46 tags; gbdt + hierarchical, logistic + track).
    func testGoldenModels() throws {
        let dir = Scratch()
        for m in ["gbdt-hierarchical", "gbdt-all-track", "logistic-class", "thresholds", "pooled-class", "gbdt-blend-track",
                  "pooled-blend-class", "logistic-logitmean-thresholds", "wide-gbdt-hierarchical", "wide-logistic-track",
                  "wide-pooled-hierarchical", "v1/gbdt-hierarchical", "v1/logistic-class", "v2/pooled-class", "v2/gbdt-all-track",
                  "v2/thresholds", "one-label", "one-label-insample"] {
            let input = Repo.golden.appendingPathComponent(m.hasPrefix("wide-") ? "wide_input_X.csv"
                                                           : m.hasPrefix("one-label") ? "one_label_input_X.csv" : "input_X.csv").path
            let py = try pythonScores(model: Repo.golden.appendingPathComponent(m + ".json").path, input: input, in: dir)
            let p = try Repo.readCSV(Repo.golden.appendingPathComponent(m + ".scores.csv").path)
            let d = try Repo.readCSV(Repo.golden.appendingPathComponent(m + ".decisions.csv").path)
            XCTAssertEqual(py.ids, p.ids); XCTAssertEqual(py.tags, p.columns)
            assertClose(py.p, p.values, m)
            XCTAssertEqual(py.d, d.values, "\(m): decisions")
            // The committed expectations are the Swift scorer's output today (GoldenTests): check it directly too.
            let scorer = try ModelScorer(contentsOf: Repo.golden.appendingPathComponent(m + ".json"))
            let x = try Repo.readCSV(input)
            let swift = try scorer.score(values: x.values, columns: x.columns, threads: 2)
            assertClose(py.p, swift.probabilities, m + " (live Swift scorer)")
            XCTAssertEqual(py.d, swift.decisions.map(Double.init), "\(m): decisions (live Swift scorer)")
        }
    }

    /// A model trained now on generated data with extra networks, when a release build is at hand (training in
    /// a debug build takes minutes): covers whatever training writes today.
    func testModelTrainedNowWithTheReleaseBuild() throws {
        let release = Repo.root.appendingPathComponent(".build/release/tagstack").path
        guard FileManager.default.isExecutableFile(atPath: release) else {
            throw XCTSkip("no release build (.build/release/tagstack): the golden models cover the Python scorer")
        }
        let dir = Scratch()
        let data = dir.path + "/data"
        var r = try Repo.run(release, ["generate", "--out", data, "--train", "300", "--test", "40", "--networks", "1", "--seed", "4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for learner in ["gbdt", "pooled"] {
            let model = dir.path + "/\(learner).json"
            r = try Repo.run(release, ["train", "--model", model, "--data", data, "--folds", "0", "--rounds", "4", "--leaves", "4",
                                       "--margin", "-1", "--quiet", "--learner", learner, "--decision", "hierarchical", "--threads", "2"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let scorer = try ModelScorer(contentsOf: URL(fileURLWithPath: model))
            XCTAssertGreaterThan(scorer.model.tags.filter { $0.path != .raw }.count, 0, learner)
            let x = try Repo.readCSV(data + "/test_X.csv")
            let swift = try scorer.score(values: x.values, columns: x.columns, threads: 2)
            let py = try pythonScores(model: model, input: data + "/test_X.csv", in: dir)
            assertClose(py.p, swift.probabilities, "trained now (\(learner))")
            XCTAssertEqual(py.d, swift.decisions.map(Double.init), "trained now (\(learner)): decisions")
        }
    }

    func testErrorsNameTheColumnAndTheVersion() throws {
        let dir = Scratch()
        let model = Repo.golden.appendingPathComponent("thresholds.json").path
        let x = dir.write("x.csv", "ChallengeID,foo\na,1\n")
        var r = try Repo.run(python, [Repo.root.appendingPathComponent("Scripts/score_model.py").path,
                                      "--model", model, "--input", x, "--scores", dir.path + "/s.csv"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("lacks") && r.stderr.contains("'genres-c04-t02'"), r.stderr)
        let text = try String(contentsOfFile: model, encoding: .utf8).replacingOccurrences(of: "\"format_version\":3", with: "\"format_version\":5")
        let newer = dir.write("newer.json", text)
        r = try Repo.run(python, [Repo.root.appendingPathComponent("Scripts/score_model.py").path,
                                  "--model", newer, "--input", x, "--scores", dir.path + "/s.csv"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("format_version 5 is not supported"), r.stderr)
    }

    /// The rows of InvalidModels/expected.tsv: file, text the message must contain (the field), what is wrong.
    func invalidCases() throws -> [(file: String, expected: String, what: String)] {
        let text = try String(contentsOf: Repo.invalidModels.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (f[0], f.count > 1 ? f[1] : "", f.count > 2 ? f[2] : "")
        }
    }

    /// Every model Swift refuses (InvalidModelTests): exit 1, one line `score_model.py: error: FILE: ...` naming
    /// the field, no traceback, and neither output nor a temporary left in the folder.
    func testInvalidModelCorpusIsRefused() throws {
        let cases = try invalidCases()
        XCTAssertGreaterThanOrEqual(cases.count, 80)
        let input = Repo.golden.appendingPathComponent("input_X.csv").path
        for c in cases {
            let dir = Scratch()
            let model = Repo.invalidModels.appendingPathComponent(c.file).path
            let r = try Repo.run(python, [Repo.scorer, "--model", model, "--input", input,
                                          "--scores", dir.path + "/s.csv", "--decisions", dir.path + "/d.csv"])
            XCTAssertEqual(r.status, 1, "\(c.file) (\(c.what)): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("score_model.py: error: \(model): "), "\(c.file): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(c.expected), "\(c.file) (\(c.what)): '\(r.stderr)' does not name '\(c.expected)'")
            XCTAssertFalse(r.stderr.contains("Traceback"), "\(c.file): \(r.stderr)")
            XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "\(c.file): one line: \(r.stderr)")
            XCTAssertEqual(dir.files(), [], "\(c.file): left behind")
        }
    }

    /// A run that fails leaves existing outputs byte-identical and no temporary: a refused model, a bad cell
    /// after rows were written, and a second output that cannot be written (the first is not replaced).
    func testAFailingRunLeavesExistingOutputsUntouched() throws {
        let dir = Scratch()
        let old = "ChallengeID,old\nkeep,me\n"
        let s = dir.write("s.csv", old), d = dir.write("d.csv", old)
        let good = Repo.golden.appendingPathComponent("gbdt-hierarchical.json").path
        let input = try String(contentsOf: Repo.golden.appendingPathComponent("input_X.csv"), encoding: .utf8)
        var lines = input.split(separator: "\n").map(String.init)
        var cells = lines[lines.count - 2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[1] = "abc"
        lines[lines.count - 2] = cells.joined(separator: ",")
        let badInput = dir.write("bad_X.csv", lines.joined(separator: "\n") + "\n")
        let invalid = Repo.invalidModels.appendingPathComponent("tree-threshold-null.json").path
        for (model, x, decisions, why) in [(invalid, Repo.golden.appendingPathComponent("input_X.csv").path, d, "a refused model"),
                                           (good, badInput, d, "a bad cell near the end"),
                                           (good, Repo.golden.appendingPathComponent("input_X.csv").path, dir.path + "/no/d.csv",
                                            "a second output in a missing folder")] {
            let r = try Repo.run(python, [Repo.scorer, "--model", model, "--input", x, "--scores", s, "--decisions", decisions])
            XCTAssertEqual(r.status, 1, "\(why): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("score_model.py: error: "), "\(why): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Traceback"), "\(why): \(r.stderr)")
            XCTAssertEqual(try String(contentsOfFile: s, encoding: .utf8), old, "\(why): scores replaced")
            XCTAssertEqual(try String(contentsOfFile: d, encoding: .utf8), old, "\(why): decisions replaced")
            XCTAssertEqual(dir.files(), ["bad_X.csv", "d.csv", "s.csv"], "\(why): left behind")
        }
        // The same run with a good input replaces both; a device target is written directly.
        let x = Repo.golden.appendingPathComponent("input_X.csv").path
        var r = try Repo.run(python, [Repo.scorer, "--model", good, "--input", x, "--scores", s, "--decisions", d])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try String(contentsOfFile: d, encoding: .utf8),
                       try String(contentsOf: Repo.golden.appendingPathComponent("gbdt-hierarchical.decisions.csv"), encoding: .utf8))
        XCTAssertEqual(dir.files(), ["bad_X.csv", "d.csv", "s.csv"])
        r = try Repo.run(python, [Repo.scorer, "--model", good, "--input", x, "--scores", "/dev/stdout"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, lines.count, "one line per input line on stdout")
        // An output over an input is refused before anything is written.
        r = try Repo.run(python, [Repo.scorer, "--model", good, "--input", badInput, "--scores", badInput])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("same file as --input"), r.stderr)
    }
}
