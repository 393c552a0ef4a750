import Foundation
import XCTest

/// Claims of the README checked against the tool, the Makefile and the test suite (issue 25 item 5). The
/// command summary is checked by MessageTests.testReadmeCommandSummaryAgreesWithHelp, the Swift consumer by
/// ConsumerPackageTests.
final class ReadmeTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let readme = (try? String(contentsOf: root.appendingPathComponent("README.md"))) ?? ""

    /// README's `"format_version": N` is what `train` writes, and the troubleshooting row quotes the message a
    /// newer model gets, with the versions this build reads.
    func testFormatVersionAndTheVersionsReadAreTheTools() throws {
        let s = TinyData.folder()
        var r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--no-groups", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.path + "/m.json"))) as! [String: Any]
        let version = json["format_version"] as! Int
        XCTAssertTrue(Self.readme.contains("`\"format_version\": \(version)`"), "the README names format_version \(version)")
        var text = try String(contentsOfFile: s.path + "/m.json")
        text = text.replacingOccurrences(of: "\"format_version\":\(version)", with: "\"format_version\":99")
            .replacingOccurrences(of: "\"format_version\" : \(version)", with: "\"format_version\" : 99")
        try text.write(toFile: s.path + "/m99.json", atomically: false, encoding: .utf8)
        r = try CLI.run(["predict", "--model", s.path + "/m99.json", "--input", s.path + "/train_X.csv", "--decisions", s.path + "/d.csv"])
        XCTAssertEqual(r.status, 1, r.stderr)
        guard let start = r.stderr.range(of: "model format_version 99"), let end = r.stderr.range(of: ")", range: start.upperBound..<r.stderr.endIndex) else {
            return XCTFail("no version message: \(r.stderr)")
        }
        let message = String(r.stderr[start.lowerBound..<end.upperBound])
        XCTAssertTrue(message.contains("this build reads 1..."), message)
        XCTAssertTrue(Self.readme.contains(message), "the README's troubleshooting row quotes '\(message)'")
    }

    /// `make help` is mentioned and lists every target the README names beside it; the binary the README points
    /// at is the one the Makefile runs.
    func testMakeTargetsHelpAndBinaryLocationAgreeWithTheMakefile() throws {
        let p = Scratch()
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Makefile").path, toPath: p.path + "/Makefile")
        var env = ProcessInfo.processInfo.environment
        for k in ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "BIN", "BUILD", "DATA"] { env[k] = nil }
        let help = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["make", "--no-print-directory", "help"], cwd: p.path, environment: env)
        XCTAssertEqual(help.status, 0, help.stderr)
        guard let start = Self.readme.range(of: "Other targets: "), let end = Self.readme.range(of: "Every variable can be overridden", range: start.upperBound..<Self.readme.endIndex) else {
            return XCTFail("README: no 'Other targets:' sentence")
        }
        let sentence = String(Self.readme[start.upperBound..<end.lowerBound])
        XCTAssertTrue(sentence.contains("`make help`"), sentence)
        let targets = sentence.components(separatedBy: "`make ").dropFirst().map { String($0.prefix { $0 != "`" }) }
        XCTAssertGreaterThan(targets.count, 3, sentence)
        for t in targets where t != "help" {
            XCTAssertTrue(help.stdout.contains("make \(t) "), "make help lists 'make \(t)':\n\(help.stdout)")
        }
        // Where the binary is: the README says .build/release/tagstack; the Makefile builds and runs that one.
        XCTAssertTrue(sentence.contains("`.build/release/tagstack`"), sentence)
        let dry = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["make", "--no-print-directory", "-n", "evaluate"], cwd: p.path, environment: env)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("build -c release --product tagstack"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("'.build/release/tagstack' evaluate"), dry.stdout)
    }

    /// Every test class that reads ../shared/data is named where the README says what that folder is.
    func testTheTestsThatNeedSharedDataAreNamed() throws {
        guard let start = Self.readme.range(of: "**Real data, `../shared/data`.**"),
              let end = Self.readme.range(of: "\n\n", range: start.upperBound..<Self.readme.endIndex) else {
            return XCTFail("README: no paragraph on ../shared/data")
        }
        let paragraph = String(Self.readme[start.upperBound..<end.lowerBound])
        let tests = Self.root.appendingPathComponent("Tests")
        var found: [String] = []
        for case let file as String in FileManager.default.enumerator(atPath: tests.path)! where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: tests.path + "/" + file)
            let calls = text.components(separatedBy: "\n").filter {
                ($0.contains("sharedData(\"") || $0.contains("sharedDataFolder(\"")) && !$0.contains("func ")
            }
            guard !calls.isEmpty else { continue }
            for line in text.components(separatedBy: "\n") where line.contains(": XCTestCase") {
                let name = line.components(separatedBy: "class ").last!.prefix { $0 != ":" }
                found.append(String(name))
            }
        }
        XCTAssertGreaterThanOrEqual(found.count, 5, "\(found)")
        for name in found { XCTAssertTrue(paragraph.contains(name), "the README's ../shared/data paragraph names \(name)") }
    }

    /// What `export` writes for a pooled model and for per-tag boosted ones, as the README says.
    func testExportFilesAreTheOnesTheReadmeNames() throws {
        guard let start = Self.readme.range(of: "**LightGBM**: `tagstack export"),
              let end = Self.readme.range(of: "\n\n", range: start.upperBound..<Self.readme.endIndex) else {
            return XCTFail("README: no LightGBM paragraph")
        }
        let paragraph = String(Self.readme[start.upperBound..<end.lowerBound])
        for (model, expected) in [("pooled-class", "pooled.txt"), ("gbdt-hierarchical", "NNN_<tag>.txt")] {
            let s = Scratch()
            let r = try CLI.run(["export", "--format", "lightgbm", "--model", Repo.golden.appendingPathComponent(model + ".json").path, "--out", s.path + "/e"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let files = try FileManager.default.contentsOfDirectory(atPath: s.path + "/e")
            XCTAssertTrue(paragraph.contains("`\(expected)`"), paragraph)
            for f in files {
                let named = f.range(of: #"^[0-9]{3}_.*\.txt$"#, options: .regularExpression) != nil ? "NNN_<tag>.txt" : f
                XCTAssertTrue(paragraph.contains("`\(named)`"), "\(model): export wrote \(f), which the README does not name")
            }
            if model == "pooled-class" { XCTAssertTrue(files.contains("pooled.txt"), "\(files)") }
        }
    }

    /// The training page's words for the per-tag F1 columns are the README's ("raw" is the base score's).
    func testTrainingPageWordsAreTheReadmes() throws {
        let s = TinyData.folder()
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--no-groups",
                             "--folds", "0", "--html", s.path + "/t.html", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let page = try String(contentsOfFile: s.path + "/t.html")
        XCTAssertTrue(page.contains(">base score F1<") && page.contains(">final F1<"), "the page's per-tag columns")
        XCTAssertTrue(Self.readme.contains("\"base score F1\" (the page's name for what every tag starts from"), "README quotes the page's words")
    }
}
