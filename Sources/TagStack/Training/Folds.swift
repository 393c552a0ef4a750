// Cross-validation folds that never split a group. With several group columns (artist, album), rows that
// share a value in ANY column are tied together (connected components), so neither an artist nor an album
// straddles two folds.

/// Assigns rows to `k` folds.
public enum Folds {
    /// Fold index (0..<k) of each row.
    ///
    /// Without groups, rows are shuffled with the seed and dealt round-robin. With groups, connected
    /// components of the "shares a group value" relation are placed largest first (ties in a seeded random
    /// order) into the fold with the fewest rows so far (lowest index on ties), as scikit-learn's GroupKFold
    /// does, so folds are balanced in rows. Fewer components than `k` gives some empty folds; callers check.
    public static func assign(rowCount n: Int, k: Int, groups: [[String]]? = nil, seed: UInt64) -> [Int] {
        precondition(k >= 2 && n >= 0)
        var rng = SplitMix64(seed: seed, stream: 0xF01D)
        guard let groups, !groups.isEmpty else {
            var order = Array(0..<n)
            rng.shuffle(&order)
            var fold = [Int](repeating: 0, count: n)
            for (pos, i) in order.enumerated() { fold[i] = pos % k }
            return fold
        }
        let component = components(rowCount: n, groups: groups)
        let count = (component.max() ?? -1) + 1
        var size = [Int](repeating: 0, count: count)
        for c in component { size[c] += 1 }
        var order = Array(0..<count)
        rng.shuffle(&order)
        // Stable sort by size, descending: the shuffle decides among equal sizes.
        order = order.enumerated().sorted { a, b in
            size[a.element] != size[b.element] ? size[a.element] > size[b.element] : a.offset < b.offset
        }.map(\.element)
        var foldRows = [Int](repeating: 0, count: k)
        var foldOfComponent = [Int](repeating: 0, count: count)
        for c in order {
            var best = 0
            for f in 1..<k where foldRows[f] < foldRows[best] { best = f }
            foldOfComponent[c] = best
            foldRows[best] += size[c]
        }
        return component.map { foldOfComponent[$0] }
    }

    /// Component index of each row, numbered in order of first appearance.
    /// The number of groups cross-validation keeps whole (rows tied by a shared value in any column are one).
    public static func groupCount(_ g: GroupTable) -> Int {
        (components(rowCount: g.ids.count, groups: g.values).max() ?? -1) + 1
    }

    /// Whether a group cell is empty (blank or spaces and tabs only): it ties its row to no other.
    public static func namesNoGroup(_ cell: String) -> Bool { cell.allSatisfy { $0 == " " || $0 == "\t" } }

    public static func components(rowCount n: Int, groups: [[String]]) -> [Int] {
        var parent = Array(0..<n)
        func find(_ i: Int) -> Int {
            var r = i
            while parent[r] != r { r = parent[r] }
            var j = i
            while parent[j] != r { let next = parent[j]; parent[j] = r; j = next }
            return r
        }
        for column in groups {
            var first: [String: Int] = [:]
            for (i, g) in column.enumerated() {
                // An empty cell names no group: the row is tied to no other by this column.
                if namesNoGroup(g) { continue }
                if let j = first[g] {
                    let a = find(i), b = find(j)
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else { first[g] = i }
            }
        }
        var number: [Int: Int] = [:]
        return (0..<n).map { i in
            let r = find(i)
            if let c = number[r] { return c }
            number[r] = number.count
            return number[r]!
        }
    }

    /// Row indices of each fold's training part and validation part.
    public static func splits(fold: [Int], k: Int) -> [(train: [Int32], valid: [Int32])] {
        (0..<k).map { f in
            var train: [Int32] = [], valid: [Int32] = []
            for (i, g) in fold.enumerated() { if g == f { valid.append(Int32(i)) } else { train.append(Int32(i)) } }
            return (train, valid)
        }
    }
}
