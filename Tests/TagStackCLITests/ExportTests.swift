// `tagstack export --format lightgbm`: the files, and the LightGBM text read back by a small parser that
// follows LightGBM's rules (decision_type bits, `~child` leaves, `value <= threshold` goes left), so the
// export is checked offline; Scripts/check_lightgbm_export.sh checks it with LightGBM itself.

import Foundation
import XCTest
import TagStackModel

/// A LightGBM text model, read the way LightGBM's `Tree::Tree(const char*)` reads it (numerical splits only).
struct LightGBMText {
    struct Tree { var feature: [Int], threshold: [Double], decision: [Int], left: [Int], right: [Int], leaf: [Double] }
    var header: [String: String] = [:]
    var trees: [Tree] = []
    var treeSizes: [Int] = []
    var blockSizes: [Int] = []

    init(_ text: String) throws {
        let parts = text.components(separatedBy: "\nTree=")
        for line in parts[0].split(separator: "\n") {
            if let eq = line.firstIndex(of: "=") { header[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
        }
        treeSizes = (header["tree_sizes"] ?? "").split(separator: " ").map { Int($0)! }
        for (i, part) in parts.dropFirst().enumerated() {
            // The split ate the newline that ends the previous block: a block runs from "Tree=" to the next
            // "Tree=" (its own blank line included) or to "end of trees".
            var block = "Tree=" + part
            if let end = block.range(of: "end of trees") { block = String(block[..<end.lowerBound]) } else { block += "\n" }
            blockSizes.append(block.utf8.count)
            var kv: [String: String] = [:]
            for line in block.split(separator: "\n") {
                if let eq = line.firstIndex(of: "=") { kv[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
            }
            func ints(_ k: String) -> [Int] { (kv[k] ?? "").split(separator: " ").map { Int($0)! } }
            func doubles(_ k: String) -> [Double] { (kv[k] ?? "").split(separator: " ").map { Double($0)! } }
            guard kv["Tree"] == String(i), kv["shrinkage"] == "1", kv["num_cat"] == "0" else { throw ModelError.invalid("tree \(i) header") }
            trees.append(Tree(feature: ints("split_feature"), threshold: doubles("threshold"), decision: ints("decision_type"),
                              left: ints("left_child"), right: ints("right_child"), leaf: doubles("leaf_value")))
            guard Int(kv["num_leaves"]!)! == trees[i].leaf.count else { throw ModelError.invalid("tree \(i) num_leaves") }
        }
    }

    /// LightGBM's raw score: Σ trees, with `NumericalDecision` (missing type from bits 2-3, default left bit 1).
    func rawScore(_ x: [Double]) -> Double {
        var sum = 0.0
        for t in trees {
            if t.feature.isEmpty { sum += t.leaf[0]; continue }
            var node = 0
            while node >= 0 {
                var v = x[t.feature[node]]
                let missingType = (t.decision[node] >> 2) & 3, defaultLeft = t.decision[node] & 2 != 0
                precondition(t.decision[node] & 1 == 0, "categorical split")
                if v.isNaN && missingType != 2 { v = 0 }
                if missingType == 2 && v.isNaN { node = defaultLeft ? t.left[node] : t.right[node]; continue }
                node = v <= t.threshold[node] ? t.left[node] : t.right[node]
            }
            sum += t.leaf[~node]
        }
        return sum
    }
}

final class ExportTests: XCTestCase {
    func testLightGBMExportReadsBackToTagStackScores() throws {
        for m in ["gbdt-hierarchical", "pooled-class"] { try checkExport(m) }
    }

    func checkExport(_ name: String) throws {
        let dir = Scratch()
        let model = Repo.golden.appendingPathComponent(name + ".json").path
        let input = Repo.golden.appendingPathComponent("input_X.csv").path
        let out = dir.path + "/export"
        let r = try CLI.run(["export", "--format", "lightgbm", "--model", model, "--out", out, "--features-for", input, "--allow-missing"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let desc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/features.json"))) as! [String: Any]
        let tags = desc["tags"] as! [[String: Any]]
        // Numbers read with JSONDecoder (JSONSerialization does not round-trip every double on Linux).
        struct Exact: Decodable { struct Tag: Decodable { var tag_values: [Double]?; var threshold: Double? }; var tags: [Tag] }
        let exact = try JSONDecoder().decode(Exact.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/features.json")))
        let m = try StackerModel.load(contentsOf: URL(fileURLWithPath: model))
        XCTAssertEqual(tags.count, m.tags.count)
        XCTAssertEqual(tags.filter { $0["path"] as? String == "raw" }.count, m.tags.filter { $0.path == .raw }.count, "raw tags are listed as such")
        let names = desc["feature_names"] as! [String]
        XCTAssertEqual(names.count, m.features!.count + (m.pooled?.tagFeatures.count ?? 0))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/README.txt"))

        // features.csv rows by tag.
        let text = try String(contentsOfFile: out + "/features.csv", encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.removeFirst().split(separator: ",").dropFirst(4).map(String.init)), names)
        var rows: [String: [[Double]]] = [:]
        for l in lines {
            let c = l.split(separator: ",", omittingEmptySubsequences: false)
            rows[String(c[1]), default: []].append(c.dropFirst(2).map { Double($0)! })
        }
        let scorer = try ModelScorer(model: m)
        let x = try Repo.readCSV(input)
        let swift = try scorer.score(values: x.values, columns: x.columns, threads: 1)
        var checked = 0, worst = 0.0
        for t in tags {
            guard let file = t["file"] as? String, let k = t["index"] as? Int else { continue }
            let lgb = try LightGBMText(String(contentsOfFile: out + "/" + file, encoding: .utf8))
            XCTAssertEqual(lgb.header["objective"], "binary sigmoid:1")
            XCTAssertEqual(lgb.header["version"], "v4")
            XCTAssertEqual(lgb.header["max_feature_idx"], String(names.count - 1))
            XCTAssertEqual(lgb.header["feature_names"], names.joined(separator: " "))
            XCTAssertEqual(lgb.treeSizes, lgb.blockSizes, "\(file): tree_sizes are the bytes of each Tree= block")
            XCTAssertEqual(lgb.trees.count, max((m.tags[k].booster ?? m.pooled!.booster).trees.count, 1))
            if m.tags[k].path == .pooled {
                XCTAssertEqual(file, "pooled.txt")
                XCTAssertEqual(exact.tags[k].tag_values, m.tags[k].tagValues, "tag values written exactly")
            }
            if let th = m.tags[k].threshold { XCTAssertEqual(exact.tags[k].threshold, th, "thresholds written exactly") }
            let tagRows = rows[m.tags[k].name] ?? []
            XCTAssertEqual(tagRows.count, x.ids.count)
            for (i, row) in tagRows.enumerated() {
                let raw = lgb.rawScore(Array(row.dropFirst(2))) + row[0]
                worst = max(worst, abs(raw - row[1]))
                // TagStack's raw score is the logit of its score; the probability is the score's calibration.
                XCTAssertEqual(outputProbability(sigmoid(row[1]), m.tags[k].calibration), swift.probabilities[i * m.tags.count + k], accuracy: 1e-15)
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, name)
        XCTAssertEqual(checked, m.tags.filter { $0.booster != nil || $0.path == .pooled }.count, name)
        XCTAssertLessThanOrEqual(worst, 1e-12, "\(name): LightGBM rules on the exported text give TagStack's raw scores")
    }

    func testLogisticTagsAreListedAndUsageErrors() throws {
        let dir = Scratch()
        let model = Repo.golden.appendingPathComponent("logistic-class.json").path
        var r = try CLI.run(["export", "--format", "lightgbm", "--model", model, "--out", dir.path + "/e", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let desc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/e/features.json"))) as! [String: Any]
        let tags = desc["tags"] as! [[String: Any]]
        XCTAssertTrue(tags.contains { $0["learner"] as? String == "linear" && $0["file"] == nil })
        r = try CLI.run(["export", "--format", "xgboost", "--model", model, "--out", dir.path + "/x"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--format must be lightgbm"), r.stderr)
        r = try CLI.run(["export", "--format", "lightgbm", "--model", model, "--out", dir.path + "/y",
                         "--features-for", dir.write("x.csv", "ChallengeID,foo\na,1\n")])
        XCTAssertEqual(r.status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path + "/y/features.json"), "nothing written on error")
    }
}
