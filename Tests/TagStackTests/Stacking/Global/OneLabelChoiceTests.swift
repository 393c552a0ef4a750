import Foundation
import XCTest
import TagStackModel
@testable import TagStack

/// One label a track (Stacking/Global/OneLabelChoice.swift): mode detection, the level's choice, the model's
/// probabilities and decisions, determinism.
final class OneLabelChoiceTests: XCTestCase {
    /// `rows` tracks, `labels` labels, one label a track (skewed frequencies), two networks (the primary and
    /// `n2:`) whose sigmoid scores favour the true label, 40 artists.
    static func data(rows: Int = 600, labels: Int = 6, seed: UInt64 = 7) throws -> TrainingData {
        var g = SplitMix64(seed: seed)
        let tags = (0..<labels).map { "g\($0)" }
        let set = try LabelSet(tags: tags, categories: tags.map { _ in "genre" }, classes: tags.map { _ in "Genres" })
        let columns = tags + tags.map { "n2:" + $0 }
        var values: [Double] = [], y = [UInt8](repeating: 0, count: rows * labels), artists: [String] = []
        for i in 0..<rows {
            let artist = i % 40
            // Skewed classes; an artist's tracks lean to one label.
            let c = g.nextUnit() < 0.5 ? artist % labels : min(Int(-log(max(g.nextUnit(), 1e-9)) * 1.5), labels - 1)
            y[i * labels + c] = 1
            artists.append("a\(artist)")
            for shift in [1.5, 0.8] {
                for k in 0..<labels { values.append(sigmoid(-2 + (k == c ? shift : 0) + g.nextGaussian())) }
            }
        }
        let ids = (0..<rows).map { String(format: "t%04d", $0) }
        let x = FeatureTable(ids: ids, columns: columns, values: values)
        return TrainingData(labels: set, x: x, y: LabelMatrix(ids: ids, tags: tags, values: y),
                            groups: GroupTable(ids: ids, columns: ["artist"], values: [artists]),
                            tagColumns: Array(0..<labels))
    }

    func options(threads: Int = 1) -> StackerOptions {
        var o = StackerOptions()
        o.folds = 3; o.threads = threads
        return o
    }

    func testDetectsOneLabelDataAndWritesOneDistributionATrack() throws {
        let data = try Self.data()
        XCTAssertNil(data.firstRowNotOneLabel)
        XCTAssertTrue(try Stacker.isOneLabel(data, options()))
        let r = try Stacker.train(data: data, options: options())
        let model = r.model
        XCTAssertNotNil(model.oneLabel)
        XCTAssertEqual(model.formatVersion, StackerModel.oneLabelFormatVersion)
        XCTAssertEqual(r.levels.map(\.name), ["one label a track"])
        XCTAssertTrue(r.levels[0].lowerIsBetter)
        XCTAssertTrue(r.levels[0].candidates.map(\.name).contains("network weights"))
        XCTAssertTrue(r.levels[0].candidates.contains { $0.name.hasPrefix("multinomial (L2 ") })
        // The model round-trips and scores rows into probabilities that sum to one, one decision a track.
        let decoded = try StackerModel.decode(from: model.encoded())
        XCTAssertEqual(decoded, model)
        let scorer = try ModelScorer(model: decoded)
        let test = try Self.data(rows: 200, seed: 8)
        let b = try scorer.score(values: test.x.values, columns: test.x.columns, threads: 1)
        let t = data.labels.count
        var correct = 0
        for i in 0..<b.rows {
            let p = Array(b.probabilities[(i * t)..<((i + 1) * t)]), d = Array(b.decisions[(i * t)..<((i + 1) * t)])
            XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 <= 1 })
            XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertEqual(d.reduce(0) { $0 + Int($1) }, 1)
            XCTAssertEqual(d.firstIndex(of: 1), p.firstIndex(of: p.max()!))
            if test.labelColumns[d.firstIndex(of: 1)!][i] == 1 { correct += 1 }
        }
        XCTAssertGreaterThan(Double(correct) / Double(b.rows), 0.4, "the networks favour the true label")
        // Better than the class prior on the held-out rows.
        let classes = (0..<b.rows).map { i in Int32((0..<t).first { test.labelColumns[$0][i] == 1 }!) }
        let prior = (0..<t).map { k in Double(data.labelColumns[k].reduce(0) { $0 + Int($1) }) / Double(data.x.rowCount) }
        XCTAssertLessThan(Metrics.multiclassLogLoss(probabilities: b.probabilities, labels: t, classes: classes),
                          Metrics.multiclassLogLoss(probabilities: Array((0..<b.rows).map { _ in prior }.joined()), labels: t, classes: classes))
    }

    func testDeterministicWhateverTheThreadCount() throws {
        let data = try Self.data()
        let one = try Stacker.train(data: data, options: options(threads: 1)).model.encoded()
        let two = try Stacker.train(data: data, options: options(threads: 2)).model.encoded()
        XCTAssertEqual(one, two, "same data and seed, 1 vs 2 threads: byte-identical model")
    }

    func testModeFlag() throws {
        var data = try Self.data(rows: 120)
        var o = options()
        o.labelsPerTrack = .any
        XCTAssertFalse(try Stacker.isOneLabel(data, o))
        // A second label on row 5: auto stacks per tag, one refuses naming the row.
        data.labelColumns[(data.labelColumns.firstIndex { $0[5] == 0 })!][5] = 1
        XCTAssertEqual(data.firstRowNotOneLabel?.row, 5)
        XCTAssertEqual(data.firstRowNotOneLabel?.labels, 2)
        o.labelsPerTrack = .auto
        XCTAssertFalse(try Stacker.isOneLabel(data, o))
        o.labelsPerTrack = .one
        XCTAssertThrowsError(try Stacker.isOneLabel(data, o)) { XCTAssertTrue("\($0)".contains("row 6 ('t0005') has 2 labels"), "\($0)") }
    }

    /// The standard error of a paired difference: rows clustered by unit.
    func testPairedDifference() {
        let a = [1.0, 1.0, 2.0, 2.0], b = [0.0, 0.0, 2.0, 2.0]
        let rows = OneLabelChoice.pairedDifference(a, b, units: nil)
        XCTAssertEqual(rows.difference, 0.5, accuracy: 1e-15)
        // Per row d = 1, 1, 0, 0: Σ (d − 0.5)² = 1, × 4/3, sqrt / 4.
        XCTAssertEqual(rows.error, (4.0 / 3).squareRoot() / 4, accuracy: 1e-15)
        let clustered = OneLabelChoice.pairedDifference(a, b, units: [0, 0, 1, 1])
        // Units: sums 2 and 0, sizes 2 and 2: Σ (d_g − 2 · 0.5)² = 2, × 2/1, sqrt / 4.
        XCTAssertEqual(clustered.error, 4.0.squareRoot() / 4, accuracy: 1e-15)
    }

    /// Temperature scaling's fitted weight zeroes the gradient of the training log loss.
    func testSoftmaxFitIsAtTheMinimum() throws {
        let data = try Self.data()
        let c = FoldContext(data: data, options: options(), fold: nil, features: nil)
        let x = try OneLabelChoice.prepare(c)
        let rows = c.allRows
        for biases in [false, true] {
            let theta = OneLabelChoice.minimiseSoftmax(x.sourceLogits, x, rows: rows, biases: biases)
            var g = [Double](repeating: 0, count: theta.count)
            _ = OneLabelChoice.softmaxObjective(theta, &g, logits: x.sourceLogits, labels: x.labels, classes: x.classes, rows: rows, biases: biases)
            XCTAssertLessThan(g.map(abs).max()!, 1e-3 * Double(rows.count), "gradient at the fit, biases \(biases)")
        }
        let w = OneLabelChoice.minimiseMultinomial(x, rows: rows, lambda: 10, start: [])
        var g = [Double](repeating: 0, count: w.count)
        _ = OneLabelChoice.multinomialObjective(w, &g, x, rows: rows, lambda: 10)
        XCTAssertLessThan(g.map(abs).max()!, 1e-2 * Double(rows.count), "multinomial gradient at the fit")
    }
}
