import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class StackerTests: XCTestCase {
    /// Generated data cut down to the tags of the first three categories of each class (about 30 tags), so
    /// that the tests run in seconds in a debug build.
    static let small: SyntheticData = try! SyntheticData.generate(SyntheticConfig(trainCount: 1500, testCount: 1000, seed: 3))
        .subset(categoriesPerClass: 3)

    func trainingData(_ s: SyntheticSplit, labels: LabelSet) throws -> TrainingData {
        TrainingData(labels: labels, x: s.X, y: s.y, groups: s.groups,
                     tagColumns: try TrainingData.requireTagColumns(x: s.X, labels: labels, path: "x"))
    }

    func options(_ learner: LearnerKind?, threads: Int = 1) -> StackerOptions {
        var o = StackerOptions()
        o.learner = learner; o.folds = 3; o.boosting.rounds = 20; o.boosting.learningRate = 0.2; o.threads = threads
        o.guards.bootstrapDraws = 100
        return o
    }

    func testDeterministicWhateverTheThreadCount() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.gbdt)
        o.decision = nil
        let one = try Stacker.train(data: data, options: o).model.encoded()
        o.threads = 2
        let two = try Stacker.train(data: data, options: o).model.encoded()
        XCTAssertEqual(one, two, "same seed, 1 vs 2 threads: byte-identical model")
        o.seed = 99
        XCTAssertNotEqual(try Stacker.train(data: data, options: o).model.encoded(), one, "the seed matters")
    }

    /// Zero rounds: a boosted tag starts from the network's logit, so its probability is the network's score
    /// (clipped to [1e-7, 1 − 1e-7]) and its decisions are the thresholds benchmark's.
    func testZeroRoundsReproduceTheBenchmark() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.gbdt)
        o.folds = 0; o.boosting.rounds = 0; o.guards.margin = -1; o.decision = .thresholds
        o.guards.minPositives = 1; o.guards.confidence = 0
        let stacked = try Stacker.train(data: data, options: o).model
        XCTAssertGreaterThan(stacked.tags.filter { $0.path == .stacked }.count, stacked.tags.count / 2)
        o.learner = .thresholds
        let bench = try Stacker.train(data: data, options: o).model
        let test = Self.small.test.X
        let a = try ModelScorer(model: stacked), b = try ModelScorer(model: bench)
        let pa = a.score(rows: test.rowCount, columns: test.columnCount, values: test.values, mapping: try a.columnMapping(for: test.columns))
        let pb = b.score(rows: test.rowCount, columns: test.columnCount, values: test.values, mapping: try b.columnMapping(for: test.columns))
        for (u, v) in zip(pa.scores, pb.scores) { XCTAssertEqual(u, min(max(v, 1e-7), 1 - 1e-7), accuracy: 1e-12) }
        XCTAssertEqual(a.decider.decide(rows: test.rowCount, scores: pa.scores),
                       b.decider.decide(rows: test.rowCount, scores: pb.scores))
    }

    /// Labels unrelated to the scores: nothing to learn, so every tag must stay on its raw score.
    func testNoiseLabelsKeepEveryTagRaw() throws {
        var data = try trainingData(Self.small.train, labels: Self.small.labels)
        var g = SplitMix64(seed: 5)
        data.y.values = data.y.values.map { _ in g.nextUnit() < 0.05 ? 1 : 0 }
        let r = try Stacker.train(data: data, options: options(.logistic))
        XCTAssertEqual(r.model.tags.filter { $0.path == .stacked }.count, 0, r.reports.filter { $0.path == .stacked }.map(\.tag).description)
        XCTAssertEqual(r.model.learner, "logistic")
    }

    /// On data with learnable structure the stacker must beat per-tag thresholds on held-out tracks.
    func testStackingBeatsThresholdsOnStructuredData() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        func testF1(_ m: StackerModel) throws -> Double {
            let s = try ModelScorer(model: m), x = Self.small.test.X
            let p = s.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try s.columnMapping(for: x.columns))
            let d = s.decider.decide(rows: x.rowCount, scores: p.scores, categoryScores: p.categoryScores)
            return try Metrics.evaluate(truth: Self.small.test.y.values, decisions: d, rowCount: x.rowCount, tags: m.labels.tags).weightedF1
        }
        var o = options(.logistic)
        o.decision = .thresholds
        let stacked = try testF1(Stacker.train(data: data, options: o).model)
        o.learner = .thresholds
        let bench = try testF1(Stacker.train(data: data, options: o).model)
        XCTAssertGreaterThan(stacked, bench + 0.005, "stacked \(stacked) vs thresholds \(bench)")
    }

    func testModelRoundTripScoresIdentically() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.gbdt)
        o.guards.margin = -1; o.guards.minPositives = 1; o.guards.confidence = 0; o.decision = .hierarchical
        let m = try Stacker.train(data: data, options: o).model
        XCTAssertEqual(m.decision, .hierarchical)
        let back = try StackerModel.decode(from: m.encoded())
        XCTAssertEqual(back, m)
        let x = Self.small.test.X
        let a = try ModelScorer(model: m), b = try ModelScorer(model: back)
        let pa = a.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try a.columnMapping(for: x.columns), threads: 2)
        let pb = b.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try b.columnMapping(for: x.columns))
        XCTAssertEqual(pa.probabilities, pb.probabilities, "bit-identical after a round trip, whatever the threads")
    }

    // MARK: - Pooled learner

    func testPooledIsDeterministicWhateverTheThreadCountAndSurvivesARoundTrip() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.pooled)
        o.decision = nil
        let one = try Stacker.train(data: data, options: o).model
        o.threads = 2
        let two = try Stacker.train(data: data, options: o).model
        XCTAssertEqual(try one.encoded(), try two.encoded(), "same seed, 1 vs 2 threads: byte-identical model")
        XCTAssertEqual(one.learner, "pooled")
        XCTAssertNotNil(one.pooled)
        XCTAssertEqual(one.formatVersion, StackerModel.currentFormatVersion)
        XCTAssertGreaterThan(one.tags.filter { $0.path == .pooled }.count, 0)
        let back = try StackerModel.decode(from: one.encoded())
        XCTAssertEqual(back, one)
        // The scorer's pooled path equals the ensemble applied by hand to features ++ tag values.
        let x = Self.small.test.X, scorer = try ModelScorer(model: back)
        let p = scorer.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try scorer.columnMapping(for: x.columns))
        var builder = try FeatureBuilder(set: back.features!, labels: back.labels, inputColumns: back.inputColumns)
        let mapping = try scorer.columnMapping(for: x.columns)
        var checked = 0
        for i in stride(from: 0, to: x.rowCount, by: 97) {
            let row = mapping.map { x.values[i * x.columnCount + $0] }
            row.withUnsafeBufferPointer { builder.prepare(row: $0) }
            for (k, t) in back.tags.enumerated() where t.path == .pooled {
                var f = [Double](repeating: 0, count: back.features!.count)
                f.withUnsafeMutableBufferPointer { builder.features(tag: k, into: $0) }
                let own = row[back.inputColumns.firstIndex(of: t.name)!]
                let raw = back.pooled!.booster.rawScore(row: f + t.tagValues!, initScore: clippedLogit(own))
                XCTAssertEqual(p.scores[i * back.tags.count + k], sigmoid(raw), accuracy: 1e-15)
                XCTAssertEqual(p.probabilities[i * back.tags.count + k], outputProbability(sigmoid(raw), t.calibration), accuracy: 1e-15)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// Zero rounds: the pooled model starts from each tag's logit, so it reproduces the network's scores.
    func testPooledZeroRoundsReproduceTheNetwork() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.pooled)
        o.folds = 0; o.boosting.rounds = 0; o.guards.margin = -1; o.guards.confidence = 0; o.decision = .thresholds
        let m = try Stacker.train(data: data, options: o).model
        XCTAssertEqual(m.pooled?.booster.trees.count, 0)
        let x = Self.small.test.X, s = try ModelScorer(model: m)
        let p = s.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try s.columnMapping(for: x.columns))
        for (k, t) in m.tags.enumerated() {
            let j = x.columns.firstIndex(of: t.name)!
            for i in 0..<x.rowCount {
                let v = x.values[i * x.columnCount + j]
                XCTAssertEqual(p.scores[i * m.tags.count + k], t.path == .raw ? v : min(max(v, 1e-7), 1 - 1e-7), accuracy: 1e-12)
            }
        }
    }

    func testPooledBeatsThresholdsOnStructuredDataAndKeepsNoiseRaw() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.pooled)
        o.decision = .thresholds; o.boosting.rounds = 100
        let r = try Stacker.train(data: data, options: o)
        let x = Self.small.test.X
        func testF1(_ m: StackerModel) throws -> Double {
            let s = try ModelScorer(model: m)
            let p = s.score(rows: x.rowCount, columns: x.columnCount, values: x.values, mapping: try s.columnMapping(for: x.columns))
            let d = s.decider.decide(rows: x.rowCount, scores: p.scores, categoryScores: p.categoryScores)
            return try Metrics.evaluate(truth: Self.small.test.y.values, decisions: d, rowCount: x.rowCount, tags: m.labels.tags).weightedF1
        }
        o.learner = .thresholds
        let bench = try testF1(Stacker.train(data: data, options: o).model)
        let pooled = try testF1(r.model)
        XCTAssertGreaterThan(pooled, bench + 0.005, "pooled \(pooled) vs thresholds \(bench)")
        XCTAssertEqual(r.reports.filter { $0.path == .pooled }.count, r.model.tags.filter { $0.path == .pooled }.count)
        // Labels unrelated to the scores: every tag stays raw.
        var noise = data
        var g = SplitMix64(seed: 5)
        noise.y.values = noise.y.values.map { _ in g.nextUnit() < 0.05 ? 1 : 0 }
        o.learner = .pooled
        let n = try Stacker.train(data: noise, options: o)
        XCTAssertEqual(n.model.tags.filter { $0.path != .raw }.count, 0, n.reports.filter { $0.path != .raw }.map(\.tag).description)
        XCTAssertNil(n.model.pooled, "no pooled tag: no shared ensemble written")
    }

    /// auto leaves out learners whose model walks more trees per track than the limit; 0 lifts it.
    func testAutoRespectsTheTreesPerTrackLimit() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(nil)   // auto
        o.candidates = [.pooled, .thresholds]      // tried simplest first whatever the order given
        o.decision = .thresholds; o.boosting.rounds = 60
        o.selection.maxTreesPerTrack = 0
        let free = try Stacker.train(data: data, options: o)
        // The pooled learner judged tag by tag, then with every tag on its pooled score (one choice for all tags).
        XCTAssertEqual(free.learnerScores.map(\.name).prefix(2), ["thresholds", "pooled"])
        XCTAssertEqual(free.chosenLearner, "pooled", "\(free.learnerScores)")
        let trees = free.level(.learner)!.treesPerTrack["pooled"]!
        let tagTrees = free.model.tags.filter { $0.path == .pooled }.count * free.model.pooled!.booster.trees.count
        XCTAssertGreaterThan(tagTrees, 0)
        XCTAssertEqual(trees, Int((Double(tagTrees) * 0.41).rounded(.up)), "a pooled tag and tree counts 0.41")
        XCTAssertEqual(free.level(.learner)!.treesPerTrack["thresholds"], 0)
        o.selection.maxTreesPerTrack = trees - 1
        let limited = try Stacker.train(data: data, options: o)
        XCTAssertEqual(limited.chosenLearner, "thresholds")
        XCTAssertTrue(limited.model.training["trees_per_track"]!.hasPrefix("thresholds=0 pooled=\(trees)"), limited.model.training["trees_per_track"]!)
        o.selection.maxTreesPerTrack = trees
        XCTAssertEqual(try Stacker.train(data: data, options: o).chosenLearner, "pooled", "the limit is inclusive")
    }

    func testPooledPairSampleKeepsPositivesAndWeighsNegatives() {
        var g = SplitMix64(seed: 8)
        let y: [[UInt8]] = (0..<7).map { _ in (0..<3000).map { _ in g.nextUnit() < 0.04 ? 1 : 0 } }
        let positives = y.reduce(0) { $0 + $1.reduce(0) { $0 + Int($1) } }
        let all = PooledLearner.samplePairs(y: y, rows: 3000, budget: 0, seed: 1)
        XCTAssertEqual(all.pairs, Array(0..<21_000))
        XCTAssertTrue(all.weights.allSatisfy { $0 == 1 })
        let s = PooledLearner.samplePairs(y: y, rows: 3000, budget: 5000, seed: 1)
        XCTAssertEqual(s.pairs, s.pairs.sorted())
        let kept = s.pairs.filter { y[$0 % 7][$0 / 7] != 0 }
        XCTAssertEqual(kept.count, positives, "every positive pair is kept")
        let rate = Double(5000 - positives) / Double(21_000 - positives)
        XCTAssertEqual(Double(s.pairs.count), 5000, accuracy: 300)
        for (p, w) in zip(s.pairs, s.weights) { XCTAssertEqual(w, y[p % 7][p / 7] != 0 ? 1 : 1 / rate, accuracy: 1e-12) }
        // The weighted count of negatives estimates the true count.
        let weighted = zip(s.pairs, s.weights).filter { y[$0.0 % 7][$0.0 / 7] == 0 }.reduce(0.0) { $0 + $1.1 }
        XCTAssertEqual(weighted, Double(21_000 - positives), accuracy: Double(21_000 - positives) * 0.05)
        XCTAssertEqual(PooledLearner.samplePairs(y: y, rows: 3000, budget: 5000, seed: 1).pairs, s.pairs, "deterministic")
        XCTAssertNotEqual(PooledLearner.samplePairs(y: y, rows: 3000, budget: 5000, seed: 2).pairs, s.pairs, "seeded")
    }

    func testPooledTagValues() throws {
        let labels = try LabelSet(tags: ["a", "b", "c"], categories: ["g1", "g1", "g2"], classes: ["K1", "K1", "K2"])
        let y: [[UInt8]] = [[1, 0, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0]]
        let raw = ScoreColumns(x: FeatureTable(ids: ["0", "1", "2", "3"], columns: [], values: []),
                               values: [[0.9, 0.1, 0.2, 0.7], [0.3, 0.2, 0.6, 0.5], [0.1, 0.1, 0.1, 0.3]])
        let v = PooledLearner.tagValues(labels: labels, y: y, base: raw, rows: [0, 1, 2, 3])
        XCTAssertEqual(PooledLearner.tagFeatureNames, ["prevalence", "class_index", "category_prevalence", "score_mean", "positive_score_mean"])
        // a: 2 of 4 tracks; class K1; category g1 has a tag on rows 0, 2 and 3; mean score; mean on positives.
        for (got, want) in zip(v[0], [0.5, 0, 0.75, 0.475, 0.8]) { XCTAssertEqual(got, want, accuracy: 1e-15) }
        XCTAssertEqual(v[1][0], 0.5); XCTAssertEqual(v[1][2], 0.75); XCTAssertEqual(v[1][4], 0.55, accuracy: 1e-15)
        XCTAssertEqual(v[2][0], 0); XCTAssertEqual(v[2][1], 1); XCTAssertEqual(v[2][2], 0)
        XCTAssertEqual(v[2][4], v[2][3], "no positive: the mean score stands in")
        // Only the given rows count.
        let w = PooledLearner.tagValues(labels: labels, y: y, base: raw, rows: [1, 2])
        XCTAssertEqual(w[0][0], 0); XCTAssertEqual(w[1][0], 0.5); XCTAssertEqual(w[0][3], 0.15, accuracy: 1e-15)
    }

    func testTooFewGroupsForFoldsIsAnError() throws {
        var data = try trainingData(Self.small.train, labels: Self.small.labels)
        data.groups = GroupTable(ids: data.x.ids, columns: ["artist"], values: [data.x.ids.map { $0 < "0000700" ? "a" : "b" }])
        XCTAssertThrowsError(try Stacker.train(data: data, options: options(.logistic))) {
            XCTAssertTrue("\($0)".contains("only 2 group"), "\($0)")
        }
    }
}
