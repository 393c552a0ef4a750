import Foundation
import XCTest

/// Messages that point to the fix (issue 12, part 4), through the binary, and the README's command summary
/// against every command's --help.
final class MessageTests: XCTestCase {
    func testSemicolonSeparatedCSVSaysTheDelimiter() throws {
        let header = "ChallengeID;" + (0..<300).map { "tag\($0)" }.joined(separator: ";")
        let s = TinyData.folder(x: header + "\n001;" + (0..<300).map { _ in "0.5" }.joined(separator: ";") + "\n")
        let r = try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("train_X.csv:1:1: the delimiter looks like ';' (semicolon)"), r.stderr)
        XCTAssertLessThan(r.stderr.count, 400, "no dump of the whole header line: \(r.stderr)")
        let t = TinyData.folder(x: "ChallengeID\trock\tjazz\n001\t0.5\t0.1\n")
        XCTAssertTrue(try CLI.run(["train", "--data", t.path, "--model", t.path + "/m.json", "--quiet"]).stderr.contains("looks like '\\t' (tab)"))
    }

    func testSwappedModelAndInputSaySo() throws {
        let s = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        let r = try CLI.run(["predict", "--model", s.path + "/train_X.csv", "--input", s.path + "/m.json", "--decisions", s.path + "/d.csv"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("are --model and --input swapped?"), r.stderr)
        XCTAssertFalse(s.exists("d.csv"))
        // The model given as the input (and a model as --model): the input's message says it looks like JSON.
        let m = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/m.json", "--decisions", s.path + "/d.csv"])
        XCTAssertEqual(m.status, 1)
        XCTAssertTrue(m.stderr.contains("m.json:1:1: this looks like JSON (a model file?), not a CSV"), m.stderr)
        XCTAssertLessThan(m.stderr.count, 400, m.stderr)
    }

    func testEvaluateNamesTheTruthFileNotALabelsFile() throws {
        let s = TinyData.folder()
        s.write("d.csv", "ChallengeID,rock,jazz,e\n001,1,0,0\n002,0,1,1\n003,1,0,0\n")
        s.write("p.csv", "ChallengeID,rock,piano\n001,1,0\n002,0,1\n003,1,0\n")
        let r = try CLI.run(["evaluate", "--truth", s.path + "/train_y.csv", "--decisions", s.path + "/d.csv"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("d.csv:1:4: unknown tag column 'e' (not a column of the truth file"), r.stderr)
        XCTAssertFalse(r.stderr.contains("labels file"), r.stderr)
        let p = try CLI.run(["evaluate", "--truth", s.path + "/train_y.csv", "--decisions", s.path + "/train_y.csv", "--scores", s.path + "/p.csv"])
        XCTAssertEqual(p.status, 1)
        XCTAssertTrue(p.stderr.contains("tag(s) of the truth file"), p.stderr)
        XCTAssertFalse(p.stderr.contains("labels file"), p.stderr)
    }

    /// The README's "Command line" summary lists exactly the options of each command's --help.
    func testReadmeCommandSummaryAgreesWithHelp() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"))
        guard let start = readme.range(of: "## Command line\n\n```\n"), let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README has no '## Command line' code block")
        }
        var summary: [String: Set<String>] = [:]
        var current = ""
        for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.first == "tagstack", words.count > 1 { current = String(words[1]) }
            for w in words where w.hasPrefix("--") || w.hasPrefix("[--") {
                let name = w.drop(while: { $0 == "[" }).prefix(while: { $0.isLetter || $0.isNumber || $0 == "-" })
                summary[current, default: []].insert(String(name))
            }
        }
        let commands = ["generate", "train", "predict", "evaluate", "export"]
        XCTAssertEqual(Set(summary.keys), Set(commands), "the summary has one entry per command")
        for c in commands {
            let help = try CLI.run([c, "--help"]).stdout
            var options = Set<String>()
            for line in help.split(separator: "\n") where line.hasPrefix("  ") {
                let t = line.drop(while: { $0 == " " })
                if t.hasPrefix("--") { options.insert(String(t.prefix(while: { $0 != " " }))) }
            }
            XCTAssertFalse(options.isEmpty, c)
            XCTAssertEqual(summary[c] ?? [], options, "\(c): README summary vs --help; only in help: \(options.subtracting(summary[c] ?? [])), only in README: \((summary[c] ?? []).subtracting(options))")
        }
    }
}
