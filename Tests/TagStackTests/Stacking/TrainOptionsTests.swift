// The option table (Stacking/TrainOptions.swift): the README's summary, the help and the ranges come from it.

import Foundation
import XCTest
@testable import TagStack

final class TrainOptionsTests: XCTestCase {
    /// The README's `tagstack train` lines (its "Command line" block) are the ones the table generates.
    func testReadmeTrainSummaryIsGenerated() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("tagstack train ") }),
              let end = lines[(start + 1)...].firstIndex(where: { $0.hasPrefix("tagstack ") }) else {
            return XCTFail("README has no 'tagstack train' summary followed by another command")
        }
        XCTAssertEqual(lines[start..<end].joined(separator: "\n"), TrainOptions.summary,
                       "the README's train summary should be:\n\(TrainOptions.summary)")
    }

    /// Every option is in the help once, with its default; the defaults pass their own ranges.
    func testHelpListsEveryOptionWithItsDefault() throws {
        XCTAssertNoThrow(try StackerOptions().validate())
        let help = TrainOptions.help
        // The help's wrapped lines joined again.
        let joined = help.replacingOccurrences(of: "\n" + String(repeating: " ", count: 26), with: " ")
        for o in TrainOptions.table {
            guard let name = o.name else { continue }
            XCTAssertEqual(help.components(separatedBy: "\n  \(name) ").count, 2, "\(name) listed once")
            if let d = o.defaultShown { XCTAssertTrue(joined.contains("(default: \(d))"), "\(name): default \(d)") }
        }
        XCTAssertTrue(joined.contains("--rounds N              Most boosting rounds early stopping may choose (without CV: the rounds) (default: 300)"), help)
        XCTAssertTrue(joined.contains("--base-margin X         A mean must beat the primary network, and the blend the incumbent, by more than X (default: 0.0075)"), help)
    }

    /// A value just outside an option's range is refused by `validate`, naming the field (and, on the command
    /// line, the option).
    func testEveryRangeIsCheckedByValidate() {
        for o in TrainOptions.table {
            var s = StackerOptions()
            switch o.value {
            case let .int(range, _, set):
                // A value below the range is refused before it is stored (the seed, a UInt64, cannot hold -1).
                XCTAssertEqual(o.problem(range.lowerBound - 1)?.option, o.field)
                guard o.field != "seed" else { continue }
                set(&s, range.lowerBound - 1)
            case let .double(range, _, set):
                set(&s, range.lowerBound - 1)
            case .flag, .text, .choice: continue
            }
            do {
                try s.validate()
                XCTFail("\(o.field!) below its range accepted")
            } catch let e as OptionError {
                XCTAssertEqual(e.option, o.field)
                XCTAssertTrue(e.description.contains("is out of range"), e.description)
                if let name = o.name { XCTAssertTrue(e.commandLine.hasPrefix(name + "="), e.commandLine) }
            } catch { XCTFail("\(error)") }
        }
        var s = StackerOptions(); s.folds = 1
        XCTAssertThrowsError(try s.validate()) { XCTAssertEqual(($0 as? OptionError)?.commandLine, "--folds=1 should be 0 (no cross-validation) or at least 2") }
    }

    /// `BoostingParameters.validate` checks every field `tagstack train` sets against that option's range: each
    /// such field has exactly one entry naming it, and a value just outside the range is refused.
    func testBoostingParametersAreCheckedAgainstTheTable() {
        let (whole, real) = BoostingParameters().optionValues
        let named = TrainOptions.table.compactMap(\.parameter)
        XCTAssertEqual(named.count, Set(named).count, "a parameter named twice")
        XCTAssertEqual(Set(named), Set(whole.keys).union(real.keys))
        XCTAssertNoThrow(try BoostingParameters().validate())
        XCTAssertNoThrow(try StackerOptions().boostingParameters(rounds: 300, earlyStopping: 30, seed: 1).validate())
        var p = BoostingParameters(); p.numRounds = 100_001
        XCTAssertThrowsError(try p.validate()) { XCTAssertEqual("\($0)", "numRounds=100001 is out of range 0...100000") }
        p = BoostingParameters(); p.lambdaL2 = .nan
        XCTAssertThrowsError(try p.validate()) { XCTAssertTrue("\($0)".hasPrefix("lambdaL2=nan is out of range"), "\($0)") }
        p = BoostingParameters(); p.earlyStoppingRounds = -1
        XCTAssertThrowsError(try p.validate()) { XCTAssertEqual("\($0)", "earlyStoppingRounds=-1 is out of range 0...100000") }
    }
}
