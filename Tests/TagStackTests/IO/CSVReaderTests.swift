import XCTest
@testable import TagStack

final class CSVReaderTests: XCTestCase {
    func records(_ text: String, chunk: Int = 1 << 20) throws -> [[String]] {
        let dir = TempDir()
        let p = dir.write("f.csv", text)
        let r = try CSVReader(path: p, chunkSize: chunk)
        var out: [[String]] = []
        while try r.nextRecord() { out.append(r.strings()) }
        return out
    }

    func testQuotesCRLFAndBlankLines() throws {
        let text = "a,\"b,c\",\"d\"\"e\"\r\n\r\n1,\"multi\nline\",3\n\n"
        XCTAssertEqual(try records(text), [["a", "b,c", "d\"e"], ["1", "multi\nline", "3"]])
    }

    func testMissingFinalNewlineAndBOM() throws {
        XCTAssertEqual(try records("\u{FEFF}x,y\n1,2"), [["x", "y"], ["1", "2"]])
    }

    func testEmptyFieldsKept() throws {
        XCTAssertEqual(try records(",\n,,x\n\"\"\n"), [["", ""], ["", "", "x"], [""]])
    }

    func testLineNumbersCountPhysicalLines() throws {
        let dir = TempDir()
        let p = dir.write("f.csv", "h\n\"a\nb\"\n\nc\n")
        let r = try CSVReader(path: p)
        var lines: [Int] = []
        while try r.nextRecord() { lines.append(r.line) }
        XCTAssertEqual(lines, [1, 2, 5])
    }

    func testUnterminatedQuoteIsAnError() {
        assertDataError(.malformedCSV, line: 2) { _ = try records("a\n\"abc\n") }
    }

    /// The streaming reader agrees with the plain String-based twin on random inputs, for every chunk
    /// size (records straddle chunk boundaries).
    func testAgreesWithPlainTwinOnRandomText() throws {
        var g = SplitMix64(seed: 7)
        let alphabet: [String] = ["a", "b", "1", ",", "\"", "\n", "\r\n", " ", "é", "0.5"]
        for trial in 0..<100 {
            // Random but well-formed CSV: build fields, quote when needed.
            var text = ""
            for _ in 0..<(1 + g.nextInt(6)) {
                let fields = (0..<(1 + g.nextInt(4))).map { _ -> String in
                    let raw = (0..<g.nextInt(5)).map { _ in alphabet[g.nextInt(alphabet.count)] }.joined()
                    return raw.contains(where: { ",\"\n\r".contains($0) }) || g.nextInt(4) == 0
                        ? "\"" + raw.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : raw
                }
                text += fields.joined(separator: ",") + (g.nextInt(2) == 0 ? "\n" : "\r\n")
            }
            let expected = CSVReader.parseSimple(text)
            for chunk in [64, 7 + trial % 13, 1 << 20] {
                XCTAssertEqual(try records(text, chunk: max(64, chunk)), expected, "trial \(trial) chunk \(chunk): \(text.debugDescription)")
            }
        }
    }

    func testLongRecordGrowsBuffer() throws {
        let long = (0..<5000).map(String.init).joined(separator: ",")
        XCTAssertEqual(try records("h\n" + long + "\n", chunk: 64).last?.count, 5000)
    }
}

final class NumberParsingTests: XCTestCase {
    /// The fast path gives exactly what `Double(String)` (the plain twin, correctly rounded) gives.
    func testMatchesStandardLibraryOnRandomDecimals() {
        var g = SplitMix64(seed: 11)
        for _ in 0..<200_000 {
            let digits = 1 + g.nextInt(20)
            var s = g.nextInt(2) == 0 ? "" : "-"
            s += String((0..<digits).map { _ in Character(String(g.nextInt(10))) })
            if g.nextInt(3) > 0 { s.insert(".", at: s.index(s.startIndex, offsetBy: s.count - g.nextInt(digits))) }
            if g.nextInt(4) == 0 { s += "e\(g.nextInt(80) - 40)" }
            guard let expected = Double(s) else { continue }
            XCTAssertEqual(parseNumber(s)?.bitPattern, expected.bitPattern, s)
        }
    }

    func testRoundTripOfShortestRepresentation() {
        var g = SplitMix64(seed: 3)
        for _ in 0..<100_000 {
            let v = Double(bitPattern: g.next() & 0x7FEF_FFFF_FFFF_FFFF)   // finite, positive
            XCTAssertEqual(parseNumber(MewoIO.formatNumber(v)), v)
            let u = g.nextUnit()
            XCTAssertEqual(parseNumber(MewoIO.formatNumber(u)), u)
        }
    }

    func testEdgeSpellings() {
        XCTAssertEqual(parseNumber(" 0.5 "), 0.5)
        XCTAssertEqual(parseNumber("1e+16"), 1e16)
        XCTAssertEqual(parseNumber("5e-324"), Double.leastNonzeroMagnitude)   // the smallest subnormal
        XCTAssertEqual(parseNumber(".5"), 0.5)
        XCTAssertEqual(parseNumber("5."), 5)
        XCTAssertEqual(parseNumber("123456789012345678901234567890"), 123456789012345678901234567890.0)
        XCTAssertTrue(parseNumber("NaN")!.isNaN)
        XCTAssertEqual(parseNumber("-inf"), -.infinity)
        XCTAssertEqual(parseNumber("1e400"), .infinity)
        for bad in ["", " ", "abc", "1,5", "1e", "--1", "0x", "1.2.3", "e5", "."] { XCTAssertNil(parseNumber(bad), bad) }
    }
}
