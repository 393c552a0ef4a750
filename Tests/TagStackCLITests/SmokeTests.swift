import XCTest
final class TagStackCLITestsSmoke: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
