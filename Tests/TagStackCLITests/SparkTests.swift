// Issue 23: the Spark scorer (Scripts/spark) gives exactly `tagstack predict`'s numbers, in local mode.
// One Python process and one SparkSession (Scripts/spark/check.py) run every case and report each one; this
// test trains the models, writes predict's reference outputs and the check's spec, and asserts per case.
// Skipped with a message when python3, PySpark (with pandas, pyarrow, numpy) or Java is absent
// (.ci/run installs them: Scripts/spark/install.sh).

import Foundation
import XCTest

final class SparkTests: XCTestCase {
    static let script = Repo.root.appendingPathComponent("Scripts/spark/check.py").path

    func requirements() throws -> String {
        guard let python = Repo.which("python3") else { throw XCTSkip("python3 is not installed: the Spark scorer is not checked") }
        let r = try Repo.run(python, ["-c", "import pyspark, pyarrow, pandas, numpy"])
        if r.status != 0 {
            throw XCTSkip("PySpark, pyarrow, pandas or NumPy is missing (Scripts/spark/install.sh installs them): the Spark scorer is not checked")
        }
        let javaHome = ProcessInfo.processInfo.environment["JAVA_HOME"].map { $0 + "/bin/java" }
        if Repo.which("java") == nil && !(javaHome.map { FileManager.default.isExecutableFile(atPath: $0) } ?? false) {
            throw XCTSkip("Java is not installed (Scripts/spark/install.sh installs openjdk-17-jre-headless): the Spark scorer is not checked")
        }
        return python
    }

    /// Trains `flags` on `data`, writes predict's reference outputs; returns the check's case.
    func makeCase(_ name: String, data: String, flags: [String], input: String? = nil, in dir: Scratch) throws -> [String: Any] {
        let model = dir.path + "/\(name).json"
        var r = try CLI.run(["train", "--data", data, "--model", model, "--rounds", "10", "--folds", "2", "--threads", "2", "--quiet"] + flags)
        XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
        let x = input ?? data + "/test_X.csv"
        let s = dir.path + "/\(name).scores.csv", d = dir.path + "/\(name).decisions.csv"
        r = try CLI.run(["predict", "--model", model, "--input", x, "--scores", s, "--decisions", d, "--quiet"])
        XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
        return ["name": name, "model": model, "input": x, "scores_ref": s, "decisions_ref": d]
    }

    /// The README's PySpark snippet (the ```python block after "<!-- spark-snippet -->"), with the files it names.
    func readmeSnippet(data: String, model: String, in dir: Scratch) throws -> [String: Any] {
        let readme = try String(contentsOf: Repo.root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let marker = readme.range(of: "<!-- spark-snippet -->"),
              let start = readme.range(of: "```python\n", range: marker.upperBound..<readme.endIndex),
              let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else {
            XCTFail("README.md has no ```python block after <!-- spark-snippet -->"); return [:]
        }
        let cwd = dir.path + "/snippet"
        let fm = FileManager.default
        for sub in ["Models", "Data", ".build/release", "Scripts"] { try fm.createDirectory(atPath: cwd + "/" + sub, withIntermediateDirectories: true) }
        try fm.copyItem(atPath: model, toPath: cwd + "/Models/stacker.json")
        try fm.copyItem(atPath: data + "/test_X.csv", toPath: cwd + "/Data/test_X.csv")
        try fm.createSymbolicLink(atPath: cwd + "/.build/release/tagstack", withDestinationPath: CLI.binary.path)
        try fm.createSymbolicLink(atPath: cwd + "/Scripts/spark", withDestinationPath: Repo.root.appendingPathComponent("Scripts/spark").path)
        return ["name": "README snippet", "code": String(readme[start.upperBound..<end.lowerBound]), "cwd": cwd]
    }

    func runToFiles(_ exe: String, _ args: [String], dir: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let out = dir + "/check.out", err = dir + "/check.err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle(forWritingAtPath: err)
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOfFile: out, encoding: .utf8), try String(contentsOfFile: err, encoding: .utf8))
    }

    func testSparkScorerEqualsPredictInLocalMode() throws {
        let python = try requirements()
        let dir = Scratch()
        let data = dir.path + "/gen"
        let g = try CLI.run(["generate", "--out", data, "--train", "1000", "--test", "300", "--seed", "1", "--networks", "1"])
        XCTAssertEqual(g.status, 0, g.stderr)
        // IDs with leading zeros and a quoted comma stay as they are (a copy of the test rows with such IDs).
        var lines = try String(contentsOfFile: data + "/test_X.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        for i in 1..<lines.count {
            let comma = lines[i].firstIndex(of: ",")!
            lines[i] = (i == 1 ? "\"0003524,b\"" : String(format: "%07d", i)) + lines[i][comma...]
        }
        let zeroIDs = dir.write("ids_X.csv", lines.joined(separator: "\n") + "\n")

        var cases: [[String: Any]] = []
        let kinds: [(String, [String])] = [
            ("thresholds", ["--learner", "thresholds"]),
            ("logistic-platt", ["--learner", "logistic", "--calibration", "platt", "--margin", "-1"]),
            ("gbdt-hierarchical", ["--learner", "gbdt", "--decision", "hierarchical", "--margin", "-1"]),
            ("pooled-blend", ["--learner", "pooled", "--base", "blend", "--margin", "-1"]),
            ("logistic-shared", ["--learner", "logistic", "--calibration", "shared", "--margin", "-1"]),
        ]
        // Generated data: each kind through Spark with both engines (the NumPy port and the binary), and the
        // NumPy port without Spark; the shared sets: score.py's default engine, and the NumPy port without Spark.
        for (name, flags) in kinds {
            var c = try makeCase("gen-" + name, data: data, flags: flags, in: dir)
            c["direct"] = true
            for engine in ["numpy", "binary"] {
                var e = c
                e["name"] = "gen-\(name) [\(engine)]"
                e["engine"] = engine
                if engine == "binary" { e["direct"] = false }
                cases.append(e)
            }
        }
        cases[0]["rerun"] = true
        var zero = try makeCase("gen-ids", data: data, flags: ["--learner", "thresholds"], input: zeroIDs, in: dir)
        zero["extra"] = []
        cases.append(zero)
        for engine in ["numpy", "binary"] {
            var parquet = cases.first { $0["name"] as? String == "gen-gbdt-hierarchical [\(engine)]" }!
            parquet["name"] = "gen-gbdt-hierarchical [\(engine)] (Parquet input)"
            parquet["to_parquet"] = true
            parquet["direct"] = false
            cases.append(parquet)
        }
        // The other writer: the scored DataFrame persisted and written by Spark's own Parquet writer.
        var sparkWriter = cases.first { $0["name"] as? String == "gen-logistic-platt [numpy]" }!
        sparkWriter["name"] = "gen-logistic-platt [numpy] (--writer spark)"
        sparkWriter["extra"] = ["--writer", "spark"]
        sparkWriter["direct"] = false
        sparkWriter["rerun"] = true
        cases.append(sparkWriter)
        for set in ["jamendo-moodtheme", "jamendo-blend"] {
            guard let shared = sharedData(set) else { print("note: ../shared/data/\(set) is absent: its Spark cases are skipped"); continue }
            for (name, flags) in kinds where set == "jamendo-blend" || name != "pooled-blend" {
                var c = try makeCase(set + "-" + name, data: shared, flags: flags, in: dir)
                c["direct"] = true
                cases.append(c)
            }
        }
        // One label a track (format version 4): the shared one-label set, when present.
        if let shared = sharedData("jamendo-one-label") {
            var c = try makeCase("jamendo-one-label", data: shared, flags: ["--labels-per-track", "one", "--learner", "thresholds"], in: dir)
            c["direct"] = true
            cases.append(c)
        } else { print("note: ../shared/data/jamendo-one-label is absent: the one-label Spark cases are skipped") }

        // One refusal per kind: missing columns, a column of the wrong type, a null cell, an empty CSV cell, text
        // in a number column, a model the binary refuses.
        let model = cases[0]["model"] as! String
        let header = lines[0].split(separator: ",").map(String.init)
        let dropped = header[3]
        func csvWith(_ name: String, _ edit: (inout [[String]]) -> Void) -> String {
            var rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            rows[1] = ["0001"] + rows[1].dropFirst(2)   // the quoted ID: one cell again
            edit(&rows)
            return dir.write(name, rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
        }
        let missing = csvWith("missing_X.csv") { rows in for i in rows.indices { rows[i].remove(at: 3) } }
        let empty = csvWith("empty_X.csv") { rows in rows[5][4] = "" }
        let text = csvWith("text_X.csv") { rows in rows[7][2] = "abc" }
        let invalid = Repo.invalidModels.appendingPathComponent("tree-threshold-null.json").path
        var refusals: [[String: Any]] = [
            ["name": "missing column", "model": model, "input": missing, "expect": "lacks 1 column(s) the model needs: '\(dropped)'"],
            ["name": "empty CSV cell", "model": model, "input": empty, "expect": "empty cell in column '\(header[4])'"],
            ["name": "not a number", "model": model, "input": text, "expect": "'abc' is not a number (column '\(header[2])'"],
            ["name": "wrong dtype (Parquet)", "model": model, "input": data + "/test_X.csv", "to_parquet": "bool:" + header[5],
             "expect": "column '\(header[5])' has type boolean"],
            ["name": "null cell (Parquet)", "model": model, "input": data + "/test_X.csv", "to_parquet": "null:" + header[6],
             "expect": "null or NaN cell in column '\(header[6])'"],
            ["name": "model refused (numpy engine, in the driver)", "model": invalid, "input": data + "/test_X.csv", "expect": "threshold",
             "engine": "numpy"],
            ["name": "model refused by tagstack (binary engine)", "model": invalid, "input": data + "/test_X.csv", "expect": "threshold",
             "engine": "binary"],
        ]
        // An output dataset (a folder --overwrite replaces) must not be, hold or lie inside an input or the other
        // output: refused before Spark starts, the named files left as they were.
        let lake = dir.path + "/lake", tools = dir.path + "/tools"
        try FileManager.default.createDirectory(atPath: lake, withIntermediateDirectories: true)
        dir.write("lake/part-0.parquet", "not read: refused before")
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.binary.path, toPath: tools + "/tagstack")
        let x = data + "/test_X.csv"
        func overlap(_ name: String, _ paths: [String: String], input: String? = nil, expect: String) -> [String: Any] {
            var c: [String: Any] = ["name": name, "model": model, "input": input ?? x, "expect": expect]
            for (k, v) in paths { c[k] = v }
            return c
        }
        refusals += [
            overlap("--scores is the --input", ["scores": x], expect: "--scores would overwrite or hold the --input"),
            overlap("--decisions holds the --input", ["decisions": data], expect: "--decisions would overwrite or hold the --input"),
            overlap("--scores inside the --input dataset", ["scores": lake + "/scores"], input: lake,
                    expect: "--scores would overwrite or hold the --input"),
            overlap("--decisions is the --model", ["decisions": model], expect: "--decisions would overwrite or hold the --model"),
            overlap("--scores holds the --binary", ["scores": tools, "binary": tools + "/tagstack"],
                    expect: "--scores would overwrite or hold the --binary"),
            overlap("--scores and --decisions the same", ["scores": dir.path + "/same", "decisions": dir.path + "/same"],
                    expect: "--scores and --decisions name the same dataset"),
            overlap("--decisions inside --scores", ["scores": dir.path + "/outer", "decisions": dir.path + "/outer/d"],
                    expect: "--scores and --decisions name the same dataset"),
        ]
        var spec: [String: Any] = ["master": "local[2]", "binary": CLI.binary.path, "work": dir.path, "cases": cases, "refusals": refusals]
        var snippet = try readmeSnippet(data: data, model: model, in: dir)
        snippet["scores_ref"] = cases[0]["scores_ref"]
        snippet["decisions_ref"] = cases[0]["decisions_ref"]
        spec["snippet"] = snippet
        let specPath = dir.path + "/spec.json"
        try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: specPath))

        let started = Date()
        // Output to files, not pipes: Spark logs much on stderr, and a full pipe would stall the check.
        let r = try runToFiles(python, [Self.script, specPath], dir: dir.path)
        var seen = Set<String>()
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("RESULT ") {
            let o = try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as! [String: Any]
            let name = o["name"] as! String, ok = o["ok"] as! Bool
            seen.insert(name)
            print("spark check \(name): \(ok ? "ok" : "FAILED") (\(o["seconds"] ?? "?") s) \(o["detail"] ?? "")")
            XCTAssertTrue(ok, "\(name): \(o["detail"] ?? "")")
        }
        print("spark checks: \(seen.count) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s (one Spark session)")
        let direct = cases.filter { $0["direct"] as? Bool == true }.map { ($0["name"] as! String) + " [numpy direct]" }
        let expected = ["session", "README snippet"] + cases.map { $0["name"] as! String } + direct + refusals.map { $0["name"] as! String }
        for name in expected where !seen.contains(name) {
            XCTFail("\(name): no result (check.py exit \(r.status)): \(r.stderr.suffix(2000))")
        }
    }
}
