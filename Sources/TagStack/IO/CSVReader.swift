// Hot loop: a streaming RFC 4180 CSV reader over a file descriptor.
//
// Notes
// - Reads the file in chunks into one growable byte buffer (1 MiB to start); a record is parsed in place
//   and its fields are byte ranges into that buffer, valid until the next call to `nextRecord()`. Memory
//   does not grow with the file: only with the longest record, which is bounded: a record (a line, or lines
//   joined by a quoted field) longer than `maximumRecordBytes` (64 MiB) is an error naming the file and line,
//   so a file without line ends (`/dev/zero`) cannot exhaust memory.
// - Accepts quoted fields (with `""` escapes and embedded commas or newlines), CRLF or LF line ends, a
//   UTF-8 byte-order mark, and a missing final newline. Blank lines are skipped.
// - Line numbers are physical lines (1-based): a quoted field spanning lines advances them.
// - The plain twin used by tests is `CSVReader.parseSimple(_:)`, a String-based splitter.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads records from a CSV file one at a time; fields are read as text or as numbers without copying.
public final class CSVReader {
    /// The longest record (and so the longest line or cell) a file may hold: 64 MiB.
    public static let maximumRecordBytes = 64 << 20
    /// The path as given, used in error messages.
    public let path: String
    private let fd: Int32
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0        // first unconsumed byte
    private var end = 0          // one past the last valid byte
    private var eof = false
    private var nextLine = 1     // physical line where the next record starts
    private var checkedBOM = false

    /// The physical line (1-based) on which the current record starts.
    public private(set) var line = 0
    /// The number of fields in the current record.
    public private(set) var fieldCount = 0
    // Field byte ranges of the current record, in manually managed buffers: arrays here would cost an
    // exclusivity check and a retain/release per field.
    private var fieldStart: UnsafeMutablePointer<Int>
    private var fieldEnd: UnsafeMutablePointer<Int>
    private var fieldEscaped: UnsafeMutablePointer<Bool>   // quoted with `""` inside: unescape when read as text
    private var fieldCapacity = 64

    /// Opens `path` (through `InputFiles`: a pipe or `-` is read once and kept); throws
    /// `DataError.missingFile` or `.unreadable`.
    public convenience init(path: String, chunkSize: Int = 1 << 20) throws {
        try self.init(path: path, fd: InputFiles.open(path), chunkSize: chunkSize)
    }

    /// Opens `path` to be read once, front to back: a pipe or `-` is read as it comes, never copied
    /// (`InputFiles.stream`).
    public convenience init(streaming path: String, chunkSize: Int = 1 << 20) throws {
        try self.init(path: path, fd: InputFiles.stream(path), chunkSize: chunkSize)
    }

    private init(path: String, fd: Int32, chunkSize: Int) throws {
        self.path = path
        self.fd = fd
        capacity = max(chunkSize, 64)
        buffer = .allocate(capacity: capacity)
        fieldStart = .allocate(capacity: fieldCapacity)
        fieldEnd = .allocate(capacity: fieldCapacity)
        fieldEscaped = .allocate(capacity: fieldCapacity)
    }

    /// More records than `path` holds (its line feeds plus one), counted in one pass over a regular file; nil
    /// for anything else (a pipe read here would be consumed) or when it cannot be read. Lets a reader size
    /// its storage once instead of growing it by copies (a growth copy holds the old and the new storage).
    public static func recordBound(path: String) -> Int? {
        guard InputFiles.isRegularFile(path) else { return nil }
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { chunk.deallocate() }
        var lines = 1
        while true {
            let n = read(fd, chunk, size)
            if n < 0 { return nil }
            if n == 0 { return lines }
            for i in 0..<n where chunk[i] == 10 { lines += 1 }
        }
    }

    deinit {
        close(fd)
        buffer.deallocate()
        fieldStart.deallocate(); fieldEnd.deallocate(); fieldEscaped.deallocate()
    }

    /// The first byte that is not blank (space, tab, line end; after a byte-order mark) at the reader's
    /// position, without consuming anything; nil at the end of the file. Lets a caller say what a file is
    /// (JSON, say) before parsing it as CSV, on the one open of a pipe.
    public func peekNonBlankByte() throws -> UInt8? {
        while true {
            var i = start
            while i < end, buffer[i] == 0x20 || buffer[i] == 0x09 || buffer[i] == 0x0A || buffer[i] == 0x0D { i += 1 }
            if i < end { return buffer[i] }
            if eof { return nil }
            try refill()
        }
    }

    private enum Outcome { case record(Int), needMore, endOfData }

    /// Advances to the next non-blank record. Returns false at the end of the file.
    public func nextRecord() throws -> Bool {
        while true {
            switch try parseRecord() {
            case .endOfData:
                return false
            case .needMore:
                try refill()
            case .record(let next):
                start = next
                // A lone empty unquoted field is a blank line: skip it.
                if fieldCount == 1, fieldStart[0] == fieldEnd[0], !fieldEscaped[0], !isQuotedEmpty { continue }
                return true
            }
        }
    }

    private var isQuotedEmpty = false

    private func refill() throws {
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            end -= start
            start = 0
        }
        if end == capacity {
            if end >= CSVReader.maximumRecordBytes {
                throw DataError(.malformedCSV, file: path, line: nextLine,
                                "a line (or quoted field) longer than \(CSVReader.maximumRecordBytes >> 20) MiB, the most one CSV record may have")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        let n = read(fd, buffer + end, capacity - end)
        if n < 0 { throw DataError(.unreadable, file: path, "read failed: \(String(cString: strerror(errno)))") }
        if n == 0 { eof = true } else { end += n }
        // A UTF-8 byte-order mark, at the start of the file only: checked once (a later refill while the first
        // record is still being read must not take the header's own bytes for another mark).
        if !checkedBOM, end >= 3 || eof {
            checkedBOM = true
            if start == 0, end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        }
    }

    /// Parses one record starting at `start`. Fields are recorded; `nextLine`/`line` updated on success.
    private func parseRecord() throws -> Outcome {
        let b = buffer
        let end = self.end, eof = self.eof   // locals: no exclusivity check per byte
        var pos = start
        if pos == end { return eof ? .endOfData : .needMore }
        fieldCount = 0
        isQuotedEmpty = false
        var newlines = 0
        while true {
            // One field beginning at `pos`.
            if pos < end, b[pos] == UInt8(ascii: "\"") {
                var i = pos + 1
                var escaped = false
                while true {
                    if i >= end {
                        if eof {
                            throw DataError(.malformedCSV, file: path, line: nextLine, column: fieldCount + 1,
                                            "unterminated quoted field")
                        }
                        return .needMore
                    }
                    let c = b[i]
                    if c == UInt8(ascii: "\"") {
                        if i + 1 >= end, !eof { return .needMore }
                        if i + 1 < end, b[i + 1] == UInt8(ascii: "\"") { escaped = true; i += 2; continue }
                        break
                    }
                    if c == 0x0A { newlines += 1 }
                    i += 1
                }
                appendField(pos + 1, i, escaped)
                if fieldCount == 1 && i == pos + 1 { isQuotedEmpty = true }
                pos = i + 1
                if pos < end, b[pos] != UInt8(ascii: ","), b[pos] != 0x0A, b[pos] != 0x0D {
                    throw DataError(.malformedCSV, file: path, line: nextLine + newlines, column: fieldCount,
                                    "unexpected character after a closing quote")
                }
            } else {
                var i = pos
                while i < end {
                    let c = b[i]
                    if c == UInt8(ascii: ",") || c == 0x0A || c == 0x0D { break }
                    i += 1
                }
                if i >= end, !eof { return .needMore }
                appendField(pos, i, false)
                pos = i
            }
            // The delimiter after the field.
            if pos >= end {
                if !eof { return .needMore }
                finish(newlines: newlines)
                return .record(pos)
            }
            let c = b[pos]
            if c == UInt8(ascii: ",") { pos += 1; continue }
            if c == 0x0D {
                if pos + 1 >= end, !eof { return .needMore }
                pos += (pos + 1 < end && b[pos + 1] == 0x0A) ? 2 : 1
            } else {
                pos += 1   // LF
            }
            finish(newlines: newlines + 1)
            return .record(pos)
        }
    }

    @inline(__always) private func appendField(_ s: Int, _ e: Int, _ escaped: Bool) {
        let k = fieldCount
        if k == fieldCapacity { growFields() }
        fieldStart[k] = s; fieldEnd[k] = e; fieldEscaped[k] = escaped
        fieldCount = k + 1
    }

    private func growFields() {
        let c = fieldCapacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: c), e = UnsafeMutablePointer<Int>.allocate(capacity: c)
        let q = UnsafeMutablePointer<Bool>.allocate(capacity: c)
        s.update(from: fieldStart, count: fieldCapacity); e.update(from: fieldEnd, count: fieldCapacity)
        q.update(from: fieldEscaped, count: fieldCapacity)
        fieldStart.deallocate(); fieldEnd.deallocate(); fieldEscaped.deallocate()
        fieldStart = s; fieldEnd = e; fieldEscaped = q; fieldCapacity = c
    }

    private func finish(newlines: Int) {
        line = nextLine
        nextLine += newlines
    }

    /// Field `i` (0-based) of the current record as text, unescaped.
    public func string(_ i: Int) -> String {
        let s = fieldStart[i], e = fieldEnd[i]
        guard fieldEscaped[i] else {
            return String(decoding: UnsafeBufferPointer(start: buffer + s, count: e - s), as: UTF8.self)
        }
        // Unescape bytes, not Characters: `""` followed by a combining mark is not two quote Characters
        // (found by fuzz-csv). Inside a quoted field every `"` is the first of a `""` pair.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(e - s)
        var k = s
        while k < e {
            bytes.append(buffer[k])
            k += buffer[k] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Field `i` (0-based) as an identifier, kept byte for byte whatever its encoding (`MewoIO.idString`):
    /// an ID that is not UTF-8 is neither rewritten to U+FFFD nor confused with another.
    public func id(_ i: Int) -> String {
        let s = fieldStart[i], e = fieldEnd[i]
        guard fieldEscaped[i] else { return MewoIO.idString(UnsafeBufferPointer(start: buffer + s, count: e - s)) }
        var bytes: [UInt8] = []
        var k = s
        while k < e { bytes.append(buffer[k]); k += buffer[k] == UInt8(ascii: "\"") ? 2 : 1 }
        return bytes.withUnsafeBufferPointer { MewoIO.idString($0) }
    }

    /// Field `i` (0-based) parsed as a number; nil when it is not one. NaN and infinities are returned as such.
    @inline(__always) public func double(_ i: Int) -> Double? {
        parseDouble(buffer, fieldStart[i], fieldEnd[i])
    }

    /// Parses fields `range` of the current record into `out[0..<range.count]`. Returns the index of the first
    /// field that is not a finite number (its slot holds NaN or the non-finite value), or nil when all are.
    public func doubles(_ range: Range<Int>, into out: UnsafeMutablePointer<Double>) -> Int? {
        let b = UnsafePointer(buffer), fs = UnsafePointer(fieldStart), fe = UnsafePointer(fieldEnd)
        var firstBad: Int? = nil
        var k = 0
        for i in range {
            let v = parseDouble(b, fs[i], fe[i]) ?? .nan
            out[k] = v; k += 1
            if firstBad == nil, !v.isFinite { firstBad = i }
        }
        return firstBad
    }

    /// All fields of the current record as text.
    public func strings() -> [String] { (0..<fieldCount).map(string) }

    /// The plain twin: splits text into records of fields with String operations (tests compare the two).
    public static func parseSimple(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var inQuotes = false, wasQuoted = false
        // Unicode scalars, not Characters: a Character may join a comma to a following combining mark
        // (",\u{65A}" is one grapheme), which would hide the delimiter (found by fuzz-csv).
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var k = 0
        func endRecord() {
            record.append(field)
            if !(record.count == 1 && record[0].isEmpty && !wasQuoted) { records.append(record) }
            record = []; field = ""; wasQuoted = false
        }
        while k < chars.count {
            let c = chars[k]
            if inQuotes {
                if c == "\"" {
                    if k + 1 < chars.count, chars[k + 1] == "\"" { field.append("\""); k += 1 } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" && field.isEmpty { inQuotes = true; wasQuoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\r", k + 1 < chars.count, chars[k + 1] == "\n" { endRecord(); k += 1 }
            else if c == "\n" || c == "\r" { endRecord() }
            else { field.unicodeScalars.append(c) }
            k += 1
        }
        if !field.isEmpty || !record.isEmpty || wasQuoted { endRecord() }
        return records
    }
}
