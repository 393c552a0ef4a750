import Foundation
import XCTest

/// The README's `make` overrides, on a clean copy of the project's Makefile (a temporary project folder holding
/// only the Makefile; `BIN=` points it at the `tagstack` built with these tests, so nothing is rebuilt) and a
/// read-only copy of MTG-Jamendo. The tests run as any user: besides the read-only modes, they check that
/// the data folder's listing, sizes and modification times are unchanged (root ignores modes).
final class MakefileTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh project folder with the Makefile only.
    func project() throws -> Scratch {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Makefile").path, toPath: s.path + "/Makefile")
        return s
    }

    /// A read-only copy of jamendo-moodtheme, in a folder of that name.
    final class ReadOnlyData {
        let parent = Scratch()
        let path: String
        init(_ source: String) throws {
            path = parent.path + "/jamendo-moodtheme"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            for f in try FileManager.default.contentsOfDirectory(atPath: source) {
                try FileManager.default.copyItem(atPath: source + "/" + f, toPath: path + "/" + f)
                try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path + "/" + f)
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: path)
        }
        deinit { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        /// Name, size and modification time of every entry.
        func snapshot() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { f in
                let a = try FileManager.default.attributesOfItem(atPath: path + "/" + f)
                return "\(f) \(a[.size] ?? 0) \((a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
            }
        }
    }

    func readOnlyJamendo() throws -> ReadOnlyData {
        guard let source = sharedData("jamendo-moodtheme") else {
            throw XCTSkip("../shared/data/jamendo-moodtheme is absent: the make tests on real data are skipped")
        }
        return try ReadOnlyData(source)
    }

    /// Runs `make ARGS BIN=<tested tagstack>` in `dir`, without the caller's make variables.
    func make(_ args: [String], in dir: String) throws -> CLI.Result {
        var env = ProcessInfo.processInfo.environment
        for k in ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "DATA", "MODEL", "TRAIN_FLAGS"] { env[k] = nil }
        return try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                           ["make", "--no-print-directory"] + args + ["BIN=\(CLI.binary.path)"], cwd: dir, environment: env)
    }

    func training(_ model: String) throws -> [String: String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as! [String: Any]
        return json["training"] as! [String: String]
    }

    /// README: `make train DATA=../shared/data/jamendo-moodtheme MODEL=Models/jamendo.json SEED=7`.
    func testMakeTrainOnReadOnlyDataUsesItsGroupsAndWritesNothingIntoIt() throws {
        let data = try readOnlyJamendo(), p = try project()
        let before = try data.snapshot()
        let r = try make(["train", "DATA=\(data.path)", "MODEL=Models/own.json", "SEED=7", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(try data.snapshot(), before, "nothing written into DATA")
        XCTAssertEqual(p.files(), ["Makefile", "Models"], "no Data/ generated")
        let t = try training(p.path + "/Models/own.json")
        XCTAssertEqual(t["groups"], "train_groups.csv: artist+album (189 groups)")
        XCTAssertEqual(t["seed"], "7")
        XCTAssertEqual(t["rows"], "2563")
    }

    /// `GROUPS=none` trains without groups; `GROUPS=FILE` names another groups file; both recorded in the model.
    func testMakeGroupsOverride() throws {
        let data = try readOnlyJamendo(), p = try project()
        let none = try make(["train", "DATA=\(data.path)", "MODEL=Models/none.json", "LEARNER=thresholds", "GROUPS=none"], in: p.path)
        XCTAssertEqual(none.status, 0, none.stdout + none.stderr)
        XCTAssertEqual(try training(p.path + "/Models/none.json")["groups"], "none")
        // An artist-only groups file under the project.
        let rows = try String(contentsOfFile: data.path + "/train_groups.csv").split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: ",") }
        p.write("artists.csv", rows.joined(separator: "\n") + "\n")
        let artists = try make(["train", "DATA=\(data.path)", "MODEL=Models/artists.json", "LEARNER=thresholds", "GROUPS=artists.csv"], in: p.path)
        XCTAssertEqual(artists.status, 0, artists.stdout + artists.stderr)
        XCTAssertEqual(try training(p.path + "/Models/artists.json")["groups"], "artists.csv: artist (189 groups)")
    }

    /// README: `make submit DATA=…` (model and outputs under the project), then `make evaluate DATA=…`, and
    /// `make submit DATA=… TEST_X=… DECISIONS=out/decisions.csv`.
    func testMakeSubmitAndEvaluateOnReadOnlyDataWriteUnderTheProject() throws {
        let data = try readOnlyJamendo(), p = try project()
        let before = try data.snapshot()
        let submit = try make(["submit", "DATA=\(data.path)", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(submit.status, 0, submit.stdout + submit.stderr)
        XCTAssertTrue(p.exists("Models/jamendo-moodtheme.json"))
        XCTAssertTrue(p.exists("out/jamendo-moodtheme/test_decisions.csv"))
        XCTAssertTrue(p.exists("out/jamendo-moodtheme/test_scores.csv"))
        let evaluate = try make(["evaluate", "DATA=\(data.path)"], in: p.path)
        XCTAssertEqual(evaluate.status, 0, evaluate.stdout + evaluate.stderr)
        XCTAssertTrue(evaluate.stdout.contains("weighted F1"), evaluate.stdout)
        let other = try make(["submit", "DATA=\(data.path)", "TEST_X=\(data.path)/test_X.csv", "DECISIONS=out/decisions.csv"], in: p.path)
        XCTAssertEqual(other.status, 0, other.stdout + other.stderr)
        XCTAssertTrue(p.exists("out/decisions.csv"))
        XCTAssertEqual(try String(contentsOfFile: p.path + "/out/decisions.csv"),
                       try String(contentsOfFile: p.path + "/out/jamendo-moodtheme/test_decisions.csv"))
        XCTAssertEqual(try data.snapshot(), before, "nothing written into DATA")
        XCTAssertFalse(p.exists("Data"), "no Data/ generated")
    }

    /// A DATA that does not exist fails, names it, and creates nothing (no folder, no model, no Data/).
    func testMakeWithMissingDataFailsAndCreatesNothing() throws {
        let p = try project()
        for target in ["train", "submit", "evaluate"] {
            let r = try make([target, "DATA=../no-such-folder", "MODEL=Models/own.json"], in: p.path)
            XCTAssertNotEqual(r.status, 0, target)
            XCTAssertTrue(r.stderr.contains("DATA folder '../no-such-folder' does not exist"), r.stderr)
            XCTAssertEqual(p.files(), ["Makefile"], "\(target): nothing created")
            XCTAssertFalse(FileManager.default.fileExists(atPath: p.path + "/../no-such-folder"))
        }
    }

    /// README: `make train TRAIN_FLAGS="--learner gbdt --folds 10"` on the default data (generated into Data/ on
    /// first use; small here): TRAIN_FLAGS may name the learner.
    func testMakeTrainFlagsOnTheDefaultDataGenerateOnlyIntoData() throws {
        let p = try project()
        let r = try make(["train", "TRAIN_FLAGS=--learner thresholds --folds 3", "TRAIN_ROWS=300", "TEST_ROWS=50"], in: p.path)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(p.exists("Data/train_X.csv"))
        XCTAssertEqual(try training(p.path + "/Models/stacker.json")["folds"], "3")
        let submit = try make(["submit", "TRAIN_ROWS=300", "TEST_ROWS=50"], in: p.path)
        XCTAssertEqual(submit.status, 0, submit.stdout + submit.stderr)
        XCTAssertTrue(p.exists("Data/test_decisions.csv"))
    }
}
