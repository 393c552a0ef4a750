@testable import TagStack
import TagStackModel
import XCTest

/// Compares TagStack with LightGBM 4.7 on `Fixtures/lightgbm/binary_small.json` (made by
/// `Scripts/make_lightgbm_fixture.py`; LightGBM is not needed to run this test): same parameters, bins aligned with min_data_in_bin=1, a feature with
/// NaNs, 30 rounds of 7 leaves).
///
/// - `min_data_in_leaf=1`: the row-count limit never binds and the models must be the same: max |Δp| < 1e-9
///   (measured 2e-16).
/// - `min_data_in_leaf=10`: LightGBM checks the limit on row counts estimated from hessians and so can make
///   leaves under 10 rows (its tree 15 has an 8-row leaf); TagStack counts rows exactly. The first 15 trees
///   agree, later ones drift: mean |Δp| < 0.05, max |Δp| < 0.25 (measured 0.027 and 0.144).
final class BoostingLightGBMTests: XCTestCase {
    struct Fixture: Decodable {
        struct Params: Decodable {
            let num_leaves: Int, learning_rate: Double, min_data_in_leaf: Int, min_sum_hessian_in_leaf: Double
            let lambda_l2: Double, min_gain_to_split: Double, max_bin: Int, min_data_in_bin: Int
        }
        struct Case: Decodable { let params: Params, lightgbm_prob: [Double], lightgbm_num_trees: Int }
        let rounds: Int, cases: [Case]
        let train_x: [[Double?]], train_y: [UInt8], test_x: [[Double?]]
    }

    func loadFixture() throws -> Fixture {
        guard let url = Bundle.module.resourceURL?.appendingPathComponent("Fixtures/lightgbm/binary_small.json") else {
            throw BoostingError.invalidInput("test bundle has no resources")
        }
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Trains case `index` with TagStack; returns (mean |Δp|, max |Δp|) against LightGBM.
    func compare(_ fx: Fixture, case index: Int) throws -> (Double, Double) {
        let c = fx.cases[index], pr = c.params
        let cols = fx.train_x[0].count
        let columns = (0..<cols).map { j in fx.train_x.map { $0[j] ?? .nan } }
        let m = try BinnedMatrix(columns: columns, options: BinningOptions(maxBins: pr.max_bin, minDataInBin: pr.min_data_in_bin))
        let p = BoostingParameters(numLeaves: pr.num_leaves, minDataInLeaf: pr.min_data_in_leaf,
                                   minSumHessianInLeaf: pr.min_sum_hessian_in_leaf, lambdaL2: pr.lambda_l2,
                                   minGainToSplit: pr.min_gain_to_split, learningRate: pr.learning_rate, numRounds: fx.rounds)
        let model = try trainBinary(matrix: m, labels: fx.train_y, parameters: p)
        XCTAssertEqual(model.trees.count, c.lightgbm_num_trees)
        let test = fx.test_x.flatMap { $0.map { $0 ?? .nan } }
        let prob = model.ensemble.probabilities(values: test, rowCount: fx.test_x.count, columnCount: cols)
        let diffs = zip(prob, c.lightgbm_prob).map { abs($0 - $1) }
        let mean = diffs.reduce(0, +) / Double(diffs.count), maxDiff = diffs.max()!
        print(String(format: "LightGBM fixture, min_data_in_leaf=%d: mean |dp| = %.2e, max |dp| = %.2e", pr.min_data_in_leaf, mean, maxDiff))
        return (mean, maxDiff)
    }

    func testSameModelAsLightGBMWhenRowCountLimitDoesNotBind() throws {
        let fx = try loadFixture()
        XCTAssertEqual(fx.cases[0].params.min_data_in_leaf, 1)
        let (_, maxDiff) = try compare(fx, case: 0)
        XCTAssertLessThan(maxDiff, 1e-9)
    }

    func testCloseToLightGBMWithRowCountLimit() throws {
        let fx = try loadFixture()
        XCTAssertEqual(fx.cases[1].params.min_data_in_leaf, 10)
        let (mean, maxDiff) = try compare(fx, case: 1)
        XCTAssertLessThan(mean, 0.05)
        XCTAssertLessThan(maxDiff, 0.25)
    }
}
