// Model assembly (ModelAssembly.swift): the input columns a model reads.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class ModelAssemblyTests: XCTestCase {
    func testModelInputsAreTheColumnsTheFeatureBuilderReads() throws {
        let labels = try LabelSet(tags: ["a", "b"], categories: ["c", "c"], classes: ["K", "K"])
        let columns = ["x", "b", "n:a", "c", "a", "n:b", "z"]
        let set = FeatureSet(kinds: [.score, .network("n"), .categoryScore], networks: ["n"])
        let builder = try FeatureBuilder(set: set, labels: labels, inputColumns: columns)
        XCTAssertEqual(builder.inputsRead.map { columns[$0] }, ["b", "n:a", "c", "a", "n:b"])
        let plain = try FeatureBuilder(set: FeatureSet(kinds: [.score]), labels: labels, inputColumns: columns)
        XCTAssertEqual(plain.inputsRead.map { columns[$0] }, ["b", "a"])
    }
}
