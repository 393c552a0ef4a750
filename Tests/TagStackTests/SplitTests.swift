@testable import TagStack
import XCTest

final class SplitTests: XCTestCase {
    let c = SplitConstraints(minDataInLeaf: 5, minSumHessianInLeaf: 1e-3, lambdaL2: 1, minGainToSplit: 0)

    func randomHist(_ rng: inout SplitMix64, k: Int, missing: Bool) -> [Double] {
        var h: [Double] = []
        for b in 0...k {
            let n = (b == k && !missing) ? 0 : rng.nextInt(below: 12)
            var g = 0.0, hh = 0.0
            for _ in 0..<n { let p = rng.nextDouble(); let y = rng.nextDouble() < Double(b) / Double(k) ? 1.0 : 0.0; g += p - y; hh += p * (1 - p) }
            h += [g, hh, Double(n)]
        }
        return h
    }

    func testScanEqualsPlainTwin() {
        var rng = SplitMix64(seed: 21)
        for trial in 0..<300 {
            let k = 1 + rng.nextInt(below: 30), missing = trial % 2 == 0
            let h = randomHist(&rng, k: k, missing: missing)
            var G = 0.0, H = 0.0, C = 0.0
            for b in 0...k { G += h[3 * b]; H += h[3 * b + 1]; C += h[3 * b + 2] }
            var best = SplitCandidate(minGain: 0)
            h.withUnsafeBufferPointer {
                SplitFinder.scan(feature: 3, hist: $0.baseAddress!, valueBins: k, totalG: G, totalH: H, totalC: C,
                                 parentScore: G * G / (H + 1), constraints: c, best: &best)
            }
            let plain = SplitFinder.bestSplitPlain(feature: 3, hist: h, valueBins: k, constraints: c)
            XCTAssertEqual(best.isValid, plain.isValid, "trial \(trial)")
            guard best.isValid else { continue }
            XCTAssertEqual(best.thresholdBin, plain.thresholdBin, "trial \(trial)")
            XCTAssertEqual(best.defaultLeft, plain.defaultLeft, "trial \(trial)")
            XCTAssertEqual(best.gain, plain.gain, accuracy: 1e-9 * max(1, abs(plain.gain)))
            XCTAssertEqual(best.leftC, plain.leftC)
        }
    }

    /// Four rows per value 0...9 of one feature; labels 1 exactly when value >= 6. The best split is
    /// "value <= 5.5", with gain computable by hand from the first round's gradients.
    func testTinyDataSetWithKnownBestSplit() throws {
        var col: [Double] = [], noise: [Double] = [], y: [UInt8] = []
        for v in 0..<10 { for i in 0..<4 { col.append(Double(v)); noise.append(Double((v * 7 + i * 3) % 10)); y.append(v >= 6 ? 1 : 0) } }
        let m = try BinnedMatrix(columns: [noise, col], options: BinningOptions(minDataInBin: 1))
        let p = BoostingParameters(numLeaves: 2, minDataInLeaf: 2, lambdaL2: 0, learningRate: 1, numRounds: 1)
        let model = try trainBinary(matrix: m, labels: y, parameters: p)
        let t = model.trees[0]
        XCTAssertEqual(t.splitFeature, [1])
        XCTAssertEqual(t.threshold, [5.5])
        // Prior p = 16/40 = 0.4: gradients 0.4 (y=0) and -0.6 (y=1), hessian 0.24 everywhere.
        let gl = 24 * 0.4, hl = 24 * 0.24, gr = 16 * -0.6, hr = 16 * 0.24
        XCTAssertEqual(t.leafValue[0], -gl / hl, accuracy: 1e-6)
        XCTAssertEqual(t.leafValue[1], -gr / hr, accuracy: 1e-6)
        let gain = gl * gl / hl + gr * gr / hr - (gl + gr) * (gl + gr) / (hl + hr)
        XCTAssertEqual(model.gainImportance[1], gain, accuracy: 1e-5)
        XCTAssertEqual(model.gainImportance[0], 0)
        XCTAssertEqual(model.baseScore, log(0.4 / 0.6), accuracy: 1e-12)
    }
}
