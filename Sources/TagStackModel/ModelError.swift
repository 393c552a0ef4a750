// Errors raised by the inference library: loading a model file and scoring with it.

/// An error from loading or applying a TagStack model. Each case carries the offending name or value.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// The file's `format_version` is not one this library reads.
    case unsupportedVersion(found: Int, supported: ClosedRange<Int>)
    /// The file is not a TagStack model (wrong or missing `format` marker).
    case notAModel(String)
    /// A required field is missing; the string is its JSON path.
    case missingField(String)
    /// The JSON could not be parsed or a field has the wrong type; the string says where.
    case malformed(String)
    /// Input rows lack columns the model needs.
    case missingColumns([String])
    /// A tag name the model does not know.
    case unknownTag(String)
    /// A value that breaks an invariant (mismatched lengths, a tree index out of range, ...).
    case invalid(String)

    public var description: String {
        switch self {
        case let .unsupportedVersion(found, supported):
            return "model format_version \(found) is not supported (this build reads \(supported.lowerBound)...\(supported.upperBound)); retrain or upgrade TagStack"
        case let .notAModel(why): return "not a TagStack model: \(why)"
        case let .missingField(path): return "model is missing the field '\(path)'"
        case let .malformed(why): return "malformed model: \(why)"
        case let .missingColumns(cols):
            let shown = cols.prefix(10).map { "'\($0)'" }.joined(separator: ", ")
            return "input lacks \(cols.count) column(s) the model needs: \(shown)\(cols.count > 10 ? ", ..." : "")"
        case let .unknownTag(t): return "unknown tag '\(t)'"
        case let .invalid(why): return why
        }
    }
}
