// NumPy `.npy` files (format versions 1.0, 2.0, 3.0): 2-D arrays of float16/32/64, signed and unsigned
// integers and bool, little- or big-endian, C or Fortran order, read into row-major Doubles; written as
// little-endian float64 (scores) or bool / uint8 (decisions), C order. The MediaEval 2019 layout keeps X and y
// as such matrices, with tag names from labels.csv.

import Foundation

/// A 2-D numeric array read from or written to a `.npy` file, row-major.
public struct NPYMatrix: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns)
        self.rows = rows; self.columns = columns; self.values = values
    }
}

public enum NPY {
    /// The element type written.
    public enum OutputType: String, Sendable { case float64 = "<f8", uint8 = "|u1", bool = "|b1" }

    /// Reads a 2-D `.npy` file. A 1-D array is read as one column.
    public static func read(path: String) throws -> NPYMatrix {
        try decode(InputFiles.readAll(path), path: path)
    }

    static func fail(_ path: String, _ why: String) -> DataError { DataError(.badNPY, file: path, why) }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ bytes: [UInt8], path: String) throws -> NPYMatrix {
        let (header, dataStart) = try headerText(bytes, path: path)
        let dict = try parseHeader(header, path: path)
        guard let descr = dict["descr"], let fortran = dict["fortran_order"], let shapeText = dict["shape"] else {
            throw fail(path, "header lacks descr, fortran_order or shape: \(shown(header))")
        }
        let (rows, columns) = try shape(shapeText, path: path)
        let type = try dtype(descr, path: path)
        // Shapes come from the file: multiply with overflow checks (a huge shape is an error, not a trap).
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        let (needed, overflow2) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, !overflow2, bytes.count - dataStart == needed else {
            let what = overflow || overflow2 ? "more than \(Int.max)" : String(needed)
            throw fail(path, "data has \(bytes.count - dataStart) bytes; shape (\(rows), \(columns)) of '\(type.name)' needs \(what)")
        }
        var values = decodeValues(bytes, from: dataStart, count: count, type: type)
        if fortran == "True" {
            // Nothing to reorder in an empty array (and a (0, 10^18) shape must not loop over its columns).
            if count == 0 { return NPYMatrix(rows: rows, columns: columns, values: values) }
            var c = [Double](repeating: 0, count: count)
            for j in 0..<columns { for i in 0..<rows { c[i * columns + j] = values[j * rows + i] } }
            values = c
        } else if fortran != "False" {
            throw fail(path, "bad fortran_order '\(fortran)'")
        }
        return NPYMatrix(rows: rows, columns: columns, values: values)
    }

    /// The header's text (after the magic string, the version and the length field) and where the data starts.
    static func headerText(_ bytes: [UInt8], path: String) throws -> (String, Int) {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail(path, "not a .npy file (bad magic string)") }
        let major = bytes[6]
        var headerLength = 0, offset = 0
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; offset = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail(path, "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; offset = 12
        default:
            throw fail(path, "unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerLength >= 0, offset + headerLength <= bytes.count else { throw fail(path, "truncated header") }
        guard let header = String(bytes: bytes[offset..<(offset + headerLength)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail(path, "header is not text")
        }
        // The length field says where the data starts: a length past the real header reads data bytes as text.
        if header.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" || $0.value == 0x7F }) {
            throw fail(path, "the header (\(headerLength) bytes, as its length field says) holds binary bytes: a wrong header length? It starts \(shown(header))")
        }
        return (header, offset + headerLength)
    }

    /// Rows and columns of a 1-D (one column) or 2-D shape.
    static func shape(_ shapeText: String, path: String) throws -> (Int, Int) {
        let dims = try shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { d -> Int in
            guard let v = Int(d), v >= 0 else { throw fail(path, "bad shape \(shapeText)") }
            return v
        }
        switch dims.count {
        case 1: return (dims[0], 1)
        case 2: return (dims[0], dims[1])
        default: throw fail(path, "expected a 2-D array; shape is (\(shapeText))")
        }
    }

    /// A dtype TagStack reads: its text (`<f8`), its code (`f8`), its byte size and byte order.
    struct DType { var name: String, code: String, size: Int, bigEndian: Bool }

    static func dtype(_ descr: String, path: String) throws -> DType {
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard type.count >= 3 else { throw fail(path, "unsupported dtype '\(type)'") }
        let order = type.first!
        let code = String(type.dropFirst())
        guard "<>|=".contains(order) else { throw fail(path, "unsupported dtype '\(type)'") }
        let size: Int
        switch code {
        case "f2", "i2", "u2": size = 2
        case "f4", "i4", "u4": size = 4
        case "f8", "i8", "u8": size = 8
        case "b1", "i1", "u1": size = 1
        default: throw fail(path, "unsupported dtype '\(type)' (float16/32/64, int, uint and bool are read)")
        }
        return DType(name: type, code: code, size: size, bigEndian: order == ">")
    }

    /// `count` values of `type` from `dataStart`, as Doubles (the size was checked against the shape).
    static func decodeValues(_ bytes: [UInt8], from dataStart: Int, count: Int, type: DType) -> [Double] {
        var values = [Double](repeating: 0, count: count)
        let size = type.size, bigEndian = type.bigEndian, code = type.code
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            func load<T: FixedWidthInteger>(_: T.Type, _ k: Int) -> T {
                let v = base.loadUnaligned(fromByteOffset: k * size, as: T.self)
                return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
            }
            for k in 0..<count {
                let v: Double
                switch code {
                case "f8": v = Double(bitPattern: load(UInt64.self, k))
                case "f4": v = Double(Float(bitPattern: load(UInt32.self, k)))
                case "f2": v = Double(float16ToFloat(load(UInt16.self, k)))
                case "i8": v = Double(load(Int64.self, k))
                case "i4": v = Double(load(Int32.self, k))
                case "i2": v = Double(load(Int16.self, k))
                case "i1": v = Double(Int8(bitPattern: base.load(fromByteOffset: k, as: UInt8.self)))
                case "u8": v = Double(load(UInt64.self, k))
                case "u4": v = Double(load(UInt32.self, k))
                case "u2": v = Double(load(UInt16.self, k))
                default: v = Double(base.load(fromByteOffset: k, as: UInt8.self))   // u1, b1
                }
                values[k] = v
            }
        }
        return values
    }

    /// A header's text for a message: trimmed, at most 120 characters, control characters escaped.
    static func shown(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var out = ""
        for u in t.unicodeScalars.prefix(120) {
            out += u.value < 0x20 || u.value == 0x7F ? String(format: "\\x%02x", u.value) : String(u)
        }
        return out + (t.unicodeScalars.count > 120 ? "…" : "")
    }

    /// Parses the Python dict literal of the header into key → raw value text.
    static func parseHeader(_ text: String, path: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard body.hasPrefix("{"), body.hasSuffix("}") else { throw fail(path, "header is not a dict: \(shown(body))") }
        // Keys are quoted; values are a quoted string, True/False, or a parenthesised tuple.
        var s = Substring(body.dropFirst().dropLast())
        while true {
            s = s.drop(while: { $0 == " " || $0 == "," || $0 == "\n" })
            if s.isEmpty { break }
            guard let q = s.first, q == "'" || q == "\"" else { throw fail(path, "bad header key in \(shown(body))") }
            let afterQuote = s.dropFirst()
            guard let close = afterQuote.firstIndex(of: q) else { throw fail(path, "bad header key in \(shown(body))") }
            let key = String(afterQuote[..<close])
            s = afterQuote[afterQuote.index(after: close)...].drop(while: { $0 == " " })
            guard s.first == ":" else { throw fail(path, "bad header in \(shown(body))") }
            s = s.dropFirst().drop(while: { $0 == " " })
            let value: Substring
            if s.first == "(" {
                guard let e = s.firstIndex(of: ")") else { throw fail(path, "bad shape in \(shown(body))") }
                value = s[s.index(after: s.startIndex)..<e]; s = s[s.index(after: e)...]
            } else if let q2 = s.first, q2 == "'" || q2 == "\"" {
                let rest = s.dropFirst()
                guard let e = rest.firstIndex(of: q2) else { throw fail(path, "bad value in \(shown(body))") }
                value = rest[..<e]; s = rest[rest.index(after: e)...]
            } else {
                let e = s.firstIndex(where: { $0 == "," }) ?? s.endIndex
                value = s[..<e]; s = s[e...]
            }
            out[key] = value.trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    static func float16ToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1F), frac = UInt32(h & 0x3FF)
        if exp == 0 { return (sign != 0 ? -1 : 1) * Float(frac) * 0x1p-24 }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (frac << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (frac << 13))
    }

    /// Encodes a matrix as `.npy` version 1.0, C order.
    public static func encode(_ m: NPYMatrix, as type: OutputType = .float64) -> [UInt8] {
        var header = "{'descr': '\(type.rawValue)', 'fortran_order': False, 'shape': (\(m.rows), \(m.columns)), }"
        // Pad with spaces so that magic + length + header + newline is a multiple of 64 bytes.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]
        let n = header.utf8.count
        out.append(UInt8(n & 0xFF)); out.append(UInt8(n >> 8))
        out.append(contentsOf: header.utf8)
        switch type {
        case .float64:
            out.reserveCapacity(out.count + 8 * m.values.count)
            for v in m.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        case .uint8, .bool:
            for v in m.values { out.append(v == 0 ? 0 : 1) }
        }
        return out
    }

    /// Writes a matrix atomically.
    public static func write(_ m: NPYMatrix, to path: String, as type: OutputType = .float64) throws {
        try AtomicFileWriter.write(bytes: encode(m, as: type), to: path)
    }
}
