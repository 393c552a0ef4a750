import Foundation
import XCTest

/// The README's `make` overrides, on a clean copy of the project's Makefile (a temporary project folder holding
/// only the Makefile; `BIN=` points it at the `tagstack` built with these tests, so nothing is rebuilt) and a
/// read-only copy of MTG-Jamendo. The tests run as any user: besides the read-only modes, they check that
/// the data folder's listing, sizes and modification times are unchanged (root ignores modes).
final class MakefileTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The project files the Makefile needs: itself and the stale-model check it calls.
    static let projectFiles = ["Makefile", "Scripts"]

    /// A fresh project folder with the Makefile and Scripts/model_stale.sh only.
    func project() throws -> Scratch {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Makefile").path, toPath: s.path + "/Makefile")
        try FileManager.default.createDirectory(atPath: s.path + "/Scripts", withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Scripts/model_stale.sh").path,
                                         toPath: s.path + "/Scripts/model_stale.sh")
        return s
    }

    /// What a run created in the project folder (its entries besides the project's own files).
    func created(_ p: Scratch) -> [String] { p.files().filter { !Self.projectFiles.contains($0) } }

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
        XCTAssertEqual(created(p), ["Models"], "no Data/ generated")
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
        let other = try make(["submit", "DATA=\(data.path)", "LEARNER=thresholds", "TEST_X=\(data.path)/test_X.csv", "DECISIONS=out/decisions.csv"], in: p.path)
        XCTAssertEqual(other.status, 0, other.stdout + other.stderr)
        XCTAssertTrue(other.stdout.contains("using Models/jamendo-moodtheme.json (trained "), other.stdout)
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
            XCTAssertEqual(created(p), [], "\(target): nothing created")
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
        // The same flags: the model is reused, not retrained.
        let submit = try make(["submit", "TRAIN_FLAGS=--learner thresholds --folds 3", "TRAIN_ROWS=300", "TEST_ROWS=50"], in: p.path)
        XCTAssertEqual(submit.status, 0, submit.stdout + submit.stderr)
        XCTAssertTrue(submit.stdout.contains("using Models/stacker.json (trained "), submit.stdout)
        XCTAssertTrue(p.exists("Data/test_decisions.csv"))
    }

    // MARK: - Stale models (issue 20, item 5) and paths (item 15), on small generated data

    /// `tagstack generate` into `dir` (300 training, 100 test rows, with train_groups.csv).
    func generate(_ dir: String, seed: Int = 1) throws {
        let r = try CLI.run(["generate", "--out", dir, "--train", "300", "--test", "100", "--seed", String(seed)])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func modified(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    }

    /// Sets every file of `dir` to an old modification time: only their content can tell they changed.
    func backdate(_ dir: String) throws {
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)], ofItemAtPath: dir + "/" + f)
        }
    }

    /// Issue 25: `make evaluate` before `make submit` says what to run first (exit 2, nothing written), on the
    /// default data too (nothing generated); `HTML=` writes the evaluation page.
    func testEvaluateBeforeSubmitSaysWhatToRunFirstAndHTMLWritesThePage() throws {
        let p = try project()
        var r = try make(["evaluate"], in: p.path)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("error: no decisions at 'Data/test_decisions.csv' to evaluate: run 'make submit' first"), r.stderr)
        XCTAssertEqual(created(p), [], "nothing generated or written")
        try generate(p.path + "/my set")
        r = try make(["evaluate", "DATA=my set"], in: p.path)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("no decisions at 'out/my set/test_decisions.csv' to evaluate: run 'make submit DATA=my set' first (it trains Models/my set.json when needed"), r.stderr)
        XCTAssertEqual(created(p), ["my set"])
        r = try make(["submit", "DATA=my set", "LEARNER=thresholds", "TRAIN_FLAGS=--folds 2"], in: p.path)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        r = try make(["evaluate", "DATA=my set", "HTML=out/eval page.html"], in: p.path)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("weighted F1"), r.stdout)
        let html = try String(contentsOfFile: p.path + "/out/eval page.html")
        XCTAssertTrue(html.contains("<title>TagStack evaluation</title>") && html.contains("Reliability diagram"), "the page, with the scores' sections")
        let help = try make(["help"], in: p.path)
        XCTAssertTrue(help.stdout.contains("HTML=page.html"), help.stdout)
    }

    /// Item 5: a change of TRAIN_FLAGS (or LEARNER, SEED, GROUPS) retrains on `make submit`, and says why.
    func testSubmitRetrainsWhenTheTrainFlagsChange() throws {
        let p = try project()
        try generate(p.path + "/set")
        let first = try make(["submit", "DATA=set", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(first.stdout.contains("training Models/set.json: there is no model yet"), first.stdout)
        XCTAssertEqual(try training(p.path + "/Models/set.json")["folds"], "5")
        let flags = try make(["submit", "DATA=set", "LEARNER=thresholds", "TRAIN_FLAGS=--folds 2"], in: p.path)
        XCTAssertEqual(flags.status, 0, flags.stdout + flags.stderr)
        XCTAssertTrue(flags.stdout.contains("training Models/set.json: the flags changed (were: --learner thresholds --seed 1; now: --learner thresholds --seed 1 --folds 2)"), flags.stdout)
        XCTAssertEqual(try training(p.path + "/Models/set.json")["folds"], "2", "retrained with the new flags")
        let seed = try make(["submit", "DATA=set", "LEARNER=thresholds", "TRAIN_FLAGS=--folds 2", "SEED=3"], in: p.path)
        XCTAssertTrue(seed.stdout.contains("the flags changed"), seed.stdout)
        XCTAssertEqual(try training(p.path + "/Models/set.json")["seed"], "3")
        let groups = try make(["submit", "DATA=set", "LEARNER=thresholds", "TRAIN_FLAGS=--folds 2", "SEED=3", "GROUPS=none"], in: p.path)
        XCTAssertEqual(groups.status, 0, groups.stdout + groups.stderr)
        XCTAssertTrue(groups.stdout.contains("training Models/set.json: the groups file is now none (was "), groups.stdout)
        XCTAssertEqual(try training(p.path + "/Models/set.json")["groups"], "none")
    }

    /// Item 5: the same flags on unchanged data reuse the model, and `make submit` says which model, trained on
    /// what, when; an identical `make train` leaves the record (MODEL.flags) untouched.
    func testSubmitReusesAnUpToDateModelAndSaysWhich() throws {
        let p = try project()
        try generate(p.path + "/set")
        let first = try make(["submit", "DATA=set", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let model = p.path + "/Models/set.json", stamp = model + ".flags"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model)), time = try modified(model)
        let again = try make(["submit", "DATA=set", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("using Models/set.json (trained "), again.stdout)
        XCTAssertTrue(again.stdout.contains(" on set: labels.csv, train_X.csv, train_y.csv, train_groups.csv; flags: --learner thresholds --seed 1)"), again.stdout)
        XCTAssertFalse(again.stdout.contains("training"), again.stdout)
        XCTAssertEqual(try modified(model), time, "not retrained")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: model)), bytes)
        // An explicit `make train` always trains; the same model gives the same record, not rewritten.
        let stampTime = try modified(stamp), record = try String(contentsOfFile: stamp)
        Thread.sleep(forTimeInterval: 1.1)
        let train = try make(["train", "DATA=set", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(train.status, 0, train.stdout + train.stderr)
        XCTAssertNotEqual(try modified(model), time, "make train trains")
        XCTAssertEqual(try modified(stamp), stampTime, "the record is written only when its content changes")
        XCTAssertEqual(try String(contentsOfFile: stamp), record)
        XCTAssertEqual(created(p), ["Models", "out", "set"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.path + "/Models").sorted(), ["set.json", "set.json.flags"])
    }

    /// Item 5: a touched or rewritten train_y, another folder moved in under the same name (older files, other
    /// data), a folder of the same name elsewhere, and a model rewritten by hand all retrain on `make submit`.
    func testSubmitRetrainsWhenTheDataChange() throws {
        let p = try project()
        try generate(p.path + "/set")
        let args = ["submit", "DATA=set", "LEARNER=thresholds"]
        XCTAssertEqual(try make(args, in: p.path).status, 0)
        let model = p.path + "/Models/set.json"
        // Touched: newer than the model (make's rule).
        Thread.sleep(forTimeInterval: 1.1)
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: p.path + "/set/train_y.csv")
        let touched = try make(args, in: p.path)
        XCTAssertEqual(touched.status, 0, touched.stdout + touched.stderr)
        XCTAssertTrue(touched.stdout.contains("training Models/set.json: set/train_y.csv is newer than Models/set.json"), touched.stdout)
        XCTAssertTrue(try make(args, in: p.path).stdout.contains("using Models/set.json"))
        // Rewritten, with an old modification time: the content tells.
        let y = try String(contentsOfFile: p.path + "/set/train_y.csv")
        var lines = y.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[1] = lines[1].contains(",0") ? lines[1].replacingOccurrences(of: ",0", with: ",1") : lines[1].replacingOccurrences(of: ",1", with: ",0")
        try lines.joined(separator: "\n").write(toFile: p.path + "/set/train_y.csv", atomically: false, encoding: .utf8)
        try backdate(p.path + "/set")
        let rewritten = try make(args, in: p.path)
        XCTAssertEqual(rewritten.status, 0, rewritten.stdout + rewritten.stderr)
        XCTAssertTrue(rewritten.stdout.contains("training Models/set.json: set/train_y.csv changed since Models/set.json was trained"), rewritten.stdout)
        // Another folder (other data, older files) moved in under the same name.
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        try generate(p.path + "/other", seed: 2)
        try backdate(p.path + "/other")
        try FileManager.default.moveItem(atPath: p.path + "/set", toPath: p.path + "/set.old")
        try FileManager.default.moveItem(atPath: p.path + "/other", toPath: p.path + "/set")
        let swapped = try make(args, in: p.path)
        XCTAssertEqual(swapped.status, 0, swapped.stdout + swapped.stderr)
        XCTAssertTrue(swapped.stdout.contains("training Models/set.json: set/train_X.csv changed since Models/set.json was trained"), swapped.stdout)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: model)), before, "trained on the new data")
        // A folder of the same name elsewhere (same NAME, so the same Models/set.json): its paths differ.
        try FileManager.default.createDirectory(atPath: p.path + "/elsewhere", withIntermediateDirectories: false)
        try FileManager.default.moveItem(atPath: p.path + "/set.old", toPath: p.path + "/elsewhere/set")
        let other = try make(["submit", "DATA=elsewhere/set", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(other.status, 0, other.stdout + other.stderr)
        XCTAssertTrue(other.stdout.contains("training Models/set.json: DATA is now \(URL(fileURLWithPath: p.path).resolvingSymlinksInPath().path)/elsewhere/set"), other.stdout)
        // A model rewritten by something else than make train.
        XCTAssertEqual(try CLI.run(["train", "--data", p.path + "/set", "--model", model, "--learner", "thresholds", "--quiet"]).status, 0)
        let byHand = try make(["submit", "DATA=elsewhere/set", "LEARNER=thresholds"], in: p.path)
        XCTAssertTrue(byHand.stdout.contains("training Models/set.json: Models/set.json changed since make trained it"), byHand.stdout)
        try FileManager.default.removeItem(atPath: model + ".flags")
        let noRecord = try make(["submit", "DATA=elsewhere/set", "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(noRecord.status, 0, noRecord.stdout + noRecord.stderr)
        XCTAssertTrue(noRecord.stdout.contains("training Models/set.json: no record of how it was trained"), noRecord.stdout)
    }

    /// Item 15: DATA, MODEL (and the NAME derived from DATA) with spaces and a quote work end to end and create
    /// nothing stray.
    func testPathsWithSpacesWorkEndToEnd() throws {
        let p = try project()
        try FileManager.default.createDirectory(atPath: p.path + "/my data", withIntermediateDirectories: false)
        try generate(p.path + "/my data/set one's")
        let data = "DATA=my data/set one's"
        let own = try make(["submit", data, "MODEL=my models/m one.json", "LEARNER=thresholds", "GROUPS=my data/set one's/train_groups.csv"], in: p.path)
        XCTAssertEqual(own.status, 0, own.stdout + own.stderr)
        XCTAssertTrue(p.exists("my models/m one.json"))
        XCTAssertTrue(p.exists("out/set one's/test_decisions.csv"))
        XCTAssertTrue(p.exists("out/set one's/test_scores.csv"))
        XCTAssertEqual(try training(p.path + "/my models/m one.json")["groups"], "train_groups.csv: artist+album (43 groups)")
        let again = try make(["submit", data, "MODEL=my models/m one.json", "LEARNER=thresholds", "GROUPS=my data/set one's/train_groups.csv"], in: p.path)
        XCTAssertTrue(again.stdout.contains("using my models/m one.json (trained "), again.stdout + again.stderr)
        let evaluate = try make(["evaluate", data], in: p.path)
        XCTAssertEqual(evaluate.status, 0, evaluate.stdout + evaluate.stderr)
        XCTAssertTrue(evaluate.stdout.contains("weighted F1"), evaluate.stdout)
        // The default MODEL: Models/NAME.json, NAME with its spaces.
        let named = try make(["submit", data, "LEARNER=thresholds"], in: p.path)
        XCTAssertEqual(named.status, 0, named.stdout + named.stderr)
        XCTAssertTrue(p.exists("Models/set one's.json"))
        XCTAssertEqual(created(p), ["Models", "my data", "my models", "out"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.path + "/Models").sorted(), ["set one's.json", "set one's.json.flags"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.path + "/my models").sorted(), ["m one.json", "m one.json.flags"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.path + "/out").sorted(), ["set one's"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.path + "/my data").sorted(), ["set one's"])
    }

    /// Item 15: a DATA that names a file says so, fails, and writes nothing.
    func testDataThatIsAFileIsAnError() throws {
        let p = try project()
        try generate(p.path + "/d")
        let listing = try FileManager.default.contentsOfDirectory(atPath: p.path + "/d").sorted()
        for target in ["train", "submit", "evaluate", "data"] {
            let r = try make([target, "DATA=d/train_X.csv"], in: p.path)
            XCTAssertNotEqual(r.status, 0, target)
            XCTAssertTrue(r.stderr.contains("error: DATA 'd/train_X.csv' is a file, not a folder"), "\(target): \(r.stderr)")
            XCTAssertEqual(created(p), ["d"], "\(target): nothing created")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.path + "/d").sorted(), listing)
        }
    }

    /// `make submit` and `make evaluate` on a one-label folder (issue 22: make works on one-label folders as on
    /// the others): one decision a track, probabilities summing to one, evaluate's multiclass figures.
    func testMakeOnAOneLabelFolder() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["generate", "--one-label", "--out", p.path + "/fma", "--train", "600", "--test", "80", "--seed", "2"]).status, 0)
        let r = try make(["submit", "DATA=fma"], in: p.path)
        XCTAssertEqual(r.status, 0, r.stderr)
        let scores = try String(contentsOfFile: p.path + "/out/fma/test_scores.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        let decisions = try String(contentsOfFile: p.path + "/out/fma/test_decisions.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(scores.count, 80)
        for row in scores { XCTAssertEqual(row.split(separator: ",").dropFirst().map { Double($0)! }.reduce(0, +), 1, accuracy: 1e-12) }
        for row in decisions { XCTAssertEqual(row.split(separator: ",").dropFirst().filter { $0 == "1" }.count, 1) }
        let e = try make(["evaluate", "DATA=fma"], in: p.path)
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("accuracy"), e.stdout)
    }
}
