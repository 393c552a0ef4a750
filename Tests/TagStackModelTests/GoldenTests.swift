// Golden files: small models trained on generated data, their input and the outputs they must give.
// Golden/make_golden.sh regenerates them; these tests pin the model format and the scores.

import Foundation
import XCTest
@testable import TagStackModel

enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    /// Models on a few tags (every feature kind, edge rows), then on 248 tags (classes of 90, 112 and 46 tags).
    static let models = ["gbdt-hierarchical", "gbdt-all-track", "logistic-class", "thresholds", "pooled-class",
                         "gbdt-blend-track", "pooled-blend-class", "logistic-logitmean-thresholds",
                         "wide-gbdt-hierarchical", "wide-logistic-track", "wide-pooled-hierarchical"]
    /// Models written by format version 1 (`Golden/v1/`, never regenerated) with the outputs they gave then.
    static let version1Models = ["v1/gbdt-hierarchical", "v1/logistic-class",
                                 // ... and by format version 2 (`Golden/v2/`, never regenerated).
                                 "v2/pooled-class", "v2/gbdt-all-track", "v2/thresholds"]
    /// One label a track (format version 4, written only for these): trained on generated FMA-shaped data.
    static let oneLabelModels = ["one-label", "one-label-insample"]
    /// The input a golden model is scored on.
    static func input(for model: String) -> String {
        model.hasPrefix("wide-") ? "wide_input_X.csv" : model.hasPrefix("one-label") ? "one_label_input_X.csv" : "input_X.csv"
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// A CSV with `ChallengeID` then numeric columns (no quoting; an empty cell is NaN).
    static func readCSV(_ name: String) throws -> (ids: [String], columns: [String], values: [Double]) {
        let text = try String(contentsOf: url(name), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let columns = Array(lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).dropFirst().map(String.init))
        var ids: [String] = [], values: [Double] = []
        for line in lines {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            precondition(cells.count == columns.count + 1, "\(name): ragged row")
            ids.append(String(cells[0]))
            values += cells.dropFirst().map { $0.isEmpty ? .nan : Double($0)! }
        }
        return (ids, columns, values)
    }

    /// Every key path of a JSON value: arrays as `[]`, maps keyed by data (column names) as `{*}`.
    static func keyPaths(_ value: Any, _ path: String, into out: inout Set<String>) {
        if let d = value as? [String: Any] {
            let isMap = path.hasSuffix(".quantiles") || path == "training"
            for (k, v) in d {
                let p = (path.isEmpty ? "" : path + ".") + (isMap ? "{*}" : k)
                out.insert(p)
                keyPaths(v, p, into: &out)
            }
        } else if let a = value as? [Any] {
            for v in a { keyPaths(v, path + "[]", into: &out) }
        }
    }

    /// The schema snapshot: key paths of the golden models and the values of the enumerated fields.
    static func schemaSnapshot() throws -> String {
        var paths = Set<String>()
        for m in models {
            keyPaths(try JSONSerialization.jsonObject(with: Data(contentsOf: url(m + ".json"))), "", into: &paths)
        }
        var lines = paths.sorted().map { "key " + $0 }
        lines.append("format " + StackerModel.formatName)
        lines.append("path " + TagPath.allCases.map(\.rawValue).joined(separator: " "))
        lines.append("init_score " + [InitScore.baseScore, .ownLogit].map(\.rawValue).joined(separator: " "))
        lines.append("decision " + DecisionRule.allCases.map(\.rawValue).joined(separator: " "))
        lines.append("hierarchy.source " + [Hierarchy.Source.column, .maxTag].map(\.rawValue).joined(separator: " "))
        let kinds: [FeatureKind] = [.score, .logit, .classRank, .classZ, .classMax, .classMean, .gapToClassMax,
                                    .categoryMeanOthers, .categoryMaxOthers, .categoryScore, .network("NAME"), .meanQuantile]
        lines.append("per_tag " + kinds.map(\.name).joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// FNV-1a, 64 bits: pins a snapshot's text without a crypto library.
    static func fnv1a(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}

final class GoldenTests: XCTestCase {
    /// The schema hash of each format version. Changing the schema (a key, an enumerated value) changes the
    /// snapshot: then bump `StackerModel.currentFormatVersion`, regenerate the golden files, write
    /// `Golden/schema-vN.txt` (run with TAGSTACK_UPDATE_SCHEMA=1) and add its hash here. Never edit an old entry.
    static let pinnedSchemas: [Int: String] = [1: "4e0e2af0920b0bf3", 2: "95015e6e2bb01c8b", 3: "3b56b97a9aecf47c"]

    func testSchemaIsPinnedToTheFormatVersion() throws {
        let v = StackerModel.currentFormatVersion
        let snapshot = try Golden.schemaSnapshot()
        try assertSchema(snapshot, file: "schema-v\(v).txt", pinned: GoldenTests.pinnedSchemas[v],
                         "the model schema differs from Golden/schema-v\(v).txt: a format change needs a format_version bump (see docs/MODEL_FORMAT.md, Versioning)")
        for m in Golden.models {
            let model = try StackerModel.load(contentsOf: Golden.url(m + ".json"))
            XCTAssertEqual(model.formatVersion, v, "\(m): golden models are written by the current version")
        }
    }

    func testGoldenModelsReencodeToTheCommittedBytes() throws {
        for m in Golden.models {
            let data = try Data(contentsOf: Golden.url(m + ".json"))
            let model = try StackerModel.decode(from: data)
            XCTAssertEqual(try model.encoded(), data, "\(m): decode → encode must give the committed bytes")
            XCTAssertEqual(try StackerModel.decode(from: model.encoded()), model)
            XCTAssertEqual(try ModelScorer(data: data).model, model)
        }
    }

    /// The one-label golden models: version 4, the same bytes after decode → encode, their schema pinned
    /// (`Golden/schema-v4-one-label.txt`: the key paths of these models and the stage's kinds; a change
    /// needs a new format_version), scored in `testGoldenScoresAndDecisions`.
    func testOneLabelGoldenModels() throws {
        var paths = Set<String>()
        for m in Golden.oneLabelModels {
            let data = try Data(contentsOf: Golden.url(m + ".json"))
            let model = try StackerModel.decode(from: data)
            XCTAssertEqual(model.formatVersion, StackerModel.oneLabelFormatVersion)
            XCTAssertNotNil(model.oneLabel)
            XCTAssertEqual(try model.encoded(), data, "\(m): decode → encode must give the committed bytes")
            Golden.keyPaths(try JSONSerialization.jsonObject(with: data), "", into: &paths)
        }
        let snapshot = paths.filter { $0.hasPrefix("one_label") }.sorted().map { "key " + $0 }.joined(separator: "\n")
            + "\none_label.kind renormalised softmax multinomial\n"
        try assertSchema(snapshot, file: "schema-v4-one-label.txt", pinned: "f6c458ffe594d0ab",
                         "the one-label schema differs from Golden/schema-v4-one-label.txt: a format change needs a format_version bump")
    }

    /// A schema snapshot equals its committed file (rewritten with TAGSTACK_UPDATE_SCHEMA=1), whose hash is pinned:
    /// editing the file instead of bumping the format version fails.
    func assertSchema(_ snapshot: String, file name: String, pinned: String?, _ message: String,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Golden.url(name)
        if ProcessInfo.processInfo.environment["TAGSTACK_UPDATE_SCHEMA"] == "1" {
            try snapshot.write(to: url, atomically: true, encoding: .utf8)
            print("wrote \(url.path); hash \(Golden.fnv1a(snapshot))")
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(snapshot, committed, message, file: file, line: line)
        XCTAssertEqual(Golden.fnv1a(committed), pinned,
                       "Golden/\(name) was edited: a schema change needs a new format_version, not a new snapshot", file: file, line: line)
    }

    func testGoldenScoresAndDecisions() throws {
        for m in Golden.models + Golden.version1Models + Golden.oneLabelModels {
            let input = try Golden.readCSV(Golden.input(for: m))
            let scorer = try ModelScorer(contentsOf: Golden.url(m + ".json"))
            let expectedP = try Golden.readCSV(m + ".scores.csv"), expectedD = try Golden.readCSV(m + ".decisions.csv")
            XCTAssertEqual(expectedP.columns, scorer.tags)
            XCTAssertEqual(expectedP.ids, input.ids)
            for threads in [1, 2] {
                let r = try scorer.score(values: input.values, columns: input.columns, threads: threads)
                XCTAssertEqual(r.rows, input.ids.count)
                for (k, (a, b)) in zip(r.probabilities, expectedP.values).enumerated() where a.bitPattern != b.bitPattern {
                    XCTFail("\(m): row \(input.ids[k / r.tags.count]), tag \(r.tags[k % r.tags.count]): \(a) != golden \(b)"); break
                }
                XCTAssertEqual(r.decisions.map(Double.init), expectedD.values, "\(m): decisions")
            }
            // The single-row APIs give the same numbers.
            let width = input.columns.count, mapping = try scorer.columnMapping(for: input.columns)
            for i in [0, input.ids.count - 1, input.ids.count - 2] {
                let full = Array(input.values[(i * width)..<((i + 1) * width)])
                let row = mapping.map { full[$0] }
                let t = scorer.tags.count
                XCTAssertEqual(try scorer.probabilities(row: row).map(\.bitPattern),
                               expectedP.values[(i * t)..<((i + 1) * t)].map(\.bitPattern), "\(m): row \(input.ids[i])")
                let named = Dictionary(zip(input.columns, full), uniquingKeysWith: { a, _ in a })
                XCTAssertEqual(try scorer.probabilities(named: named).map(\.bitPattern), try scorer.probabilities(row: row).map(\.bitPattern))
                XCTAssertEqual(try scorer.decisions(named: named).map(Double.init), Array(expectedD.values[(i * t)..<((i + 1) * t)]))
            }
        }
    }

    func testTypedErrorsNameTheFieldOrColumn() throws {
        let data = try Data(contentsOf: Golden.url("gbdt-hierarchical.json"))
        let text = String(decoding: data, as: UTF8.self)
        // A newer format version is refused before anything else is read.
        let current = StackerModel.currentFormatVersion
        XCTAssertTrue(text.contains("\"format_version\":\(current)"))
        let newest = StackerModel.supportedFormatVersions.upperBound   // one-label models are written as 4
        let newer = text.replacingOccurrences(of: "\"format_version\":\(current)", with: "\"format_version\":\(newest + 1)")
        XCTAssertThrowsError(try StackerModel.decode(from: Data(newer.utf8))) {
            XCTAssertEqual($0 as? ModelError, .unsupportedVersion(found: newest + 1, supported: 1...newest))
        }
        // A version 1 file cannot hold a pooled tag (the path came with version 2).
        let pooled = try String(contentsOf: Golden.url("v2/pooled-class.json"), encoding: .utf8)
        XCTAssertTrue(pooled.contains("\"path\":\"pooled\""))
        let asV1 = pooled.replacingOccurrences(of: "\"format_version\":2", with: "\"format_version\":1")
        // A version 2 file cannot hold a base score or a calibration (they came with version 3).
        let blend = try String(contentsOf: Golden.url("gbdt-blend-track.json"), encoding: .utf8)
        XCTAssertThrowsError(try StackerModel.decode(from: Data(blend.replacingOccurrences(of: "\"format_version\":3", with: "\"format_version\":2").utf8))) {
            XCTAssertTrue("\($0)".contains("needs format_version 3"), "\($0)")
        }
        // A blend with a weight per source missing, or a calibration whose slope is not positive, is refused.
        var bobj = try JSONSerialization.jsonObject(with: Data(blend.utf8)) as! [String: Any]
        var base = bobj["base"] as! [String: Any]
        base["weights"] = Array((base["weights"] as! [Double]).dropLast()); bobj["base"] = base
        XCTAssertThrowsError(try StackerModel.decode(from: JSONSerialization.data(withJSONObject: bobj))) {
            XCTAssertTrue("\($0)".contains("base.weights has 1 values for 2 sources"), "\($0)")
        }
        var cobj = try JSONSerialization.jsonObject(with: Data(blend.utf8)) as! [String: Any]
        var ctags = cobj["tags"] as! [[String: Any]]
        var cal = ctags[0]["calibration"] as! [String: Any]
        cal["slope"] = -1.0; ctags[0]["calibration"] = cal; cobj["tags"] = ctags
        XCTAssertThrowsError(try StackerModel.decode(from: JSONSerialization.data(withJSONObject: cobj))) {
            XCTAssertTrue("\($0)".contains("calibration needs a finite slope > 0"), "\($0)")
        }
        XCTAssertThrowsError(try StackerModel.decode(from: Data(asV1.utf8))) {
            XCTAssertTrue("\($0)".contains("path 'pooled' needs format_version 2"), "\($0)")
        }
        // A pooled tag whose tag values do not match pooled.tag_features is refused, naming the tag.
        var pobj = try JSONSerialization.jsonObject(with: Data(pooled.utf8)) as! [String: Any]
        var ptags = pobj["tags"] as! [[String: Any]]
        let pk = ptags.firstIndex { ($0["path"] as? String) == "pooled" }!
        ptags[pk]["tag_values"] = [0.5]; pobj["tags"] = ptags
        XCTAssertThrowsError(try StackerModel.decode(from: JSONSerialization.data(withJSONObject: pobj))) {
            XCTAssertTrue("\($0)".contains("tags[\(pk)]") && "\($0)".contains("1 tag_values for 5 pooled.tag_features"), "\($0)")
        }
        // A missing field is named by its path.
        var obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var tags = obj["tags"] as! [[String: Any]]
        let k = tags.firstIndex { $0["booster"] != nil }!
        var booster = tags[k]["booster"] as! [String: Any]
        var trees = booster["trees"] as! [[String: Any]]
        trees[0].removeValue(forKey: "leaf_value")
        booster["trees"] = trees; tags[k]["booster"] = booster; obj["tags"] = tags
        XCTAssertThrowsError(try StackerModel.decode(from: JSONSerialization.data(withJSONObject: obj))) {
            XCTAssertEqual($0 as? ModelError, .missingField("tags.[\(k)].booster.trees.[0].leaf_value"))
        }
        // Input without a needed column: every absent column is named.
        let scorer = try ModelScorer(contentsOf: Golden.url("gbdt-hierarchical.json"))
        let cols = scorer.inputColumns.filter { !$0.hasPrefix("n2:") && $0 != scorer.tags[0] }
        XCTAssertThrowsError(try scorer.score(values: [Double](repeating: 0.5, count: cols.count), columns: cols)) {
            guard case let .missingColumns(names)? = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertEqual(names.first, scorer.tags[0]); XCTAssertTrue(names.contains("n2:" + scorer.tags[0]))
        }
        XCTAssertThrowsError(try scorer.probabilities(row: [0.5])) { guard case .invalid = $0 as? ModelError else { return XCTFail("\($0)") } }
    }
}

/// Acceptance: the README's Swift example (its `Package.swift` and `Sources/consumer/main.swift` blocks, read
/// from README.md) builds as a fresh package that depends only on the `TagStackModel` product, scores a
/// golden track, and reports a track that lacks columns as a handled error (exit 1), not a crash.
/// Builds a throw-away package (path dependency on this repository: works offline).
final class ConsumerPackageTests: XCTestCase {
    static let readme = (try? String(contentsOf: Golden.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md"))) ?? ""

    /// The README's ```swift block whose first line is `first`.
    static func readmeBlock(startingWith first: String) -> String? {
        for part in readme.components(separatedBy: "```swift\n").dropFirst() {
            guard let end = part.range(of: "\n```") else { continue }
            let block = String(part[..<end.lowerBound]) + "\n"
            if block.hasPrefix(first) { return block }
        }
        return nil
    }

    func testFreshPackageScoresATrack() throws {
        if ProcessInfo.processInfo.environment["TAGSTACK_SKIP_PACKAGE_TEST"] == "1" {
            throw XCTSkip("TAGSTACK_SKIP_PACKAGE_TEST=1: the consumer package is not built")
        }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swift" } + ["/opt/swift/usr/bin/swift"]
        guard let swift = path.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("no swift executable on PATH: the consumer package is not built")
        }
        let repo = Golden.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tagstack-consumer-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Sources/consumer"), withIntermediateDirectories: true)
        guard let readmeManifest = Self.readmeBlock(startingWith: "// swift-tools-version"),
              let consumerMain = Self.readmeBlock(startingWith: "// Sources/consumer/main.swift") else {
            return XCTFail("README.md lacks the Package.swift or the Sources/consumer/main.swift block of its Swift example")
        }
        // The README's manifest as written: TAGSTACK names this checkout, whatever its folder is called (here
        // not "TagStack": a clone under any name builds).
        try readmeManifest.write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try consumerMain.write(to: dir.appendingPathComponent("Sources/consumer/main.swift"), atomically: true, encoding: .utf8)

        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: args[0]); p.arguments = Array(args.dropFirst())
            p.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["TAGSTACK"] = repo.path
            p.environment = env
            let out = Pipe(); p.standardOutput = out; p.standardError = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let build = try run([swift, "build", "--jobs", "2"])
        XCTAssertEqual(build.0, 0, build.1)
        guard build.0 == 0 else { return }

        let model = Golden.url("gbdt-hierarchical.json")
        let scorer = try ModelScorer(contentsOf: model)
        let input = try Golden.readCSV("input_X.csv"), expected = try Golden.readCSV("gbdt-hierarchical.scores.csv")
        let decisions = try Golden.readCSV("gbdt-hierarchical.decisions.csv")
        let t = scorer.tags.count
        let mapping = try scorer.columnMapping(for: input.columns)
        let row = mapping.map { input.values[$0] }   // row 0, in the model's input order
        let (status, output) = try run([dir.appendingPathComponent(".build/debug/consumer").path, model.path,
                                        row.map { $0.description }.joined(separator: ",")])
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n")
        XCTAssertEqual(lines.count, t)
        for (k, line) in lines.enumerated() {
            let cells = line.split(separator: " ")
            XCTAssertEqual(String(cells[0]), scorer.tags[k])
            XCTAssertEqual(Double(cells[1]), expected.values[k], "tag \(scorer.tags[k])")
            XCTAssertEqual(Double(cells[2]), decisions.values[k])
        }
        // A track lacking columns: the example's own message and exit code 1, not an uncaught error.
        let (status2, output2) = try run([dir.appendingPathComponent(".build/debug/consumer").path, model.path, "0.5,0.5"])
        XCTAssertEqual(status2, 1, output2)
        XCTAssertTrue(output2.contains("lacks") && output2.contains("input column"), output2)
        XCTAssertFalse(output2.contains("Fatal error"), output2)
    }
}
