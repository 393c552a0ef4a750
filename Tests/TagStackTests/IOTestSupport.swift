import Foundation
import XCTest
@testable import TagStack

/// A fresh temporary folder per test, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "tagstack-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        try! text.write(toFile: p, atomically: false, encoding: .utf8)
        return p
    }

    func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? [] }
}

/// The repository's sibling `shared/data` folder, or nil when absent.
func sharedDataFolder(_ name: String) -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let p = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(name)").path
    return FileManager.default.fileExists(atPath: p + "/labels.csv") ? p : nil
}

func assertDataError(_ kind: DataError.Kind, line: Int? = nil, column: Int? = nil, file: StaticString = #filePath,
                     lineNo: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected DataError.\(kind)", file: file, line: lineNo)
    } catch let e as DataError {
        XCTAssertEqual(e.kind, kind, "\(e)", file: file, line: lineNo)
        if let line { XCTAssertEqual(e.line, line, "\(e)", file: file, line: lineNo) }
        if let column { XCTAssertEqual(e.column, column, "\(e)", file: file, line: lineNo) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: lineNo)
    }
}
