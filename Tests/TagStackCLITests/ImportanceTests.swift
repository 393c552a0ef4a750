import Foundation
import XCTest
import TagStackModel

/// `train --importance FILE` (issue 25 item 1): per tag, split counts of boosted and pooled trees and logistic
/// coefficients, read from the model written; the LightGBM export's `feature_importances:` equal to them.
final class ImportanceTests: XCTestCase {
    struct Row: Hashable { var tag: String; var input: String; var kind: String; var value: Double }

    func read(_ path: String) throws -> [Row] {
        let lines = try String(contentsOfFile: path).split(separator: "\n")
        XCTAssertEqual(lines.first, "tag,input,kind,value")
        // Generated names hold no comma or quote except the "(all tags)" tag, written bare.
        return lines.dropFirst().map { l in
            let c = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Row(tag: c[0], input: c[1], kind: c[2], value: Double(c[3])!)
        }
    }

    func testImportanceOfEveryLearnerAndTheExportsFeatureImportances() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "300", "--test", "20", "--seed", "4"]).status, 0)
        for learner in ["gbdt", "pooled", "logistic"] {
            let m = s.path + "/\(learner).json", imp = s.path + "/\(learner).csv"
            let r = try CLI.run(["train", "--data", s.path + "/data", "--model", m, "--learner", learner, "--folds", "0", "--margin", "-1",
                                 "--rounds", "15", "--importance", imp, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let model = try StackerModel.load(contentsOf: URL(fileURLWithPath: m))
            let rows = try read(imp)
            let set = model.features!
            for t in model.tags {
                let all = rows.filter { $0.tag == t.name }
                let mine = all.filter { $0.kind != "gain" }, gain = all.filter { $0.kind == "gain" }
                switch t.path {
                case .stacked where t.booster != nil:
                    XCTAssertEqual(mine.map(\.input), set.names, t.name)
                    XCTAssertEqual(Int(mine.map(\.value).reduce(0, +)), t.booster!.trees.map(\.splitFeature.count).reduce(0, +), t.name)
                    checkGain(gain, split: mine, t.name)
                case .stacked:
                    let w = t.linear!.weights
                    XCTAssertEqual(mine.filter { $0.kind == "coefficient" }.map(\.value), w, t.name)
                    XCTAssertEqual(mine.filter { $0.kind == "coefficient_per_unit" }.map(\.value), zip(w, t.linear!.scales).map { $0 / $1 }, t.name)
                case .pooled:
                    XCTAssertEqual(mine.map(\.input), set.names + model.pooled!.tagFeatures.map { "tag:" + $0 }, t.name)
                    XCTAssertEqual(Int(mine.map(\.value).reduce(0, +)), model.pooled!.booster.trees.map(\.splitFeature.count).reduce(0, +))
                    checkGain(gain, split: mine, t.name)
                case .raw:
                    XCTAssertTrue(mine.isEmpty, t.name)
                }
            }
            let learned = model.tags.filter { $0.path != .raw }
            XCTAssertGreaterThan(learned.count, 0, learner)
            XCTAssertEqual(Set(rows.map(\.tag)), Set(learned.map(\.name) + ["(all tags)"]), learner)
            XCTAssertEqual(Set(rows.map(\.kind)), learner == "logistic" ? ["coefficient", "coefficient_per_unit", "mean_abs_coefficient"] : ["split", "gain"])
            guard learner != "logistic" else { continue }
            // The export's feature_importances: LightGBM's split importance, equal to ours, non-empty.
            let out = s.path + "/export-\(learner)"
            let e = try CLI.run(["export", "--format", "lightgbm", "--model", m, "--out", out])
            XCTAssertEqual(e.status, 0, e.stderr)
            let desc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/features.json"))) as! [String: Any]
            let lightGBMNames = desc["feature_names"] as! [String]
            var checked = 0
            for (k, t) in model.tags.enumerated() where t.path != .raw {
                let file = t.path == .pooled ? "pooled.txt" : String(format: "%03d_", k) + t.name + ".txt"
                let text = try String(contentsOfFile: out + "/" + file)
                let part = text.components(separatedBy: "feature_importances:\n")[1].components(separatedBy: "\n\nparameters:")[0]
                let exported = part.split(separator: "\n").map(String.init)
                XCTAssertFalse(exported.isEmpty, "\(file): feature_importances is empty")
                let ours = rows.filter { $0.tag == t.name && $0.kind == "split" }.enumerated().filter { $0.element.value > 0 }
                    .sorted { $0.element.value != $1.element.value ? $0.element.value > $1.element.value : $0.offset < $1.offset }
                    .map { "\(lightGBMNames[$0.offset])=\(Int($0.element.value))" }
                XCTAssertEqual(exported, ours, file)
                checked += 1
            }
            XCTAssertEqual(checked, learned.count)
        }
    }

    /// `--permutation-repeats`: the out-of-fold permutation importance of each input group in the CSV (kinds
    /// permutation_*, over all tags and per learned tag), the --json summary, the text summary and the page; the
    /// page says how to get it when it was not asked for.
    func testPermutationImportanceInTheCSVTheSummariesAndThePage() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "400", "--test", "20", "--seed", "4"]).status, 0)
        let m = s.path + "/m.json", imp = s.path + "/imp.csv", page = s.path + "/page.html"
        let r = try CLI.run(["train", "--data", s.path + "/data", "--model", m, "--learner", "logistic", "--folds", "3", "--margin", "-1",
                             "--confidence", "0", "--permutation-repeats", "2", "--importance", imp, "--html", page, "--json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let model = try StackerModel.load(contentsOf: URL(fileURLWithPath: m))
        let learned = model.tags.filter { $0.path != .raw }.map(\.name)
        XCTAssertGreaterThan(learned.count, 0)
        let rows = try read(imp).filter { $0.kind.hasPrefix("permutation") }
        let groups = ["own score", "row statistics", "category score"]
        let all = rows.filter { $0.tag == "(all tags)" }
        XCTAssertEqual(Set(all.map(\.input)), Set(groups), "\(all)")
        XCTAssertEqual(Set(all.map(\.kind)), ["permutation_log_loss", "permutation_log_loss_std", "permutation_weighted_f1", "permutation_weighted_f1_std"])
        XCTAssertEqual(Set(rows.map(\.tag)), Set(learned + ["(all tags)"]))
        for tag in learned {
            XCTAssertEqual(rows.filter { $0.tag == tag }.count, groups.count * 4, tag)
        }
        let own = try XCTUnwrap(all.first { $0.input == "own score" && $0.kind == "permutation_log_loss" })
        XCTAssertGreaterThan(own.value, 0, "shuffling a logistic model's own score raises its log loss")
        // The (all tags) log-loss rise is the tags' rises summed over every tag of the model (mean over tags).
        for g in groups {
            let perTag = rows.filter { $0.tag != "(all tags)" && $0.input == g && $0.kind == "permutation_log_loss" }.map(\.value).reduce(0, +)
            let overall = all.first { $0.input == g && $0.kind == "permutation_log_loss" }!.value
            XCTAssertEqual(overall, perTag / Double(model.tags.count), accuracy: 1e-9 + 1e-6 * abs(overall), g)
        }
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let p = try XCTUnwrap(json["permutation_importance"] as? [String: Any])
        XCTAssertEqual(p["reproduces_training"] as? Bool, true)
        XCTAssertEqual(p["repeats"] as? Int, 2)
        XCTAssertEqual((p["groups"] as? [[String: Any]])?.compactMap { $0["group"] as? String }.sorted(), groups.sorted())
        let html = try String(contentsOfFile: page)
        XCTAssertTrue(html.contains("What stacking learned from") && html.contains("out-of-fold scores exactly"), "the page's permutation section")
        // The text summary names it; without the option the page says how to get it and --json has no entry.
        let text = try CLI.run(["train", "--data", s.path + "/data", "--model", m, "--learner", "logistic", "--folds", "3",
                                "--permutation-repeats", "1", "--quiet"])
        XCTAssertTrue(text.stdout.contains("permutation importance (logistic"), text.stdout)
        let plain = try CLI.run(["train", "--data", s.path + "/data", "--model", m, "--learner", "logistic", "--folds", "3",
                                 "--html", page, "--json", "--quiet"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertNil((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as! [String: Any])["permutation_importance"])
        XCTAssertTrue(try String(contentsOfFile: page).contains("--permutation-repeats 5"))
    }

    /// Gain rows: one per input, in the split rows' order, positive only on inputs split on, some positive.
    func checkGain(_ gain: [Row], split: [Row], _ tag: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(gain.map(\.input), split.map(\.input), tag, file: file, line: line)
        guard gain.count == split.count else { return }
        for (g, s) in zip(gain, split) {
            XCTAssertTrue(g.value >= 0 && (g.value == 0 || s.value > 0), "\(tag) \(g.input): gain \(g.value), splits \(s.value)", file: file, line: line)
        }
        if split.contains(where: { $0.value > 0 }) { XCTAssertGreaterThan(gain.map(\.value).reduce(0, +), 0, tag, file: file, line: line) }
    }
}
