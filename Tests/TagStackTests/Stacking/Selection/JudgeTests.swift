// The never-worse test (Selection/Judge.swift): the reasons it gives.

import Foundation
import XCTest
import TagStackModel
@testable import TagStack

final class JudgeTests: XCTestCase, TrainsOnNetworks {
    /// `--report` reasons say why a tag kept its base score.
    func testReportsSayWhy() throws {
        let d = try data()
        var o = options()
        o.guards.minPositives = 40
        let r = try Stacker.train(data: d, options: o)
        for rep in r.reports {
            if rep.support < 40 { XCTAssertEqual(rep.reason, "support \(rep.support) < 40") }
            else { XCTAssertTrue(["learned", "margin", "no skill", "average precision lower"].contains(rep.reason) || rep.reason.hasPrefix("bootstrap ")
                                 || rep.reason.hasPrefix("every tag"), rep.reason) }
        }
    }
}
