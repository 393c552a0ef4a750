// The corpus of invalid models (InvalidModels/*.json, each one change to a golden model, written by
// InvalidModels/make_invalid.py): every file is refused by `StackerModel.load` with a message that names the
// field listed in InvalidModels/expected.tsv. PythonScorerTests.testInvalidModelCorpusIsRefused runs the second
// scorer (Scripts/score_model.py) over the same files with the same expectations, so the two refuse alike.

import Foundation
import XCTest
@testable import TagStackModel

enum InvalidModels {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("InvalidModels")

    struct Case { var file: String; var expected: String; var what: String }

    /// The rows of expected.tsv (after its header): file, text the message contains, what is wrong.
    static func cases() throws -> [Case] {
        let text = try String(contentsOf: directory.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(file: f[0], expected: f.count > 1 ? f[1] : "", what: f.count > 2 ? f[2] : "")
        }
    }
}

final class InvalidModelTests: XCTestCase {
    func testEveryCorpusFileIsListed() throws {
        let cases = try InvalidModels.cases()
        let files = try FileManager.default.contentsOfDirectory(atPath: InvalidModels.directory.path).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(Set(files), Set(cases.map(\.file)), "InvalidModels/*.json and expected.tsv list the same files")
        XCTAssertEqual(Set(cases.map(\.file)).count, cases.count, "a file listed twice")
        XCTAssertGreaterThanOrEqual(cases.count, 80)
        for c in cases { XCTAssertFalse(c.expected.isEmpty, "\(c.file): no expected text") }
    }

    func testEveryInvalidModelIsRefusedNamingTheField() throws {
        for c in try InvalidModels.cases() {
            let url = InvalidModels.directory.appendingPathComponent(c.file)
            XCTAssertThrowsError(try StackerModel.load(contentsOf: url), "\(c.file) (\(c.what)) was accepted") { error in
                XCTAssertTrue(error is ModelError, "\(c.file): \(error)")
                XCTAssertTrue("\(error)".contains(c.expected), "\(c.file) (\(c.what)): '\(error)' does not name '\(c.expected)'")
            }
            XCTAssertThrowsError(try ModelScorer(contentsOf: url), "\(c.file): the scorer accepted it")
        }
    }
}
