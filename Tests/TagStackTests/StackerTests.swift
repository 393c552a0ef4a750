import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class StackerTests: XCTestCase {
    /// Generated data cut down to the tags of the first three categories of each class (about 30 tags), so
    /// that the tests run in seconds in a debug build.
    static let small: SyntheticData = {
        let full = try! SyntheticData.generate(SyntheticConfig(trainCount: 1500, testCount: 1000, seed: 3))
        let l = full.labels
        var keepCats = Set<String>()
        for members in l.tagIndicesByClass {
            var cats: [String] = []
            for k in members where !cats.contains(l.tagCategories[k]) { cats.append(l.tagCategories[k]) }
            keepCats.formUnion(cats.prefix(3))
        }
        let keep = l.tags.indices.filter { keepCats.contains(l.tagCategories[$0]) }
        let labels = try! LabelSet(tags: keep.map { l.tags[$0] }, categories: keep.map { l.tagCategories[$0] },
                                   classes: keep.map { l.tagClasses[$0] })
        func cut(_ s: SyntheticSplit) -> SyntheticSplit {
            let cols = s.X.columns.indices.filter { labels.tags.contains(s.X.columns[$0]) || keepCats.contains(s.X.columns[$0]) }
            let x = FeatureTable(ids: s.X.ids, columns: cols.map { s.X.columns[$0] },
                                 values: (0..<s.X.rowCount).flatMap { i in cols.map { s.X[i, $0] } })
            let y = LabelMatrix(ids: s.y.ids, tags: labels.tags, values: (0..<s.y.rowCount).flatMap { i in keep.map { s.y[i, $0] } })
            return SyntheticSplit(X: x, y: y, groups: s.groups)
        }
        return SyntheticData(config: full.config, labels: labels, train: cut(full.train), test: cut(full.test))
    }()

    func trainingData(_ s: SyntheticSplit, labels: LabelSet) throws -> TrainingData {
        TrainingData(labels: labels, x: s.X, y: s.y, groups: s.groups,
                     tagColumns: try TrainingData.requireTagColumns(x: s.X, labels: labels, path: "x"))
    }

    func options(_ learner: LearnerKind, threads: Int = 1) -> StackerOptions {
        var o = StackerOptions()
        o.learner = learner; o.folds = 3; o.rounds = 20; o.learningRate = 0.2; o.threads = threads
        o.bootstrapDraws = 100
        return o
    }

    func testDeterministicWhateverTheThreadCount() throws {
        let data = try trainingData(Self.small.train, labels: Self.small.labels)
        var o = options(.gbdt)
        o.decision = .auto
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
        o.folds = 0; o.rounds = 0; o.margin = -1; o.decision = .thresholds
        o.minPositives = 1; o.confidence = 0
        let stacked = try Stacker.train(data: data, options: o).model
        XCTAssertGreaterThan(stacked.tags.filter { $0.path == .stacked }.count, stacked.tags.count / 2)
        o.learner = .thresholds
        let bench = try Stacker.train(data: data, options: o).model
        let test = Self.small.test.X
        let a = try ModelScorer(model: stacked), b = try ModelScorer(model: bench)
        let pa = a.score(rows: test.rowCount, columns: test.columnCount, values: test.values, mapping: try a.columnMapping(for: test.columns))
        let pb = b.score(rows: test.rowCount, columns: test.columnCount, values: test.values, mapping: try b.columnMapping(for: test.columns))
        for (u, v) in zip(pa.probabilities, pb.probabilities) { XCTAssertEqual(u, min(max(v, 1e-7), 1 - 1e-7), accuracy: 1e-12) }
        XCTAssertEqual(a.decider.decide(rows: test.rowCount, probabilities: pa.probabilities),
                       b.decider.decide(rows: test.rowCount, probabilities: pb.probabilities))
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
            let d = s.decider.decide(rows: x.rowCount, probabilities: p.probabilities, categoryScores: p.categoryScores)
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
        o.margin = -1; o.minPositives = 1; o.confidence = 0; o.decision = .hierarchical
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

    func testTooFewGroupsForFoldsIsAnError() throws {
        var data = try trainingData(Self.small.train, labels: Self.small.labels)
        data.groups = GroupTable(ids: data.x.ids, columns: ["artist"], values: [data.x.ids.map { $0 < "0000700" ? "a" : "b" }])
        XCTAssertThrowsError(try Stacker.train(data: data, options: options(.logistic))) {
            XCTAssertTrue("\($0)".contains("only 2 group"), "\($0)")
        }
    }
}
