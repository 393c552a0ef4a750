// libFuzzer harness: the streaming CSV reader, its number parser and the X-file reader.
//
// Each input is written to a scratch file and read three ways:
// 1. `CSVReader` with the smallest chunk (64 bytes), so every refill / buffer-growth path runs; every field
//    is read as text and as a number. When the input is UTF-8 and the reader accepts it, its records must
//    equal those of the plain twin `CSVReader.parseSimple` (differential check).
// 2. Each number the fast parser accepts must equal `Double(String)` bit for bit when that accepts it too.
// 3. `MewoIO.readFeatures` on the same file, with and without `allowMissing`: a value or a `DataError`.
// Any other error type, a trap, a memory error (ASan) or a hang is a finding.

import Foundation
import TagStackModel

let scratch = FuzzScratch(name: "csv")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = scratch.write(bytes)
    var records: [[String]] = []
    var accepted = true
    do {
        let r = try CSVReader(path: path, chunkSize: 64)
        var lastLine = 0
        while try r.nextRecord() {
            precondition(r.fieldCount >= 1, "a record has at least one field")
            precondition(r.line > lastLine, "line numbers increase: \(r.line) after \(lastLine)")
            lastLine = r.line
            records.append(r.strings())
            for i in 0..<r.fieldCount {
                let fast = r.double(i)
                let text = r.string(i)
                if let fast, let plain = Double(text) {
                    precondition(fast.bitPattern == plain.bitPattern || (fast.isNaN && plain.isNaN),
                                 "number '\(text)': fast parser \(fast), Double(String) \(plain)")
                }
            }
        }
    } catch is DataError {
        accepted = false
    } catch {
        fatalError("CSVReader threw a non-DataError: \(error)")
    }
    if accepted, let text = String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]), !bytes.contains(0) {
        let twin = CSVReader.parseSimple(text)
        precondition(twin == records, "reader and twin disagree on \(text.debugDescription): \(records) vs \(twin)")
    }
    for allowMissing in [false, true] {
        do { _ = try MewoIO.readFeatures(path: path, options: FeatureReadOptions(allowMissing: allowMissing)) }
        catch is DataError {}
        catch { fatalError("readFeatures threw a non-DataError: \(error)") }
    }
    return 0
}
