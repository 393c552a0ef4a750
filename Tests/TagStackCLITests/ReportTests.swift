import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `train --html` and `evaluate --html` through the binary: one self-contained page each (no script, no
/// external resource), at least three plots, every SVG well-formed XML. (Scripts/render_check.sh renders
/// both in headless Chromium.)
final class ReportTests: XCTestCase {
    final class Collector: NSObject, XMLParserDelegate {
        var elements = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) { elements += 1 }
    }

    /// Every `<svg>…</svg>` of a page.
    func svgs(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let a = rest.range(of: "<svg"), let b = rest.range(of: "</svg>", range: a.upperBound..<rest.endIndex) {
            out.append(String(rest[a.lowerBound..<b.upperBound])); rest = rest[b.upperBound...]
        }
        return out
    }

    func assertPage(_ path: String, minimumPlots: Int, contains words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let html = try String(contentsOfFile: path)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), file: file, line: line)
        XCTAssertFalse(html.lowercased().contains("<script"), "no script", file: file, line: line)
        for external in ["src=", "<link", "@import", "url(", "@font-face"] {
            XCTAssertFalse(html.contains(external), "self-contained: no \(external)", file: file, line: line)
        }
        let plots = svgs(html)
        XCTAssertGreaterThanOrEqual(plots.count, minimumPlots, file: file, line: line)
        for (k, svg) in plots.enumerated() {
            let parser = XMLParser(data: Data(svg.utf8))
            let c = Collector()
            parser.delegate = c
            XCTAssertTrue(parser.parse(), "SVG \(k) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")", file: file, line: line)
            XCTAssertGreaterThan(c.elements, 10, file: file, line: line)
            XCTAssertTrue(svg.contains("<title>"), file: file, line: line)
        }
        for w in words { XCTAssertTrue(html.contains(w), "page mentions '\(w)'", file: file, line: line) }
    }

    func testTrainAndEvaluatePagesAreSelfContainedWithWellFormedPlots() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "300", "--test", "120", "--seed", "2"]).status, 0)
        let train = try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m.json", "--learner", "thresholds,logistic",
                                 "--folds", "3", "--html", s.path + "/train.html", "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        try assertPage(s.path + "/train.html", minimumPlots: 3,
                       contains: ["Learner: out-of-fold weighted F1", "Calibration: out-of-fold log loss", "Reliability of the out-of-fold probabilities",
                                  "F1 against threshold", "Per tag (by support)", "Per class and category", "logistic", "base score F1"])
        let p = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/data/test_X.csv",
                             "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--quiet"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let e = try CLI.run(["evaluate", "--truth", s.path + "/data/test_y.csv", "--decisions", s.path + "/d.csv",
                             "--scores", s.path + "/p.csv", "--html", s.path + "/eval.html"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("weighted F1"), "the usual summary is still printed")
        try assertPage(s.path + "/eval.html", minimumPlots: 4,
                       contains: ["Precision–recall curves", "Reliability diagram", "Tags per track: predicted vs true", "PR-AUC"])
        // Without scores: the curves section says why, the rest is there.
        XCTAssertEqual(try CLI.run(["evaluate", "--truth", s.path + "/data/test_y.csv", "--decisions", s.path + "/d.csv",
                                    "--html", s.path + "/eval2.html"]).status, 0)
        try assertPage(s.path + "/eval2.html", minimumPlots: 2, contains: ["No --scores given"])
    }

    /// Issue 25 item 3, read off the training page: the header names every margin; each level is a dot plot with
    /// its chosen candidate marked and its margin drawn as a band; the support axis is labelled 1, 10, 100; the
    /// reliability table counts every (track, tag) pair; the reason column is in words; per class counts
    /// stacked and pooled tags apart; the importance section is there; and train's calibration line prints its margin.
    func testTrainingPageReadsAtAGlance() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "300", "--test", "20", "--seed", "2"]).status, 0)
        let train = try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m.json", "--learner", "thresholds,logistic",
                                 "--folds", "3", "--html", s.path + "/train.html"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("calibration (out-of-fold log loss, lower is better, Platt replaces none when lower, the shared slope must beat Platt by > 0.0010): "), train.stdout)
        let html = try String(contentsOfFile: s.path + "/train.html")
        for m in ["<dt>margins</dt><dd>", "learner 0.003; decision rule 0.0005; calibration 0.001; per tag, stacked over base score (--margin) 0.005</dd>"] {
            XCTAssertTrue(html.contains(m), "the header names each margin: \(m)")
        }
        let plots = svgs(html)
        let levels = plots.filter { $0.contains("candidate; chosen: ") }
        XCTAssertGreaterThanOrEqual(levels.count, 3, "one dot plot per level: learner, decision rule, calibration (and the base score)")
        for svg in levels {
            XCTAssertEqual(svg.components(separatedBy: "class=\"chosen\"").count - 1, 1, "exactly one chosen candidate marked")
            XCTAssertTrue(svg.contains(" chosen</text>"), "the chosen one labelled")
            XCTAssertEqual(svg.contains("; margin "), svg.contains("fill=\"#ffd54f\""), "a level with a margin draws it as a band")
        }
        XCTAssertTrue(levels.filter { $0.contains("fill=\"#ffd54f\"") }.count >= 3, "learner, rule and calibration have bands")
        guard let gain = plots.first(where: { $0.contains("F1 gain against support") }) else { return XCTFail("no gain plot") }
        for tick in [">1<", ">10<", ">100<"] { XCTAssertTrue(gain.contains(tick), "support axis tick \(tick)") }
        XCTAssertFalse(gain.contains(">2<") || gain.contains(">3<"), "ticks are counts, not their log10")
        // The reliability table: every (track, tag) pair in one bin (300 tracks × 248 tags).
        guard let a = html.range(of: "<th>pairs (calibrated)</th>"), let b = html.range(of: "</table>", range: a.upperBound..<html.endIndex) else {
            return XCTFail("no reliability bin table")
        }
        let counts = html[a.upperBound..<b.lowerBound].components(separatedBy: "<tr><td>").dropFirst().compactMap { row -> Int? in
            guard let c = row.range(of: "<td class=\"n\">"), let e = row.range(of: "</td>", range: c.upperBound..<row.endIndex) else { return nil }
            return Int(row[c.upperBound..<e.lowerBound])
        }
        XCTAssertEqual(counts.reduce(0, +), 300 * 248, "bin counts: \(counts)")
        XCTAssertFalse(html.contains("base: base"), "the reason column reads in words")
        XCTAssertTrue(html.contains("<th>on the base score</th><th>stacked</th><th>pooled</th>"), "per class: stacked and pooled apart")
        XCTAssertTrue(html.contains("the model file&#39;s path raw"), "the base score is named, not called the network's raw score")
        XCTAssertFalse(html.contains("network&#39;s raw score"))
        XCTAssertTrue(html.contains("threshold_score (on the score before calibration)"), "the threshold axis says its scale")
        let page = try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m2.json", "--learner", "logistic",
                                "--folds", "3", "--html", s.path + "/t2.html", "--quiet"])
        XCTAssertEqual(page.status, 0, page.stderr)
        let t2 = try String(contentsOfFile: s.path + "/t2.html")
        XCTAssertTrue(t2.contains("<h2>What the models learned from</h2>") && t2.contains("<th>input group</th>") && t2.contains("own score"),
                      "importance over all tags and by input group")
    }

    func testHTMLOutputErrorsBeforeWork() throws {
        let s = TinyData.folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds",
                             "--html", s.path + "/missing/t.html", "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("does not exist"), r.stderr)
        XCTAssertFalse(s.exists("m.json"), "failed before training")
    }

    func testFoldsZeroPageSaysInSample() throws {
        let s = TinyData.folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--folds", "0",
                             "--html", s.path + "/t.html", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = try String(contentsOfFile: s.path + "/t.html")
        XCTAssertTrue(html.contains("in-sample: --folds 0"), "the title does not claim out-of-fold figures")
        try assertPage(s.path + "/t.html", minimumPlots: 3, contains: ["no cross-validation"])
    }

    /// The training summary on stdout says what it decided and labels in-sample figures as such.
    func testTrainingSummarySaysWhyAndLabelsInSampleFigures() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "300", "--test", "20", "--seed", "2", "--networks", "1"]).status, 0)
        var r = try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m.json", "--learner", "logistic", "--folds", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for w in ["folds: 3, grouped by " + s.path + "/data/train_groups.csv (artist, album: ", "groups of rows)",
                  "base score (out-of-fold weighted F1", "primary ", "mean ", "logit_mean ", "blend ", "blend weights (one per network, shared by every tag): primary ",
                  "learner (out-of-fold weighted F1", "decision rule (out-of-fold", "calibration (out-of-fold log loss", "tag(s) calibrated", "paths: "] {
            XCTAssertTrue(r.stdout.contains(w), "summary says '\(w)':\n\(r.stdout)")
        }
        XCTAssertFalse(r.stdout.contains("in-sample"), r.stdout)
        r = try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m.json", "--learner", "logistic", "--folds", "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("every score below is in-sample"), r.stdout)
        // No figure labelled out-of-fold; without folds the base level keeps the primary network and says why.
        XCTAssertFalse(r.stdout.contains("out-of-fold"), r.stdout)
        XCTAssertTrue(r.stdout.contains("base score (in-sample weighted F1, higher is better): primary "), r.stdout)
        XCTAssertTrue(r.stdout.contains("→ primary (no cross-validated evidence"), r.stdout)
        XCTAssertTrue(r.stdout.contains("learner (in-sample weighted F1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("calibration (in-sample log loss"), r.stdout)
    }

    /// Progress names the learner running and counts its tags (not tags × learners), with that learner's ETA.
    func testProgressCountsTheRunningLearnersTags() throws {
        let s = TinyData.folder()
        var env = ProcessInfo.processInfo.environment
        env["TAGSTACK_PROGRESS_DELAY"] = "-1"
        let r = try CLI.run(executable: CLI.binary, ["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds,logistic",
                                                      "--folds", "2", "--no-groups", "--progress"], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("learner 1/2 thresholds: tags 3/3"), r.stderr)
        XCTAssertTrue(r.stderr.contains("learner 2/2 logistic: tags "), r.stderr)
        XCTAssertTrue(r.stderr.contains("this learner's ETA"), r.stderr)
        XCTAssertFalse(r.stderr.contains("tags 6/6"), "tags are counted per learner: \(r.stderr)")
        // Before the last learner starts, an overall ETA from the counted work at the run's measured pace.
        XCTAssertTrue(r.stderr.contains("learner 1/2 thresholds: tags 1/3") && r.stderr.contains("overall ETA ~")
                      && r.stderr.contains("(1 more learner: counted work at this run's pace)"), r.stderr)
        // The pooled learner counts its boosting rounds (5 rounds × (2 folds + the refit)), with the overall ETA
        // once it is the last learner.
        let pooled = try CLI.run(executable: CLI.binary, ["train", "--data", s.path, "--model", s.path + "/p.json", "--learner", "pooled",
                                                           "--folds", "2", "--no-groups", "--rounds", "5", "--progress"], environment: env)
        XCTAssertEqual(pooled.status, 0, pooled.stderr)
        XCTAssertTrue(pooled.stderr.contains("pooled: rounds ") && pooled.stderr.contains("/15  elapsed"), pooled.stderr)
        XCTAssertTrue(pooled.stderr.contains("rounds 15/15"), pooled.stderr)
    }
}
