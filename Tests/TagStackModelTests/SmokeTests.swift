import XCTest
final class TagStackModelTestsSmoke: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
