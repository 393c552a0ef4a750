import Foundation
import XCTest
import TagStack

/// One label a track through the built binary: detection, the mode flag's errors, predict's outputs.
final class OneLabelCLITests: XCTestCase {
    static let y = "ChallengeID,rock,jazz,piano\n001,1,0,0\n002,0,1,0\n003,1,0,0\n004,0,0,1\n"
    static let x = "ChallengeID,rock,jazz,piano,genres-a\n001,0.9,0.1,0.2,0.8\n002,0.2,0.7,0.6,0.5\n003,0.6,0.4,0.1,0.7\n004,0.3,0.2,0.8,0.1\n"

    func testARowWithSeveralLabelsOrNoneIsAnErrorNamingItsLine() throws {
        let s = TinyData.folder()   // row 002 (line 3) has two labels
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--labels-per-track", "one", "--quiet"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("train_y.csv:3: line 3 ('002') has 2 labels"), r.stderr)
        XCTAssertFalse(s.exists("m.json"))
        let none = TinyData.folder(x: Self.x, y: "ChallengeID,rock,jazz,piano\n001,1,0,0\n002,0,1,0\n003,0,0,0\n004,0,0,1\n")
        let r2 = try CLI.run(["train", "--data", none.path, "--model", none.path + "/m.json", "--labels-per-track", "one", "--quiet"])
        XCTAssertEqual(r2.status, 1, r2.stderr)
        XCTAssertTrue(r2.stderr.contains("train_y.csv:4: line 4 ('003') has no label"), r2.stderr)
        let bad = try CLI.run(["train", "--data", none.path, "--model", none.path + "/m.json", "--labels-per-track", "two"])
        XCTAssertEqual(bad.status, 2, "a usage error")
        XCTAssertTrue(bad.stderr.contains("--labels-per-track must be one of auto|any|one"), bad.stderr)
    }

    func testDetectedOneLabelTrainsAndPredictsOneDistributionATrack() throws {
        let s = TinyData.folder(x: Self.x, y: Self.y)
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--folds", "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("labels a track: one (every row of the training labels has exactly one"), r.stdout)
        XCTAssertTrue(r.stdout.contains("one label a track (in-sample multiclass log loss"), r.stdout)
        let model = try String(contentsOfFile: s.path + "/m.json", encoding: .utf8)
        XCTAssertTrue(model.contains("\"format_version\":4") && model.contains("\"one_label\":{"), model)
        let p = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/train_X.csv",
                             "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--quiet"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let d = try String(contentsOfFile: s.path + "/d.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        let q = try String(contentsOfFile: s.path + "/p.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(d.count, 4)
        for (dl, ql) in zip(d, q) {
            let dv = dl.split(separator: ",").dropFirst().map { Int($0)! }, qv = ql.split(separator: ",").dropFirst().map { Double($0)! }
            XCTAssertEqual(dv.reduce(0, +), 1)
            XCTAssertEqual(qv.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertEqual(dv.firstIndex(of: 1), qv.firstIndex(of: qv.max()!))
        }
        // evaluate: the one-label metrics, the confusion CSV and the heat map.
        s.write("truth.csv", Self.y)
        let e = try CLI.run(["evaluate", "--truth", s.path + "/truth.csv", "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv",
                             "--confusion", s.path + "/c.csv", "--html", s.path + "/e.html"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("one label a track: accuracy"), e.stdout)
        let confusion = try String(contentsOfFile: s.path + "/c.csv", encoding: .utf8)
        XCTAssertTrue(confusion.hasPrefix("truth \\ decision,rock,jazz,piano\nrock,"), confusion)
        XCTAssertEqual(confusion.split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",").dropFirst().map { Int($0)! } }.reduce(0, +), 4)
        XCTAssertTrue(try String(contentsOfFile: s.path + "/e.html", encoding: .utf8).contains("One label a track"))
        let j = try CLI.run(["evaluate", "--truth", s.path + "/truth.csv", "--decisions", s.path + "/d.csv", "--json"])
        XCTAssertTrue(j.stdout.contains("\"one_label\":{\"accuracy\":"), j.stdout)
        // A multi-label truth has no confusion matrix: --confusion is an error.
        s.write("multi.csv", TinyData.y)
        let m = try CLI.run(["evaluate", "--truth", s.path + "/multi.csv", "--decisions", s.path + "/multi.csv", "--confusion", s.path + "/c2.csv"])
        XCTAssertEqual(m.status, 1, m.stderr)
        XCTAssertTrue(m.stderr.contains("--confusion needs one label a track"), m.stderr)
        XCTAssertFalse(s.exists("c2.csv"))
        // The training page of a one-label model, in-sample here (--folds 0), says so.
        let h = try CLI.run(["train", "--data", s.path, "--model", s.path + "/h.json", "--folds", "0", "--html", s.path + "/t.html"])
        XCTAssertEqual(h.status, 0, h.stderr)
        XCTAssertTrue(try String(contentsOfFile: s.path + "/t.html", encoding: .utf8).contains("In-sample: "))
        // --labels-per-track any: the per-tag stacker on the same files (no one_label stage).
        let any = try CLI.run(["train", "--data", s.path, "--model", s.path + "/a.json", "--folds", "0", "--labels-per-track", "any",
                               "--learner", "thresholds", "--quiet"])
        XCTAssertEqual(any.status, 0, any.stderr)
        XCTAssertFalse(try String(contentsOfFile: s.path + "/a.json", encoding: .utf8).contains("\"one_label\":"))
    }

    /// `train --html` on a one-label set: the level's candidates and the chosen stage's out-of-fold figures and
    /// confusion matrix (issue 22: "the training page shows the same out of fold").
    func testTrainingPageShowsTheOneLabelLevelAndConfusionOutOfFold() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--one-label", "--out", s.path + "/g", "--train", "600", "--test", "50", "--seed", "3"]).status, 0)
        let r = try CLI.run(["train", "--data", s.path + "/g", "--model", s.path + "/m.json", "--html", s.path + "/t.html", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = try String(contentsOfFile: s.path + "/t.html", encoding: .utf8)
        for w in ["one distribution a track, chosen once for the label set", "Out of fold: ", "confusion matrix", "multinomial", "renormalised"] {
            XCTAssertTrue(html.contains(w), "the page says '\(w)'")
        }
        XCTAssertFalse(html.contains("per-tag thresholds"), "no multi-label section on a one-label page")
    }

    /// MediaEval `.npy` in and out on a one-label set, as for the others: the same probabilities as from the CSVs.
    func testNPYOnAOneLabelFolder() throws {
        let s = Scratch(), g = s.path + "/g"
        XCTAssertEqual(try CLI.run(["generate", "--one-label", "--out", g, "--train", "500", "--test", "60", "--seed", "4"]).status, 0)
        for f in ["train_X", "train_y", "test_X"] { try PathAliasTests.writeNPY(csv: g + "/\(f).csv", to: s.path + "/\(f).npy") }
        let header = try String(contentsOfFile: g + "/train_X.csv", encoding: .utf8).split(separator: "\n")[0]
        s.write("columns.txt", header + "\n")
        let a = try CLI.run(["train", "--data", g, "--model", s.path + "/csv.json", "--quiet"])
        let b = try CLI.run(["train", "--data", g, "--train-x", s.path + "/train_X.npy", "--train-y", s.path + "/train_y.npy",
                             "--columns", s.path + "/columns.txt", "--model", s.path + "/npy.json", "--quiet"])
        XCTAssertEqual(a.status, 0, a.stderr); XCTAssertEqual(b.status, 0, b.stderr)
        let p1 = try CLI.run(["predict", "--model", s.path + "/csv.json", "--input", g + "/test_X.csv", "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--quiet"])
        let p2 = try CLI.run(["predict", "--model", s.path + "/npy.json", "--input", s.path + "/test_X.npy", "--columns", s.path + "/columns.txt",
                              "--decisions", s.path + "/d.npy", "--scores", s.path + "/p.npy", "--quiet"])
        XCTAssertEqual(p1.status, 0, p1.stderr); XCTAssertEqual(p2.status, 0, p2.stderr)
        // The same model (groups are paired by position with the .npy X), the same probabilities.
        let csv = try String(contentsOfFile: s.path + "/p.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .flatMap { $0.split(separator: ",").dropFirst().map { Double($0)! } }
        let npy = try NPY.read(path: s.path + "/p.npy")
        XCTAssertEqual(npy.values, csv)
        XCTAssertEqual(npy.rows, 60)
    }
}
