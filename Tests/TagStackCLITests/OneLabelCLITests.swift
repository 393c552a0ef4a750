import Foundation
import XCTest

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
        // The training page does not show one-label models yet: said, before any work, nothing written.
        let h = try CLI.run(["train", "--data", s.path, "--model", s.path + "/h.json", "--folds", "0", "--html", s.path + "/t.html"])
        XCTAssertEqual(h.status, 2, h.stderr)
        XCTAssertTrue(h.stderr.contains("--html: the training page does not show one-label models yet"), h.stderr)
        XCTAssertFalse(s.exists("h.json") || s.exists("t.html"))
        // --labels-per-track any: the per-tag stacker on the same files (no one_label stage).
        let any = try CLI.run(["train", "--data", s.path, "--model", s.path + "/a.json", "--folds", "0", "--labels-per-track", "any",
                               "--learner", "thresholds", "--quiet"])
        XCTAssertEqual(any.status, 0, any.stderr)
        XCTAssertFalse(try String(contentsOfFile: s.path + "/a.json", encoding: .utf8).contains("\"one_label\":"))
    }
}
