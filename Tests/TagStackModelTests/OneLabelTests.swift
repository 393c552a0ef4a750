import Foundation
import XCTest
@testable import TagStackModel

/// The one-label stage (OneLabel.swift): each kind's probabilities against its definition
/// (docs/MODEL_FORMAT.md, One label a track), argmax decisions, the JSON form and validation.
final class OneLabelTests: XCTestCase {
    static let tags = ["a", "b", "c"]

    static func model(_ stage: OneLabelStage, version: Int = StackerModel.oneLabelFormatVersion) throws -> StackerModel {
        let labels = try LabelSet(tags: tags, categories: ["g", "g", "g"], classes: ["C", "C", "C"])
        var m = StackerModel(learner: "one_label", labels: labels, inputColumns: tags + tags.map { "n2:" + $0 },
                             tags: tags.map { TagModel(name: $0, form: .raw, threshold: nil) }, decision: .thresholds)
        m.formatVersion = version
        m.oneLabel = stage
        return m
    }

    func softmax(_ z: [Double]) -> [Double] {
        let m = z.max()!, e = z.map { exp($0 - m) }, s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    func check(_ stage: OneLabelStage, row: [Double], expected: [Double], file: StaticString = #filePath, line: UInt = #line) throws {
        let scorer = try ModelScorer(model: Self.model(stage))
        let p = try scorer.probabilities(row: row)
        for (u, v) in zip(p, expected) { XCTAssertEqual(u, v, accuracy: 1e-15, file: file, line: line) }
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12, file: file, line: line)
        let d = try scorer.decisions(row: row)
        XCTAssertEqual(d, p.indices.map { $0 == p.firstIndex(of: p.max()!)! ? 1 : 0 }, file: file, line: line)
    }

    func testEachKindAgainstItsDefinition() throws {
        let row = [0.2, 0.6, 0.1, 0.3, Double.nan, 0.05]
        try check(.renormalised, row: row, expected: [0.2 / 0.9, 0.6 / 0.9, 0.1 / 0.9])
        let s = OneLabelStage.Softmax(networks: ["n2"], weights: [0.7, 0.4], biases: [0.1, 0, -0.1])
        try check(.softmax(s), row: row, expected: softmax([0.1 + 0.7 * clippedLogit(0.2) + 0.4 * clippedLogit(0.3),
                                                            0.7 * clippedLogit(0.6),   // NaN network: no term
                                                            -0.1 + 0.7 * clippedLogit(0.1) + 0.4 * clippedLogit(0.05)]))
        let m = OneLabelStage.Multinomial(columns: ["a", "n2:b"], means: [0.5, -1], scales: [2, 1],
                                          coefficients: [[1, 2], [0, -1], [0.5, 0.5]], intercepts: [0, 0.3, -0.2])
        let u0 = clippedLogit(0.2) - 0.5
        // n2:b is NaN: its term is left out.
        try check(.multinomial(m), row: row, expected: softmax([u0 / 2, 0.3, -0.2 + 0.5 * u0 / 2]))
        // Every score 0: renormalised gives the uniform distribution.
        try check(.renormalised, row: [0, 0, 0, 0, 0, 0], expected: [1.0 / 3, 1.0 / 3, 1.0 / 3])
    }

    func testJSONFormAndVersion() throws {
        let stage = OneLabelStage.softmax(.init(networks: [], weights: [1.25]))
        let text = String(decoding: try Self.model(stage).encoded(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"format_version\":4"))
        XCTAssertTrue(text.contains("\"one_label\":{\"kind\":\"softmax\",\"networks\":[],\"weights\":[1.25]}"), text)
        XCTAssertEqual(try StackerModel.decode(from: Data(text.utf8)).oneLabel, stage)
        // A model without the stage has no such key.
        var plain = try Self.model(stage)
        plain.oneLabel = nil; plain.formatVersion = StackerModel.currentFormatVersion
        XCTAssertFalse(String(decoding: try plain.encoded(), as: UTF8.self).contains("\"one_label\":"))
        // The stage needs version 4; weights one per source; a multinomial column among the inputs.
        XCTAssertThrowsError(try Self.model(stage, version: 3).validate()) { XCTAssertTrue("\($0)".contains("needs format_version 4"), "\($0)") }
        XCTAssertThrowsError(try Self.model(.softmax(.init(networks: ["n2"], weights: [1]))).validate()) {
            XCTAssertTrue("\($0)".contains("one_label.weights has 1 values for 2 sources"), "\($0)")
        }
        let m = OneLabelStage.Multinomial(columns: ["zz"], means: [0], scales: [1], coefficients: [[1], [1], [1]], intercepts: [0, 0, 0])
        XCTAssertThrowsError(try Self.model(.multinomial(m)).validate()) { XCTAssertTrue("\($0)".contains("'zz'"), "\($0)") }
    }
}
