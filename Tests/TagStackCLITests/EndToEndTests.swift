import Foundation
import XCTest

/// The whole pipeline through the built binary on real data: train → predict → evaluate.
final class EndToEndTests: XCTestCase {
    /// scikit-learn 1.9.1 on the decisions this pipeline writes (the per-tag F1-maximising thresholds fitted on
    /// train_X/train_y, applied to test_X), from
    ///   python3 Scripts/sklearn_metrics.py real ../shared/data/jamendo-moodtheme
    /// (see MetricsTests for the other pinned values).
    let sklearnWeightedF1 = 0.20784853089360433
    let sklearnPRAUC = 0.13166632636264092

    func testThresholdsOnJamendoMatchScikitLearn() throws {
        guard let data = sharedData("jamendo-moodtheme") else {
            throw XCTSkip("../shared/data/jamendo-moodtheme is absent: skipping the real-data pipeline test")
        }
        let s = Scratch()
        var r = try CLI.run(["train", "--data", data, "--model", s.path + "/m.json", "--learner", "thresholds", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", data + "/test_X.csv",
                         "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["evaluate", "--truth", data + "/test_y.csv", "--decisions", s.path + "/d.csv",
                         "--scores", s.path + "/p.csv", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(report["weighted_f1"] as! Double, sklearnWeightedF1, accuracy: 1e-9)
        XCTAssertEqual(report["pr_auc"] as! Double, sklearnPRAUC, accuracy: 1e-9)
        for key in ["weighted_f1", "macro_f1", "micro_f1", "macro_precision", "macro_recall", "micro_precision",
                    "micro_recall", "pr_auc", "roc_auc", "log_loss"] {
            XCTAssertNotNil(report[key], key)
        }
    }

    /// generate → train (default learner) → predict → evaluate on a small generated set.
    func testGeneratedDataPipeline() throws {
        let s = Scratch()
        var r = try CLI.run(["generate", "--out", s.path + "/data", "--train", "600", "--test", "200", "--seed", "4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m.json", "--rounds", "10",
                         "--folds", "3", "--report", s.path + "/report.csv", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try String(contentsOfFile: s.path + "/report.csv", encoding: .utf8)
        XCTAssertTrue(report.hasPrefix("tag,support,oof_f1_raw,oof_f1_stacked,threshold_probability,threshold_score,path,rounds,reason\n"))
        XCTAssertEqual(report.split(separator: "\n").count, 249)
        r = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/data/test_X.csv",
                         "--decisions", s.path + "/d.csv", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try CLI.run(["evaluate", "--truth", s.path + "/data/test_y.csv", "--decisions", s.path + "/d.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("weighted F1"), r.stdout)
    }
}
