// In-memory forms of the Mewo files. Readers and writers live in MewoIO.swift.

/// An X file: `ChallengeID` then numeric feature columns. Values are row-major.
public struct FeatureTable: Sendable, Equatable {
    /// Row identifiers, kept as text (`0003524` stays `0003524`).
    public var ids: [String]
    /// Column names (without `ChallengeID`).
    public var columns: [String]
    /// `ids.count × columns.count` values, row-major.
    public var values: [Double]

    public init(ids: [String], columns: [String], values: [Double]) {
        precondition(values.count == ids.count * columns.count, "FeatureTable: values do not match ids × columns")
        self.ids = ids; self.columns = columns; self.values = values
    }

    public var rowCount: Int { ids.count }
    public var columnCount: Int { columns.count }

    @inlinable public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns.count + column] }
        set { values[row * columns.count + column] = newValue }
    }

    /// Index of a column by name.
    public func columnIndex(_ name: String) -> Int? { columns.firstIndex(of: name) }

    /// One column copied out, length `rowCount`.
    public func column(_ j: Int) -> [Double] {
        let c = columns.count
        return (0..<ids.count).map { values[$0 * c + j] }
    }
}

/// A y file (or a decisions file): `ChallengeID` then one 0/1 column per tag.
public struct LabelMatrix: Sendable, Equatable {
    public var ids: [String]
    public var tags: [String]
    /// `ids.count × tags.count` values in {0, 1}, row-major.
    public var values: [UInt8]

    public init(ids: [String], tags: [String], values: [UInt8]) {
        precondition(values.count == ids.count * tags.count, "LabelMatrix: values do not match ids × tags")
        self.ids = ids; self.tags = tags; self.values = values
    }

    public var rowCount: Int { ids.count }

    @inlinable public subscript(row: Int, tag: Int) -> UInt8 {
        get { values[row * tags.count + tag] }
        set { values[row * tags.count + tag] = newValue }
    }

    /// One tag's column, length `rowCount`.
    public func column(_ t: Int) -> [UInt8] {
        let c = tags.count
        return (0..<ids.count).map { values[$0 * c + t] }
    }
}

/// A groups file: `ChallengeID` then one or more text columns (artist, album, ...).
public struct GroupTable: Sendable, Equatable {
    public var ids: [String]
    public var columns: [String]
    /// `values[c][r]`: the group of row `r` in column `c`.
    public var values: [[String]]

    public init(ids: [String], columns: [String], values: [[String]]) {
        precondition(values.count == columns.count && values.allSatisfy { $0.count == ids.count })
        self.ids = ids; self.columns = columns; self.values = values
    }
}
