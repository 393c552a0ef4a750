import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class MetricsTests: XCTestCase {
    // MARK: - sklearn fixtures

    /// Tests/TagStackTests/Fixtures/metrics/cases.json, written by
    /// `/tmp/skl-venv/bin/python Scripts/sklearn_metrics.py fixtures Tests/TagStackTests/Fixtures/metrics/cases.json`
    /// (scikit-learn 1.9.1, numpy 2.4.6).
    struct FixtureFile: Decodable {
        var sklearn_version: String
        var cases: [FixtureCase]
    }
    struct FixtureCase: Decodable {
        var name: String
        var rows: Int
        var tags: [String]
        var truth: [UInt8]
        var decisions: [UInt8]
        var scores: [Double]?
        var expected: [String: Double?]
        var per_tag: [ExpectedTag]
    }
    struct ExpectedTag: Decodable {
        var support, tp, fp, fn: Int
        var precision, recall, f1: Double
        var roc_auc, pr_auc, log_loss: Double?
    }

    static func loadFixtures() throws -> FixtureFile {
        guard let url = Bundle.module.url(forResource: "cases", withExtension: "json", subdirectory: "Fixtures/metrics") else {
            throw XCTSkip("fixture Fixtures/metrics/cases.json missing from the test bundle")
        }
        return try JSONDecoder().decode(FixtureFile.self, from: Data(contentsOf: url))
    }

    func testMatchesSklearnOnFixtureCases() throws {
        let file = try Self.loadFixtures()
        XCTAssertEqual(file.sklearn_version, "1.9.1")
        XCTAssertGreaterThanOrEqual(file.cases.count, 6)
        var worst = 0.0
        for c in file.cases {
            let r = try Metrics.evaluate(truth: c.truth, decisions: c.decisions, scores: c.scores,
                                         rowCount: c.rows, tags: c.tags)
            let got = try Self.jsonObject(r.withoutPerTag())
            for (key, want) in c.expected {
                if let want {
                    guard let g = got[key] as? Double else { XCTFail("\(c.name): \(key) missing"); continue }
                    XCTAssertEqual(g, want, accuracy: 1e-12, "\(c.name): \(key)")
                    worst = max(worst, abs(g - want))
                } else {
                    XCTAssertNil(got[key], "\(c.name): \(key) should be absent (undefined in sklearn)")
                }
            }
            let rows = r.perTag!
            XCTAssertEqual(rows.count, c.per_tag.count)
            for (j, (g, w)) in zip(rows, c.per_tag).enumerated() {
                let at = "\(c.name) tag \(j)"
                XCTAssertEqual([g.support, g.tp, g.fp, g.fn], [w.support, w.tp, w.fp, w.fn], at)
                XCTAssertEqual(g.precision, w.precision, accuracy: 1e-12, at)
                XCTAssertEqual(g.recall, w.recall, accuracy: 1e-12, at)
                XCTAssertEqual(g.f1, w.f1, accuracy: 1e-12, at)
                for (name, gv, wv) in [("roc_auc", g.rocAUC, w.roc_auc), ("pr_auc", g.prAUC, w.pr_auc),
                                       ("log_loss", g.logLoss, w.log_loss)] {
                    XCTAssertEqual(gv == nil, wv == nil, "\(at) \(name)")
                    if let gv, let wv { XCTAssertEqual(gv, wv, accuracy: 1e-12, "\(at) \(name)"); worst = max(worst, abs(gv - wv)) }
                }
            }
        }
        print("MetricsTests: largest |TagStack − sklearn \(file.sklearn_version)| over the fixture cases: \(worst)")
    }

    // MARK: - Real data (jamendo-moodtheme), pinned sklearn values

    func testMatchesSklearnOnJamendoMoodtheme() throws {
        guard let dir = sharedDataFolder("jamendo-moodtheme") else {
            throw XCTSkip("../shared/data/jamendo-moodtheme not found next to the package; real-data metrics test skipped")
        }
        let labels = try MewoIO.readLabels(path: dir + "/labels.csv")
        func load(_ split: String) throws -> (scores: [Double], truth: LabelMatrix) {
            let x = try MewoIO.readFeatures(path: dir + "/\(split)_X.csv")
            let y = try MewoIO.readLabelMatrix(path: dir + "/\(split)_y.csv", labels: labels, alignTo: x.ids)
            let cols = try labels.tags.map { tag -> Int in
                guard let k = x.columnIndex(tag) else { throw XCTSkip("\(split)_X.csv lacks a column for \(tag)") }
                return k
            }
            var s = [Double](repeating: 0, count: x.rowCount * cols.count)
            for i in 0..<x.rowCount { for (j, k) in cols.enumerated() { s[i * cols.count + j] = x[i, k] } }
            return (s, y)
        }
        let test = try load("test"), train = try load("train")
        let n = test.truth.rowCount, t = labels.count
        XCTAssertEqual(n, 1668); XCTAssertEqual(t, 56)

        // Case (a): decisions score >= 0.2. Values from (sklearn 1.9.1, numpy 2.4.6):
        //   /tmp/skl-venv/bin/python Scripts/sklearn_metrics.py real ../shared/data/jamendo-moodtheme   [threshold_0.2]
        let fixed = LabelMatrix(ids: test.truth.ids, tags: labels.tags, values: test.scores.map { $0 >= 0.2 ? 1 : 0 })
        let a = try Metrics.evaluate(truth: test.truth, decisions: fixed, scores: test.scores)
        XCTAssertEqual(a.predicted, 35049)
        // The decision metrics, in this order, of a report against scikit-learn's figures, and its score
        // metrics (the same scores in both cases).
        func checkDecisionMetrics(_ r: MetricsReport, _ want: [Double], _ context: String) {
            let got: [(String, Double?)] = [
                ("weighted_f1", r.weightedF1), ("macro_f1", r.macroF1), ("micro_f1", r.microF1),
                ("macro_precision", r.macroPrecision), ("macro_recall", r.macroRecall),
                ("micro_precision", r.microPrecision), ("micro_recall", r.microRecall),
            ]
            XCTAssertEqual(got.count, want.count)
            for ((name, g), w) in zip(got, want) { XCTAssertEqual(g ?? .nan, w, accuracy: 1e-9, "\(context): \(name)") }
            let scoreMetrics: [(String, Double?, Double)] = [
                ("pr_auc", r.prAUC, 0.13166632636264092), ("roc_auc", r.rocAUC, 0.7616581055972234),
                ("log_loss", r.logLoss, 0.25453023435296446),
            ]
            for (name, g, w) in scoreMetrics { XCTAssertEqual(g ?? .nan, w, accuracy: 1e-9, "\(context): \(name)") }
        }
        checkDecisionMetrics(a, [0.15516264976041005, 0.10010097392616212, 0.12661825071045152, 0.055573075368727576,
                                 0.6751307469117914, 0.06864675169049046, 0.8142131979695432], "score >= 0.2")
        XCTAssertEqual(a.prAUCTags, 56); XCTAssertEqual(a.rocAUCTags, 56)

        // Case (b): per-tag F1 thresholds searched on train, applied to test. Same command [search_on_train];
        // the script re-implements the search rule in numpy (56 thresholds, none "never", sum 20.70727949999999).
        let th = ThresholdSearch.best(scores: train.scores, labels: train.truth.values, rowCount: train.truth.rowCount, tagCount: t)
        XCTAssertTrue(th.allSatisfy { $0.threshold != nil })
        XCTAssertEqual(th.compactMap(\.threshold).reduce(0, +), 20.70727949999999, accuracy: 1e-12)
        XCTAssertEqual(th[0].threshold!, 0.2983995, accuracy: 1e-15)
        let searched = LabelMatrix(ids: test.truth.ids, tags: labels.tags,
                                   values: ThresholdSearch.decisions(scores: test.scores, thresholds: th.map(\.threshold), rowCount: n))
        let b = try Metrics.evaluate(truth: test.truth, decisions: searched, scores: test.scores)
        XCTAssertEqual(b.predicted, 12402)
        checkDecisionMetrics(b, [0.20784853089360433, 0.14962008645369473, 0.15588982223090447, 0.11949544340345317,
                                 0.3604371143776647, 0.0965166908563135, 0.4050761421319797], "searched thresholds")
    }

    // MARK: - Invariants

    static func randomCase(rows n: Int, tags t: Int, seed: UInt64) -> (y: [UInt8], d: [UInt8], s: [Double]) {
        var g = SplitMix64(seed: seed)
        var y: [UInt8] = [], d: [UInt8] = [], s: [Double] = []
        let prev = (0..<t).map { j in j == 1 ? 0.0 : 0.05 + 0.5 * g.nextUnit() }
        for _ in 0..<n {
            for j in 0..<t {
                let pos = g.nextUnit() < prev[j]
                let score = ((min(1, g.nextUnit() * 0.7 + (pos ? 0.3 : 0))) * 20).rounded() / 20
                y.append(pos ? 1 : 0); s.append(score); d.append(score >= 0.5 ? 1 : 0)
            }
        }
        return (y, d, s)
    }

    func testRowOrderDoesNotMatter() throws {
        let n = 120, t = 5
        let (y, d, s) = Self.randomCase(rows: n, tags: t, seed: 11)
        var g = SplitMix64(seed: 12)
        let perm = Array(0..<n).shuffled(using: &g)
        func permuted<T>(_ a: [T]) -> [T] { perm.flatMap { i in a[(i * t)..<(i * t + t)] } }
        let tags = (0..<t).map { "t\($0)" }
        let r1 = try Metrics.evaluate(truth: y, decisions: d, scores: s, rowCount: n, tags: tags)
        let r2 = try Metrics.evaluate(truth: permuted(y), decisions: permuted(d), scores: permuted(s), rowCount: n, tags: tags)
        // Counts and per-tag AUCs are exact; averages are sums in tag order, so equal too.
        XCTAssertEqual(r1.perTag!.map(\.rocAUC), r2.perTag!.map(\.rocAUC))
        XCTAssertEqual(r1.perTag!.map(\.prAUC), r2.perTag!.map(\.prAUC))
        XCTAssertEqual(r1.weightedF1, r2.weightedF1)
        XCTAssertEqual(r1.microF1, r2.microF1)
        XCTAssertEqual(r1.rocAUC, r2.rocAUC)
        XCTAssertEqual(r1.prAUC, r2.prAUC)
        XCTAssertEqual(r1.logLoss!, r2.logLoss!, accuracy: 1e-14)   // row sums in another order
    }

    func testPerfectPredictionsGiveOne() throws {
        var (y, _, _) = Self.randomCase(rows: 60, tags: 4, seed: 3)
        for i in 0..<60 { y[i * 4 + 1] = i % 3 == 0 ? 1 : 0 }   // make every tag have support
        let s = y.map(Double.init)
        let r = try Metrics.evaluate(truth: y, decisions: y, scores: s, rowCount: 60, tags: ["a", "b", "c", "d"])
        for v in [r.weightedF1, r.macroF1, r.microF1, r.macroPrecision, r.macroRecall, r.microPrecision, r.microRecall,
                  r.prAUC!, r.rocAUC!] { XCTAssertEqual(v, 1) }
        XCTAssertEqual(r.logLoss!, -log(1 - Double.ulpOfOne))   // every probability clipped to 1 − ε
    }

    func testAllZeroDecisionsGiveZero() throws {
        let (y, _, _) = Self.randomCase(rows: 50, tags: 4, seed: 4)
        let r = try Metrics.evaluate(truth: y, decisions: [UInt8](repeating: 0, count: y.count), rowCount: 50,
                                     tags: ["a", "b", "c", "d"])
        for v in [r.weightedF1, r.macroF1, r.microF1, r.macroPrecision, r.macroRecall, r.microPrecision, r.microRecall] {
            XCTAssertEqual(v, 0)
        }
        XCTAssertNil(r.prAUC); XCTAssertNil(r.rocAUC); XCTAssertNil(r.logLoss)
    }

    func testWeightedF1IgnoresTagsWithoutSupport() throws {
        let (y, d, _) = Self.randomCase(rows: 40, tags: 3, seed: 5)
        let base = try Metrics.evaluate(truth: y, decisions: d, rowCount: 40, tags: ["a", "b", "c"])
        // Append a tag with no support but many predictions: weighted F1 unchanged, macro F1 pulled down.
        var y2: [UInt8] = [], d2: [UInt8] = []
        for i in 0..<40 {
            y2 += y[(i * 3)..<(i * 3 + 3)] + [0]
            d2 += d[(i * 3)..<(i * 3 + 3)] + [UInt8(i % 2)]
        }
        let more = try Metrics.evaluate(truth: y2, decisions: d2, rowCount: 40, tags: ["a", "b", "c", "z"])
        XCTAssertEqual(more.weightedF1, base.weightedF1, accuracy: 1e-15)
        XCTAssertEqual(more.macroF1, base.macroF1 * 3 / 4, accuracy: 1e-15)
        XCTAssertEqual(more.perTag![3].f1, 0)
        XCTAssertEqual(more.perTag![3].precision, 0)
    }

    func testJSONKeys() throws {
        let (y, d, s) = Self.randomCase(rows: 30, tags: 3, seed: 6)
        let withScores = try Self.jsonObject(try Metrics.evaluate(truth: y, decisions: d, scores: s, rowCount: 30,
                                                                   tags: ["a", "b", "c"]).withoutPerTag())
        let summary: Set = ["weighted_f1", "macro_f1", "micro_f1", "macro_precision", "macro_recall",
                            "micro_precision", "micro_recall", "rows", "tags", "support", "predicted"]
        XCTAssertEqual(Set(withScores.keys),
                       summary.union(["pr_auc", "roc_auc", "log_loss", "pr_auc_tags", "roc_auc_tags"]))
        let plain = try Metrics.evaluate(truth: y, decisions: d, rowCount: 30, tags: ["a", "b", "c"])
        XCTAssertEqual(Set(try Self.jsonObject(plain.withoutPerTag()).keys), summary)
        XCTAssertEqual(Set(try Self.jsonObject(plain).keys), summary.union(["per_tag"]))
        let table = plain.perTagTable().split(separator: "\n")
        XCTAssertEqual(table.count, 4)
        XCTAssertTrue(table[0].hasPrefix("tag "))
    }

    func testErrorsNameTheBadInput() {
        let m = LabelMatrix(ids: ["1", "2"], tags: ["a", "b"], values: [0, 1, 1, 0])
        XCTAssertThrowsError(try Metrics.evaluate(truth: m, decisions: LabelMatrix(ids: ["1", "2"], tags: ["a", "c"], values: [0, 1, 1, 0]))) {
            XCTAssertEqual($0 as? MetricsError, .tagMismatch(index: 1, truth: "b", decisions: "c"))
        }
        XCTAssertThrowsError(try Metrics.evaluate(truth: m, decisions: LabelMatrix(ids: ["1", "3"], tags: ["a", "b"], values: [0, 1, 1, 0]))) {
            XCTAssertEqual($0 as? MetricsError, .rowMismatch(index: 1, truth: "2", decisions: "3"))
        }
        XCTAssertThrowsError(try Metrics.evaluate(truth: m, decisions: m, scores: [0, 0.5, .nan, 1])) {
            XCTAssertEqual($0 as? MetricsError, .nanScore(row: 1, tag: 0))
        }
        XCTAssertThrowsError(try Metrics.evaluate(truth: m, decisions: m, scores: [0, 0.5])) {
            XCTAssertEqual($0 as? MetricsError, .shapeMismatch(what: "scores", expected: 4, found: 2))
        }
        XCTAssertThrowsError(try Metrics.evaluate(truth: [0, 2], decisions: [0, 1], rowCount: 1, tags: ["a", "b"])) {
            XCTAssertEqual($0 as? MetricsError, .notBinary(what: "truth", row: 0, tag: 1, value: 2))
        }
        XCTAssertThrowsError(try Metrics.evaluate(truth: [], decisions: [], rowCount: 0, tags: ["a"])) {
            XCTAssertEqual($0 as? MetricsError, .empty(rows: 0, tags: 1))
        }
    }

    func testSingleColumnPrimitivesAtTheEdges() {
        XCTAssertNil(Metrics.rocAUC(labels: [1, 1], scores: [0.2, 0.3]))        // no negative
        XCTAssertNil(Metrics.rocAUC(labels: [0, 0], scores: [0.2, 0.3]))        // no positive
        XCTAssertNil(Metrics.averagePrecision(labels: [0, 0], scores: [0.2, 0.3]))
        XCTAssertEqual(Metrics.rocAUC(labels: [1, 0], scores: [0.5, 0.5]), 0.5)  // a tie counts one half
        XCTAssertEqual(Metrics.averagePrecision(labels: [1, 0], scores: [0.5, 0.5]), 0.5)
        XCTAssertEqual(Metrics.averagePrecision(labels: [1, 1], scores: [0.2, 0.3]), 1)
        // Clipping: p = 0 for a positive costs −log(ε), not infinity.
        XCTAssertEqual(Metrics.logLoss(labels: [1], scores: [0]), -log(Double.ulpOfOne))
        XCTAssertNil(Metrics.logLoss(labels: [UInt8](), scores: [Double]()))
    }

    // MARK: - Helpers

    static func jsonObject(_ r: MetricsReport) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
    }
}
