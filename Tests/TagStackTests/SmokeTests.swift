import XCTest
final class TagStackTestsSmoke: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
