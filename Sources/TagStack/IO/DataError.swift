// Errors a user can cause with input files. Every one names the file and, where it applies, the line and
// column (1-based, as an editor shows them), so a message can be acted on without reading our code.

/// An error in an input file or argument: what is wrong and exactly where.
public struct DataError: Error, Equatable, CustomStringConvertible {
    /// What kind of problem it is; tests and the CLI's exit codes key on this.
    public enum Kind: String, Sendable {
        case missingFile, unreadable, emptyFile, headerOnly, malformedCSV, raggedRow
        case notANumber, nonFinite, notBinary, notAProbability
        case missingColumn, unknownColumn, duplicateColumn, emptyColumnName, badIDColumn
        case duplicateID, missingID, extraID
        case badLabels, badNPY, badArgument, writeFailed, modelMismatch
    }

    public var kind: Kind
    public var file: String
    public var line: Int?
    public var column: Int?
    public var columnName: String?
    public var message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, column: Int? = nil,
                columnName: String? = nil, _ message: String) {
        self.kind = kind; self.file = file; self.line = line; self.column = column
        self.columnName = columnName; self.message = message
    }

    /// `file:line:column: message (column 'name')`, in the style of compilers and linters.
    public var description: String {
        var loc = file
        if let line { loc += ":\(line)" }
        if let column { loc += ":\(column)" }
        var text = "\(loc): \(message)"
        if let columnName, !message.contains("'\(columnName)'") { text += " (column '\(columnName)')" }
        return text
    }
}
