@testable import TagStack
import TagStackModel
import XCTest

final class BoostingTests: XCTestCase {
    func testZeroRoundsReturnInitialScoresExactly() throws {
        let d = ToyData(rows: 300, cols: 4, seed: 1)
        let m = try d.matrix()
        var rng = SplitMix64(seed: 2)
        let initial = (0..<d.rows).map { _ in rng.nextDouble() * 6 - 3 }
        let model = try trainBinary(matrix: m, labels: d.y, initScores: initial, parameters: BoostingParameters(numRounds: 0))
        XCTAssertEqual(model.trees.count, 0)
        XCTAssertEqual(model.baseScore, 0)
        XCTAssertEqual(model.ensemble.rawScores(values: d.x, rowCount: d.rows, columnCount: d.cols, initScores: initial), initial)
    }

    func testInitialScoresAreBoostedFrom() throws {
        // Initial scores that already hold most of the signal: boosting from them must beat the same
        // number of rounds from the prior, and the model must need them (baseScore 0).
        let d = ToyData(rows: 2000, cols: 4, seed: 3)
        let m = try d.matrix()
        let initial = (0..<d.rows).map { r in 4 * (d.x[r * 4] - 0.5) }
        let p = BoostingParameters(numLeaves: 4, learningRate: 0.1, numRounds: 5)
        let withInit = try trainBinary(matrix: m, labels: d.y, initScores: initial, parameters: p)
        let fromPrior = try trainBinary(matrix: m, labels: d.y, parameters: p)
        XCTAssertEqual(withInit.baseScore, 0)
        let a = withInit.ensemble.rawScores(values: d.x, rowCount: d.rows, columnCount: 4, initScores: initial)
        let b = fromPrior.ensemble.rawScores(values: d.x, rowCount: d.rows, columnCount: 4)
        XCTAssertLessThan(logLossMean(a, d.y), logLossMean(b, d.y))
        XCTAssertLessThan(logLossMean(a, d.y), logLossMean(initial, d.y))
    }

    func testRoundsWithoutASplitStillCalibrateTheStart() throws {
        // Features that allow no split (min 20 rows a leaf on 30 rows) and a start far from the labels' rate
        // (p = 0.5 against 10 % positives): each round is a constant tree taking its Newton step, so the
        // model ends calibrated; stopping at the first round without a split would leave p = 0.5.
        var d = ToyData(rows: 30, cols: 2, seed: 5)
        d.y = (0..<d.rows).map { $0 % 10 == 0 ? 1 : 0 }
        let initial = [Double](repeating: 0, count: d.rows)
        let p = BoostingParameters(numLeaves: 4, minDataInLeaf: 20, learningRate: 0.3, numRounds: 60)
        let model = try trainBinary(matrix: try d.matrix(), labels: d.y, initScores: initial, parameters: p)
        XCTAssertGreaterThan(model.trees.count, 10)      // until the step is below 1e-6 (41 rounds here)
        XCTAssertTrue(model.trees.allSatisfy { $0.nodeCount == 0 })
        let raw = model.ensemble.rawScores(values: d.x, rowCount: d.rows, columnCount: d.cols, initScores: initial)
        for r in raw { XCTAssertEqual(sigmoid(r), 0.1, accuracy: 1e-3) }
        // From the prior there is nothing to learn: no tree at all.
        let fromPrior = try trainBinary(matrix: try d.matrix(), labels: d.y, parameters: p)
        XCTAssertEqual(fromPrior.trees.count, 0)
    }

    func testParallelMapKeepsOrderAndRethrowsTheLowestFailure() throws {
        struct Failed: Error, Equatable { var index: Int }
        for threads in [1, 2, 4] {
            XCTAssertEqual(try parallelMap(100, threads: threads) { $0 * $0 }, (0..<100).map { $0 * $0 })
            XCTAssertThrowsError(try parallelMap(100, threads: threads) { i -> Int in
                if i % 30 == 29 { throw Failed(index: i) }
                return i
            }) { XCTAssertEqual($0 as? Failed, Failed(index: 29)) }
        }
    }

    func testIntegerWeightsEqualRepeatedRows() throws {
        // Weight 2 on a row must train the same trees as the row written twice (values on a 40-step grid so
        // both matrices get the same bins; min_data_in_leaf 1, since it counts rows, not weight).
        var d = ToyData(rows: 300, cols: 3, seed: 11)
        d.x = d.x.map { ($0 * 40).rounded(.down) / 40 }
        let weights = (0..<d.rows).map { Double(1 + $0 % 2) }
        var rep = ToyData(rows: 0, cols: 3, seed: 0)
        for r in 0..<d.rows {
            for _ in 0..<Int(weights[r]) { rep.x += d.x[(r * 3)..<(r * 3 + 3)]; rep.y.append(d.y[r]); rep.rows += 1 }
        }
        let p = BoostingParameters(numLeaves: 6, minDataInLeaf: 1, minSumHessianInLeaf: 0, learningRate: 0.2, numRounds: 8)
        let weighted = try trainBinary(matrix: d.matrix(minDataInBin: 1), labels: d.y, weights: weights, parameters: p)
        let repeated = try trainBinary(matrix: rep.matrix(minDataInBin: 1), labels: rep.y, parameters: p)
        XCTAssertEqual(weighted.trees.count, 8)
        XCTAssertEqual(weighted.trees.map(\.splitFeature), repeated.trees.map(\.splitFeature))
        XCTAssertEqual(weighted.trees.map(\.threshold), repeated.trees.map(\.threshold))
        XCTAssertEqual(weighted.baseScore, repeated.baseScore, accuracy: 1e-12)
        for (a, b) in zip(weighted.trees, repeated.trees) {
            for (u, v) in zip(a.leafValue, b.leafValue) { XCTAssertEqual(u, v, accuracy: 1e-6) }
        }
        // Unweighted training on the same rows differs (the test can fail).
        let plain = try trainBinary(matrix: d.matrix(minDataInBin: 1), labels: d.y, parameters: p)
        XCTAssertNotEqual(plain.trees.map(\.leafValue), weighted.trees.map(\.leafValue))
        XCTAssertThrowsError(try trainBinary(matrix: d.matrix(), labels: d.y, weights: [Double](repeating: 0, count: d.rows), parameters: p)) {
            XCTAssertTrue("\($0)".contains("weights: row 0 has 0.0"), "\($0)")
        }
    }

    func testEarlyStoppingKeepsBestIteration() throws {
        // Pure-noise labels: validation loss bottoms out quickly.
        var d = ToyData(rows: 1200, cols: 5, seed: 4)
        var rng = SplitMix64(seed: 5)
        d.y = d.y.map { _ in rng.nextDouble() < 0.3 ? 1 : 0 }
        let m = try d.matrix()
        let train = (0..<800).map { Int32($0) }, valid = (800..<1200).map { Int32($0) }
        let p = BoostingParameters(numLeaves: 31, minDataInLeaf: 5, learningRate: 0.3, numRounds: 200, earlyStoppingRounds: 5)
        let model = try trainBinary(matrix: m, labels: d.y, trainRows: train, validRows: valid, parameters: p)
        XCTAssertLessThan(model.validationLoss.count, 200)
        XCTAssertEqual(model.validationLoss.count, model.bestIteration + 5)
        XCTAssertEqual(model.trees.count, model.bestIteration)
        let best = model.validationLoss.min()!
        if model.bestIteration > 0 {
            XCTAssertEqual(model.validationLoss[model.bestIteration - 1], best)
            // The recorded loss is the loss of the truncated model on the raw validation rows.
            let xs = Array(d.x[(800 * 5)...])
            let raw = model.ensemble.rawScores(values: xs, rowCount: 400, columnCount: 5)
            XCTAssertEqual(logLossMean(raw, Array(d.y[800...])), best, accuracy: 1e-9)
        }
        // Without early stopping all rounds are kept.
        var q = p; q.earlyStoppingRounds = 0; q.numRounds = 20
        let full = try trainBinary(matrix: m, labels: d.y, trainRows: train, validRows: valid, parameters: q)
        XCTAssertEqual(full.trees.count, 20)
        XCTAssertEqual(full.bestIteration, 20)
        XCTAssertEqual(full.validationLoss.count, 20)
    }

    func testNaNGoesToTheLearnedSide() throws {
        // Rows with NaN in feature 2 are mostly positive (ToyData adds +3 to their logit).
        let d = ToyData(rows: 3000, cols: 3, seed: 6, nanFeature: 2)
        let m = try d.matrix()
        let model = try trainBinary(matrix: m, labels: d.y, parameters: BoostingParameters(numLeaves: 8, numRounds: 30))
        var usedNaNSplit = false
        for t in model.trees { for (i, f) in t.splitFeature.enumerated() where f == 2 { usedNaNSplit = true; _ = i } }
        XCTAssertTrue(usedNaNSplit, "feature 2 (NaN = positive) should be used")
        // Scoring on raw values agrees with training routing: NaN rows score higher on average.
        let raw = model.ensemble.rawScores(values: d.x, rowCount: d.rows, columnCount: 3)
        var nanMean = 0.0, nanN = 0.0, otherMean = 0.0, otherN = 0.0
        for r in 0..<d.rows { if d.x[r * 3 + 2].isNaN { nanMean += raw[r]; nanN += 1 } else { otherMean += raw[r]; otherN += 1 } }
        XCTAssertGreaterThan(nanMean / nanN, otherMean / otherN + 1)
        // Bin routing (training) equals raw routing (inference) row by row.
        try assertBinAndRawRoutingAgree(d, m, model)
    }

    func testDefaultSideWithoutTrainingNaNsIsLeft() throws {
        let d = ToyData(rows: 1000, cols: 2, seed: 7)
        let m = try d.matrix()
        let model = try trainBinary(matrix: m, labels: d.y, parameters: BoostingParameters(numLeaves: 2, numRounds: 1))
        let t = model.trees[0]
        let f = Int(t.splitFeature[0])
        XCTAssertTrue(t.defaultLeft[0])
        var row = [0.5, 0.5]; row[f] = .nan
        XCTAssertEqual(t.predict(row), t.defaultLeft[0] ? t.leafValue[0] : t.leafValue[1])
    }

    func testLimitsAreRespected() throws {
        let d = ToyData(rows: 4000, cols: 6, seed: 8)
        let m = try d.matrix()
        let p = BoostingParameters(numLeaves: 20, maxDepth: 3, minDataInLeaf: 50, numRounds: 10, seed: 1)
        let model = try trainBinary(matrix: m, labels: d.y, parameters: p)
        for t in model.trees {
            XCTAssertLessThanOrEqual(t.leafCount, 8)          // depth 3
            var counts = [Int](repeating: 0, count: t.leafCount)
            for r in 0..<d.rows { d.x[(r * 6)..<(r * 6 + 6)].withContiguousStorageIfAvailable { counts[t.leafIndex($0)] += 1 } }
            XCTAssertGreaterThanOrEqual(counts.min()!, 50)
        }
        var q = p; q.numLeaves = 5; q.maxDepth = -1
        for t in try trainBinary(matrix: m, labels: d.y, parameters: q).trees { XCTAssertLessThanOrEqual(t.leafCount, 5) }
    }

    func testParameterErrorsNameTheValue() throws {
        let d = ToyData(rows: 50, cols: 2, seed: 9)
        let m = try d.matrix()
        func message(_ p: BoostingParameters, trainRows: [Int32]? = nil) -> String {
            do { _ = try trainBinary(matrix: m, labels: d.y, trainRows: trainRows, parameters: p); return "no error" } catch { return "\(error)" }
        }
        // Ranges of the fields `tagstack train` sets come from TrainOptions.table.
        XCTAssertEqual(message(BoostingParameters(numLeaves: 1)), "numLeaves=1 is out of range 2...65536")
        XCTAssertEqual(message(BoostingParameters(learningRate: 0)), "learningRate=0 is out of range 1e-06...10")
        XCTAssertEqual(message(BoostingParameters(featureFraction: 1.5)), "featureFraction=1.5 is out of range 1e-06...1")
        XCTAssertEqual(message(BoostingParameters(baggingFraction: 1.5)), "baggingFraction=1.5 should be in (0, 1]")
        XCTAssertEqual(message(BoostingParameters(earlyStoppingRounds: 3)), "earlyStoppingRounds=3 needs validation rows (validRows is empty)")
        XCTAssertEqual(message(BoostingParameters(), trainRows: [0, 60]), "trainRows: row 60 is outside 0..<50")
        XCTAssertEqual(message(BoostingParameters(), trainRows: [3, 3]), "trainRows: row 3 appears twice")
        XCTAssertEqual(message(BoostingParameters(), trainRows: []), "trainRows is empty: nothing to train on")
        XCTAssertThrowsError(try trainBinary(matrix: m, labels: [UInt8](repeating: 2, count: 50), parameters: BoostingParameters())) {
            XCTAssertEqual("\($0)", "labels of tag 0: row 0 has label 2, expected 0 or 1")
        }
    }

    func testTreesAreCodableWithSnakeCaseKeys() throws {
        let d = ToyData(rows: 500, cols: 3, seed: 10, nanFeature: 1)
        let model = try trainBinary(matrix: d.matrix(), labels: d.y, parameters: BoostingParameters(numLeaves: 4, numRounds: 3))
        let data = try JSONEncoder().encode(model.ensemble)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"base_score\"") && text.contains("\"split_feature\"") && text.contains("\"default_left\""))
        XCTAssertEqual(try JSONDecoder().decode(TreeEnsemble.self, from: data), model.ensemble)
    }
}

/// Every training row's leaf, found on bins as training does, equals the leaf found on raw values.
func assertBinAndRawRoutingAgree(_ d: ToyData, _ m: BinnedMatrix, _ model: TrainedBooster, file: StaticString = #filePath, line: UInt = #line) throws {
    for t in model.trees {
        for r in 0..<d.rows {
            let raw = d.x[(r * d.cols)..<(r * d.cols + d.cols)].withContiguousStorageIfAvailable { t.leafIndex($0) }!
            // Walk on bins: threshold bin = the bin whose upper bound is the threshold.
            var node: Int32 = 0
            if t.nodeCount == 0 { continue }
            while node >= 0 {
                let i = Int(node), f = Int(t.splitFeature[i])
                let b = Int(m.bins[f * d.rows + r]), ub = m.upperBounds[f]
                let goLeft = b == ub.count ? t.defaultLeft[i] : (ub[b] <= t.threshold[i] || t.threshold[i] == .greatestFiniteMagnitude)
                node = goLeft ? t.leftChild[i] : t.rightChild[i]
            }
            XCTAssertEqual(Int(~node), raw, "row \(r)", file: file, line: line)
        }
    }
}
