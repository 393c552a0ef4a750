// Reading and writing the Mewo layout: labels.csv, X files (features), y files (0/1 per tag), groups.
// Columns are matched by name and rows by ChallengeID, kept as text. Every problem is a `DataError` that
// names the file, the line and the column.

import Foundation
import TagStackModel

/// Options for reading an X file.
public struct FeatureReadOptions: Sendable {
    /// Treat empty cells and `nan` as missing values (NaN) instead of failing. Infinities always fail.
    public var allowMissing = false
    /// The file holds probabilities (`evaluate --scores`): every value must be in [0, 1] (scikit-learn refuses
    /// others too), and messages do not suggest `--allow-missing` (the reading command has no such option).
    public var probabilities = false
    public init(allowMissing: Bool = false, probabilities: Bool = false) {
        self.allowMissing = allowMissing; self.probabilities = probabilities
    }
}

public enum MewoIO {
    /// The name of the identifier column that every X, y and groups file starts with.
    public static let idColumn = "ChallengeID"

    // MARK: - labels.csv

    /// Reads `labels.csv`: line 1 an empty cell then tag names; line 2 `category` then each tag's category;
    /// line 3 `class` then each tag's class.
    public static func readLabels(path: String) throws -> LabelSet {
        let r = try CSVReader(path: path)
        var rows: [[String]] = []
        var lines: [Int] = []
        while try r.nextRecord() {
            rows.append(r.strings()); lines.append(r.line)
        }
        if rows.isEmpty { throw DataError(.emptyFile, file: path, "labels file is empty; expected 3 lines (tags, categories, classes)") }
        if rows.count != 3 {
            throw DataError(.badLabels, file: path, line: lines[min(3, rows.count - 1)],
                            "labels file has \(rows.count) line(s); expected exactly 3 (tags, 'category', 'class')")
        }
        let expected = ["", "category", "class"]
        for k in 0..<3 {
            if rows[k][0].trimmingCharacters(in: .whitespaces).lowercased() != expected[k] {
                throw DataError(.badLabels, file: path, line: lines[k], column: 1,
                                "first cell of line \(k + 1) is '\(rows[k][0])'; expected \(expected[k].isEmpty ? "an empty cell" : "'\(expected[k])'")")
            }
            if rows[k].count != rows[0].count {
                throw DataError(.raggedRow, file: path, line: lines[k], column: min(rows[k].count, rows[0].count) + 1,
                                "line has \(rows[k].count) cells; line 1 has \(rows[0].count)")
            }
        }
        let tags = Array(rows[0].dropFirst())
        if tags.isEmpty { throw DataError(.badLabels, file: path, line: lines[0], "no tags in the labels file") }
        var seen: [String: Int] = [:]
        for (j, t) in tags.enumerated() {
            if t.isEmpty { throw DataError(.emptyColumnName, file: path, line: lines[0], column: j + 2, "empty tag name") }
            if let first = seen[t] {
                throw DataError(.badLabels, file: path, line: lines[0], column: j + 2,
                                "duplicate tag '\(t)' (first in column \(first + 2))")
            }
            seen[t] = j
        }
        let categories = Array(rows[1].dropFirst()), classes = Array(rows[2].dropFirst())
        for (j, c) in categories.enumerated() where c.isEmpty {
            throw DataError(.badLabels, file: path, line: lines[1], column: j + 2, columnName: tags[j], "empty category for tag '\(tags[j])'")
        }
        for (j, c) in classes.enumerated() where c.isEmpty {
            throw DataError(.badLabels, file: path, line: lines[2], column: j + 2, columnName: tags[j], "empty class for tag '\(tags[j])'")
        }
        for (j, c) in categories.enumerated() where seen[c] != nil {
            throw DataError(.badLabels, file: path, line: lines[1], column: j + 2,
                            "category '\(c)' has the same name as a tag; X columns would be ambiguous")
        }
        // A column `NET:tag` is network NET's score for `tag`: a tag named like that would be read as another
        // network's column (a tag `n2:a` beside a tag `a` made a network `n2` that does not exist).
        for (j, t) in tags.enumerated() {
            guard let colon = t.firstIndex(of: ":") else { continue }
            let prefix = t[..<colon], rest = String(t[t.index(after: colon)...])
            if !prefix.isEmpty, seen[rest] != nil {
                throw DataError(.badLabels, file: path, line: lines[0], column: j + 2,
                                "tag '\(t)' has the shape NET:tag of another network's score for tag '\(rest)'; X columns would be ambiguous: rename the tag (no ':')")
            }
        }
        return try LabelSet(tags: tags, categories: categories, classes: classes)
    }

    public static func writeLabels(_ labels: LabelSet, to path: String) throws {
        var text = csvRow([""] + labels.tags)
        text += csvRow(["category"] + labels.tagCategories)
        text += csvRow(["class"] + labels.tagClasses)
        try AtomicFileWriter.write(text, to: path)
    }

    // MARK: - Headers and IDs

    /// The separator a comma-less header line seems to use (the most frequent of `;`, tab, `|`), shown and named.
    static func otherDelimiter(_ line: String) -> (String, String)? {
        let candidates: [(Character, String, String)] = [(";", ";", "semicolon"), ("\t", "\\t", "tab"), ("|", "|", "vertical bar")]
        var best: (String, String)? = nil, bestCount = 0
        for (c, shown, name) in candidates {
            let n = line.reduce(0) { $1 == c ? $0 + 1 : $0 }
            if n > bestCount { best = (shown, name); bestCount = n }
        }
        return best
    }

    /// At most `limit` characters of `text`, with "…" when cut (messages never dump a whole line).
    static func abbreviate(_ text: String, limit: Int = 60) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// Reads and checks a header line: first cell `ChallengeID`, then unique, non-empty names.
    static func readHeader(_ r: CSVReader) throws -> [String] {
        if try r.peekNonBlankByte() == UInt8(ascii: "{") {
            throw DataError(.badIDColumn, file: r.path, line: 1, column: 1,
                            "this looks like JSON (a model file?), not a CSV: check which file goes with which option")
        }
        guard try r.nextRecord() else { throw DataError(.emptyFile, file: r.path, "file is empty; expected a header line starting with '\(idColumn)'") }
        let header = r.strings()
        if header[0].trimmingCharacters(in: .whitespaces) != idColumn {
            // A one-cell header holding other separators: the file is not comma-separated.
            if header.count == 1, let (sep, name) = otherDelimiter(header[0]) {
                throw DataError(.badIDColumn, file: r.path, line: r.line, column: 1,
                                "the delimiter looks like '\(sep)' (\(name)): the header has no comma but starts '\(abbreviate(header[0]))'; TagStack reads comma-separated files (RFC 4180): re-export with ',' as the delimiter")
            }
            throw DataError(.badIDColumn, file: r.path, line: r.line, column: 1,
                            "first header cell is '\(abbreviate(header[0]))'; expected '\(idColumn)'")
        }
        var seen: [String: Int] = [:]
        for (j, name) in header.enumerated().dropFirst() {
            if name.isEmpty { throw DataError(.emptyColumnName, file: r.path, line: r.line, column: j + 1, "empty column name in the header") }
            if let first = seen[name] {
                throw DataError(.duplicateColumn, file: r.path, line: r.line, column: j + 1,
                                "duplicate column '\(name)' (first in column \(first + 1))")
            }
            seen[name] = j
        }
        return Array(header.dropFirst())
    }

    /// The column names of a file's header (after `ChallengeID`), checked as `readHeader` does.
    public static func readHeaderOnly(path: String) throws -> [String] {
        let r = try CSVReader(path: path)
        return try readHeader(r)
    }

    @inline(__always) static func checkWidth(_ r: CSVReader, _ width: Int) throws {
        if r.fieldCount != width {
            throw DataError(.raggedRow, file: r.path, line: r.line, column: min(r.fieldCount, width) + 1,
                            "row has \(r.fieldCount) cells; the header has \(width)")
        }
    }

    /// Advances to the next row, checks its width and its ChallengeID (non-empty, not seen before), and
    /// returns the ID; nil at the end of the file.
    static func nextRow(_ r: CSVReader, width: Int, seen: inout [String: Int]) throws -> String? {
        guard try r.nextRecord() else { return nil }
        try checkWidth(r, width)
        let id = r.id(0)
        try checkID(r, id, &seen)
        return id
    }

    static func checkID(_ r: CSVReader, _ id: String, _ seen: inout [String: Int]) throws {
        if id.isEmpty { throw DataError(.badIDColumn, file: r.path, line: r.line, column: 1, "empty \(idColumn)") }
        if let first = seen[id] {
            throw DataError(.duplicateID, file: r.path, line: r.line, column: 1,
                            "duplicate \(idColumn) '\(id)' (first on line \(first))")
        }
        seen[id] = r.line
    }

    // MARK: - X files

    /// Reads an X file: `ChallengeID` then numeric columns. Non-numbers, NaN and infinities are errors
    /// naming line and column (NaN and empty cells are allowed as missing with `allowMissing`).
    public static func readFeatures(path: String, options: FeatureReadOptions = .init()) throws -> FeatureTable {
        let r = try CSVReader(path: path)
        let columns = try readHeader(r)
        let width = columns.count + 1
        var ids: [String] = []
        var values: [Double] = []
        // Sized once from the file's line count (rows never exceed it): the values are X's final storage,
        // never copied by growth (a copy would hold two X's at once). Capacity beyond the rows is never touched.
        if let bound = CSVReader.recordBound(path: path) { values.reserveCapacity(bound * (width - 1)) }
        var seen: [String: Int] = [:]
        var row = [Double](repeating: 0, count: width - 1)
        while let id = try nextRow(r, width: width, seen: &seen) {
            ids.append(id)
            var bad = row.withUnsafeMutableBufferPointer { r.doubles(1..<width, into: $0.baseAddress!) }
            while let j = bad {
                row[j - 1] = try badFeatureCell(r, j, columns[j - 1], options)   // throws unless allowed missing
                bad = (j + 1 < width) ? row.withUnsafeMutableBufferPointer { p in
                    r.doubles((j + 1)..<width, into: p.baseAddress! + j).map { $0 } } : nil
            }
            if options.probabilities, let j = row.firstIndex(where: { !($0 >= 0 && $0 <= 1) && !$0.isNaN }) {
                throw DataError(.notAProbability, file: r.path, line: r.line, column: j + 2, columnName: columns[j],
                                "\(r.string(j + 1)) in column '\(columns[j])' is not a probability (outside [0, 1])")
            }
            values.append(contentsOf: row)
        }
        if ids.isEmpty { throw DataError(.headerOnly, file: path, line: r.line + 1, "no data rows after the header") }
        return FeatureTable(ids: ids, columns: columns, values: values)
    }

    /// The error (or, with `allowMissing`, the NaN) for a cell that did not parse as a finite number.
    static func badFeatureCell(_ r: CSVReader, _ j: Int, _ name: String, _ options: FeatureReadOptions) throws -> Double {
        let text = r.string(j)
        let v = r.double(j)
        if options.allowMissing, v?.isNaN ?? text.trimmingCharacters(in: .whitespaces).isEmpty { return .nan }
        let hint = options.probabilities ? "" : " (use --allow-missing to treat NaN and empty cells as missing)"
        if let v, v.isNaN {
            throw DataError(.nonFinite, file: r.path, line: r.line, column: j + 1, columnName: name,
                            "NaN in column '\(name)'\(hint)")
        }
        if v != nil {
            throw DataError(.nonFinite, file: r.path, line: r.line, column: j + 1, columnName: name,
                            "infinite value '\(text)' in column '\(name)'")
        }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DataError(.notANumber, file: r.path, line: r.line, column: j + 1, columnName: name,
                            "empty cell in column '\(name)'\(options.probabilities ? "" : " (use --allow-missing to treat empty cells as missing)")")
        }
        throw DataError(.notANumber, file: r.path, line: r.line, column: j + 1, columnName: name,
                        "'\(text)' is not a number (column '\(name)')")
    }

    /// Writes an X-layout file (used for generated data and probabilities).
    public static func writeFeatures(_ table: FeatureTable, to path: String) throws {
        try makeFeatureWriter(table, path: path).commit()
    }

    // MARK: - y files

    /// Reads a y file for `labels`, aligned to `ids` (X's row order). Columns are matched by name: every
    /// tag must be present and no other column may be. Rows are matched by ChallengeID: an ID of `ids`
    /// missing from the file, or an ID in the file not in `ids`, is an error naming it.
    /// - Parameter idsSource: the file `ids` came from, for messages.
    /// `unknownTagNote` ends the message for a column that is not a tag (training: the tags are the labels
    /// file's; `evaluate` reads no labels file: its tags are the truth file's columns).
    public static func readLabelMatrix(path: String, labels: LabelSet, alignTo ids: [String]?, idsSource: String = "the X file",
                                       unknownTagNote: String = "not in the labels file") throws -> LabelMatrix {
        let t = labels.count
        var fileIDs: [String] = []
        var values: [UInt8] = []
        let seen = try scanLabelRows(path: path, labels: labels, unknownTagNote: unknownTagNote) { id, row in
            fileIDs.append(id)
            values.append(contentsOf: row)
        }
        let file = LabelMatrix(ids: fileIDs, tags: labels.tags, values: values)
        guard let ids else { return file }
        let order = try alignRows(fileIDs: fileIDs, fileLines: seen, path: path, to: ids, idsSource: idsSource)
        if order == Array(0..<ids.count) { return file }
        var aligned = [UInt8](repeating: 0, count: ids.count * t)
        for (i, src) in order.enumerated() {
            for k in 0..<t { aligned[i * t + k] = values[src * t + k] }
        }
        return LabelMatrix(ids: ids, tags: labels.tags, values: aligned)
    }

    /// Reads a y file as `readLabelMatrix` does (the same checks and messages), straight into one column per
    /// tag aligned to `ids`: `columns[tag][row]`. Training reads labels a tag at a time, and reading them so
    /// holds them once (no rows × tags matrix on the way).
    public static func readLabelColumns(path: String, labels: LabelSet, alignTo ids: [String], idsSource: String = "the X file") throws -> [[UInt8]] {
        var rowOf: [String: Int] = [:]
        rowOf.reserveCapacity(ids.count)
        for (i, id) in ids.enumerated() { rowOf[id] = i }
        var columns = [[UInt8]](repeating: [UInt8](repeating: 0, count: ids.count), count: labels.count)
        var present = [Bool](repeating: false, count: ids.count)
        var firstExtra: String? = nil
        let seen = try scanLabelRows(path: path, labels: labels, unknownTagNote: "not in the labels file") { id, row in
            guard let i = rowOf[id] else {
                if firstExtra == nil { firstExtra = id }
                return
            }
            present[i] = true
            for k in row.indices where row[k] != 0 { columns[k][i] = 1 }
        }
        if let i = present.firstIndex(of: false) { throw missingIDError(ids[i], path: path, idsSource: idsSource) }
        if let extra = firstExtra { throw extraIDError(extra, line: seen[extra], path: path, idsSource: idsSource) }
        return columns
    }

    /// Reads a y file's rows in file order: checks the header (every tag of `labels`, no other column), each
    /// row's width, ID and 0/1 cells, and hands `row` the row's ID and its values in `labels` order. Returns
    /// the line of every ID. A file without data rows is an error.
    static func scanLabelRows(path: String, labels: LabelSet, unknownTagNote: String,
                              _ row: (_ id: String, _ values: [UInt8]) -> Void) throws -> [String: Int] {
        let r = try CSVReader(path: path)
        let header = try readHeader(r)
        let width = header.count + 1
        var tagOfColumn = [Int](repeating: -1, count: header.count)
        var tagIndex: [String: Int] = [:]
        for (k, t) in labels.tags.enumerated() { tagIndex[t] = k }
        for (j, name) in header.enumerated() {
            guard let k = tagIndex[name] else {
                throw DataError(.unknownColumn, file: path, line: r.line, column: j + 2, columnName: name,
                                "unknown tag column '\(name)' (\(unknownTagNote))")
            }
            tagOfColumn[j] = k
        }
        if header.count < labels.count {
            let present = Set(header)
            let missing = labels.tags.filter { !present.contains($0) }
            throw DataError(.missingColumn, file: path, line: r.line,
                            "missing column(s) for \(missing.count) tag(s): \(listNames(missing))")
        }
        var values = [UInt8](repeating: 0, count: labels.count)
        var seen: [String: Int] = [:]
        while let id = try nextRow(r, width: width, seen: &seen) {
            for k in values.indices { values[k] = 0 }
            for j in 1..<width {
                let v = r.double(j)
                if v == 0 { continue }
                if v == 1 { values[tagOfColumn[j - 1]] = 1; continue }
                let text = r.string(j), name = header[j - 1]
                let kind: DataError.Kind = v == nil ? .notANumber : (v!.isFinite ? .notBinary : .nonFinite)
                throw DataError(kind, file: path, line: r.line, column: j + 1, columnName: name,
                                "'\(text)' in column '\(name)' is not 0 or 1")
            }
            row(id, values)
        }
        if seen.isEmpty { throw DataError(.headerOnly, file: path, line: r.line + 1, "no data rows after the header") }
        return seen
    }

    /// For each of `ids`, the row of the file that has it. Missing and extra IDs are errors naming them.
    public static func alignRows(fileIDs: [String], fileLines: [String: Int], path: String, to ids: [String], idsSource: String) throws -> [Int] {
        var rowOf: [String: Int] = [:]
        rowOf.reserveCapacity(fileIDs.count)
        for (i, id) in fileIDs.enumerated() { rowOf[id] = i }
        var order: [Int] = []
        order.reserveCapacity(ids.count)
        for id in ids {
            guard let i = rowOf[id] else { throw missingIDError(id, path: path, idsSource: idsSource) }
            order.append(i)
        }
        if fileIDs.count != ids.count {
            let wanted = Set(ids)
            if let extra = fileIDs.first(where: { !wanted.contains($0) }) {
                throw extraIDError(extra, line: fileLines[extra], path: path, idsSource: idsSource)
            }
        }
        return order
    }

    static func missingIDError(_ id: String, path: String, idsSource: String) -> DataError {
        DataError(.missingID, file: path, "no row for \(idColumn) '\(id)', which \(idsSource) has")
    }

    static func extraIDError(_ id: String, line: Int?, path: String, idsSource: String) -> DataError {
        DataError(.extraID, file: path, line: line, column: 1, "\(idColumn) '\(id)' is not in \(idsSource)")
    }

    /// Writes 0/1 decisions in the y layout: `ChallengeID` then one column per tag.
    public static func writeLabelMatrix(_ m: LabelMatrix, to path: String) throws {
        let w = try makeLabelMatrixWriter(m, path: path)
        try w.commit()
    }

    /// Writes `m` to a temporary file and returns the writer, uncommitted (see `commitAll`).
    public static func makeLabelMatrixWriter(_ m: LabelMatrix, path: String) throws -> AtomicFileWriter {
        let w = try AtomicFileWriter(path: path)
        try w.write(csvRow([idColumn] + m.tags))
        let t = m.tags.count
        var bytes: [UInt8] = []
        for i in 0..<m.rowCount {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: csvID(m.ids[i]))
            for k in 0..<t { bytes.append(UInt8(ascii: ",")); bytes.append(m.values[i * t + k] == 0 ? 0x30 : 0x31) }
            bytes.append(0x0A)
            try w.write(bytes: bytes)
        }
        return w
    }

    /// Writes `table` in the X layout to a temporary file and returns the writer, uncommitted.
    public static func makeFeatureWriter(_ table: FeatureTable, path: String) throws -> AtomicFileWriter {
        let w = try AtomicFileWriter(path: path)
        try w.write(csvRow([idColumn] + table.columns))
        let c = table.columnCount
        var line = ""
        for i in 0..<table.rowCount {
            line.removeAll(keepingCapacity: true)
            for j in 0..<c { line += ","; line += formatNumber(table.values[i * c + j]) }
            line += "\n"
            try w.write(bytes: csvID(table.ids[i]))
            try w.write(line)
        }
        return w
    }

    // MARK: - Groups

    /// Reads a groups file (`ChallengeID` then one or more text columns), aligned to `ids`.
    public static func readGroups(path: String, alignTo ids: [String]?, idsSource: String = "the X file") throws -> GroupTable {
        let r = try CSVReader(path: path)
        let columns = try readHeader(r)
        if columns.isEmpty { throw DataError(.missingColumn, file: path, line: r.line, column: 2, "no group column after '\(idColumn)'") }
        let width = columns.count + 1
        var fileIDs: [String] = []
        var values = [[String]](repeating: [], count: columns.count)
        var seen: [String: Int] = [:]
        while let id = try nextRow(r, width: width, seen: &seen) {
            fileIDs.append(id)
            for j in 1..<width { values[j - 1].append(r.string(j)) }
        }
        if fileIDs.isEmpty { throw DataError(.headerOnly, file: path, line: r.line + 1, "no data rows after the header") }
        guard let ids else { return GroupTable(ids: fileIDs, columns: columns, values: values) }
        let order = try alignRows(fileIDs: fileIDs, fileLines: seen, path: path, to: ids, idsSource: idsSource)
        return GroupTable(ids: ids, columns: columns, values: values.map { col in order.map { col[$0] } })
    }

    public static func writeGroups(_ g: GroupTable, to path: String) throws {
        let w = try AtomicFileWriter(path: path)
        try w.write(csvRow([idColumn] + g.columns))
        for i in 0..<g.ids.count {
            try w.write(bytes: csvID(g.ids[i]))
            try w.write("," + csvRow(g.values.map { $0[i] }))
        }
        try w.commit()
    }

    // MARK: - Formatting

    /// Shortest text that reads back as the same Double (Swift's round-trip `description`).
    @inline(__always) public static func formatNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    /// One CSV field quoted as RFC 4180 says: a field holding a comma, a double quote, CR or LF is enclosed in
    /// double quotes, each inner double quote doubled. Every CSV TagStack writes goes through this helper.
    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    // MARK: - IDs are bytes

    /// The private-use scalars U+F780...U+F7FF stand for the bytes 0x80...0xFF of an ID that is not UTF-8.
    static let byteScalars: ClosedRange<UInt32> = 0xF780...0xF7FF

    /// An ID's bytes as a String, reversibly (`idBytes` gives the bytes back): UTF-8 text in NFC as itself; bytes
    /// that are not UTF-8, text not in NFC, or text that holds one of the scalars `byteScalars`, with every byte
    /// >= 0x80 as the scalar U+F700 + byte. Distinct byte strings give distinct Strings, so no two IDs collide.
    public static func idString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if bytes.allSatisfy({ $0 < 0x80 }) { return text }
        let valid = text.utf8.elementsEqual(bytes)
        // Swift compares Strings by canonical equivalence: two different byte strings (NFC and NFD "é") would be
        // one ID. Text in NFC is unique per equivalence class; any other is carried as bytes.
        if valid && !text.unicodeScalars.contains(where: { byteScalars.contains($0.value) })
            && text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(bytes) { return text }
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b < 0x80 ? UInt32(b) : 0xF700 + UInt32(b))!) }
        return String(s)
    }

    /// The bytes an ID was read from (the inverse of `idString`).
    public static func idBytes(_ id: String) -> [UInt8] {
        guard id.unicodeScalars.contains(where: { byteScalars.contains($0.value) }) else { return Array(id.utf8) }
        var out: [UInt8] = []
        for s in id.unicodeScalars {
            if byteScalars.contains(s.value) { out.append(UInt8(s.value - 0xF700)) } else { out.append(contentsOf: String(s).utf8) }
        }
        return out
    }

    /// An ID as one CSV field, quoted as `csvField` does, in its original bytes.
    public static func csvID(_ id: String) -> [UInt8] {
        let bytes = idBytes(id)
        guard bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return bytes }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in bytes { out.append(b); if b == UInt8(ascii: "\"") { out.append(b) } }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// One CSV record (fields quoted by `csvField`) and its line end.
    public static func csvRow(_ cells: [String]) -> String { cells.map(csvField).joined(separator: ",") + "\n" }

    public static func listNames(_ names: [String], limit: Int = 8) -> String {
        names.prefix(limit).map { "'\($0)'" }.joined(separator: ", ") + (names.count > limit ? ", ... (\(names.count) in all)" : "")
    }
}
