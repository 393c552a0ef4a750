import Foundation
import XCTest

/// Output where people look (issue 25 item 4): train's result summary on stdout (progress on stderr, only on a
/// terminal or with --progress, never with --quiet), `train --json`, `tagstack --version`, `tagstack help CMD`.
final class OutputTests: XCTestCase {
    func testTrainSummaryOnStdoutProgressOnlyWhereAsked() throws {
        let s = TinyData.folder()
        var env = ProcessInfo.processInfo.environment
        env["TAGSTACK_PROGRESS_DELAY"] = "-1"   // progress from the first tag, were it shown
        let args = ["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds,logistic", "--folds", "2", "--no-groups"]
        // Not a terminal: the summary on stdout, no progress on stderr.
        var r = try CLI.run(executable: CLI.binary, args, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        for w in ["folds: 2, rows assigned at random", "learner (out-of-fold weighted F1", "paths: ", "trained on 3 rows × 3 tags"] {
            XCTAssertTrue(r.stdout.contains(w), "stdout says '\(w)':\n\(r.stdout)")
        }
        XCTAssertFalse(r.stderr.contains("ETA"), "no progress off a terminal: \(r.stderr)")
        XCTAssertFalse(r.stderr.contains("paths: "), r.stderr)
        // --quiet keeps the summary (it is the result), --progress shows progress off a terminal.
        r = try CLI.run(executable: CLI.binary, args + ["--quiet"], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("paths: "), r.stdout)
        XCTAssertEqual(r.stderr, "")
        r = try CLI.run(executable: CLI.binary, args + ["--progress"], environment: env)
        XCTAssertTrue(r.stderr.contains("this learner's ETA"), r.stderr)
        XCTAssertTrue(r.stdout.contains("paths: "), r.stdout)
        r = try CLI.run(executable: CLI.binary, args + ["--progress", "--quiet"], environment: env)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--quiet and --progress contradict each other"), r.stderr)
    }

    func testTrainJSONSummary() throws {
        let s = TinyData.folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds,logistic", "--folds", "2",
                             "--no-groups", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.filter { $0 == "\n" }.count, 1, "one line: \(r.stdout)")
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(j["model"] as? String, s.path + "/m.json")
        XCTAssertEqual(j["rows"] as? Int, 3)
        XCTAssertEqual(j["tags"] as? Int, 3)
        XCTAssertEqual(j["folds"] as? Int, 2)
        XCTAssertEqual(j["groups"] as? String, "none")
        let model = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.path + "/m.json"))) as! [String: Any]
        XCTAssertEqual(j["decision"] as? String, model["decision"] as? String)
        XCTAssertEqual((j["paths"] as! [String: Int]).values.reduce(0, +), 3)
        let levels = j["levels"] as! [[String: Any]]
        let learner = levels.first { $0["name"] as? String == "learner" }!
        XCTAssertEqual((learner["candidates"] as! [[String: Any]]).map { $0["name"] as! String }.prefix(2), ["thresholds", "logistic"])
        XCTAssertEqual(learner["chosen"] as? String, j["learner"] as? String)
        XCTAssertEqual(learner["scope"] as? String, "out-of-fold")
        XCTAssertNotNil(learner["margin"] as? Double)
        XCTAssertEqual(j["calibrated_tags"] as? Int, (model["tags"] as! [[String: Any]]).filter { $0["calibration"] != nil }.count)
    }

    func testVersionAndHelpCommand() throws {
        let v = try CLI.run(["--version"])
        XCTAssertEqual(v.status, 0, v.stderr)
        let lines = v.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, v.stdout)
        XCTAssertNotNil(lines[0].range(of: #"^tagstack [0-9]+\.[0-9]+\.[0-9]+ \((commit [0-9a-f]{7,40}(-dirty)?|commit unknown: built without make)\)$"#,
                                      options: .regularExpression), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("model format 3 (reads 1..."), lines[1])
        // Built by `make test` (or `make build`): Scripts/build_commit.sh wrote the commit.
        let generated = Repo.root.appendingPathComponent("Sources/tagstack/BuildCommit.generated.swift").path
        if FileManager.default.fileExists(atPath: generated) { XCTAssertFalse(lines[0].contains("unknown"), lines[0]) }

        for c in ["train", "predict", "evaluate", "export", "generate"] {
            let help = try CLI.run(["help", c]), direct = try CLI.run([c, "--help"])
            XCTAssertEqual(help.status, 0, help.stderr)
            XCTAssertEqual(help.stdout, direct.stdout, c)
            XCTAssertTrue(help.stdout.hasPrefix("USAGE: tagstack \(c)"), help.stdout)
        }
        let overview = try CLI.run(["help"])
        XCTAssertEqual(overview.status, 0)
        XCTAssertTrue(overview.stdout.contains("tagstack help <command>"), overview.stdout)
        let bad = try CLI.run(["help", "trian"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("help: unknown command 'trian'"), bad.stderr)
    }
}
