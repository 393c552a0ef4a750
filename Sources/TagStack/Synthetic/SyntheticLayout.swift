// The fixed tag hierarchy of the synthetic data: Mewo's shape (248 tags, 41 categories, 3 classes) with
// invented names. It does not depend on the seed, so models trained on different seeds share one label set.

import TagStackModel

/// The synthetic label hierarchy and the index maps the generator uses.
///
/// Internal category indices run class by class (`Genres` 0..<18, `Instruments` 18..<33, `Moods` 33..<41);
/// tag indices are positions in `labels.tags` (the file order), where the tags of a category are
/// deliberately not contiguous.
struct SyntheticLayout: Sendable {
    static let classNames = ["Genres", "Instruments", "Moods"]
    static let classPrefixes = ["genres", "instruments", "moods"]
    /// Category sizes per class, as in the real Mewo hierarchy (before shuffling).
    static let categorySizes: [[Int]] = [
        [2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 5, 6, 6, 7, 8, 11, 12],
        [3, 3, 3, 3, 4, 4, 5, 6, 8, 11, 11, 12, 13, 13, 13],
        [3, 4, 5, 5, 5, 6, 7, 11],
    ]
    /// The layout's own seed: names and order never change with the data seed.
    static let layoutSeed: UInt64 = 0x5441_4753_5441_434B  // "TAGSTACK"

    let labels: LabelSet
    /// Internal category index → name (`genres-c03`).
    let categoryNames: [String]
    /// Internal category index → class index (0, 1, 2).
    let categoryClass: [Int]
    /// Tag index → internal category index.
    let tagCategory: [Int]
    /// Tag index → class index.
    let tagClass: [Int]
    /// Internal category index → its tag indices (ascending).
    let categoryTags: [[Int]]
    /// Class index → its internal category indices.
    let classCategories: [[Int]]
    /// Class index → its tag indices (ascending).
    let classTags: [[Int]]
    /// Internal category indices in the order of `labels.categories` (the X column order).
    let categoryColumnOrder: [Int]

    static let shared = SyntheticLayout()

    private init() {
        var rng = SplitMix64(seed: Self.layoutSeed)
        var catNames: [String] = [], catClass: [Int] = [], classCats: [[Int]] = []
        var tagNames: [String] = [], tagCat: [Int] = [], tagCls: [Int] = [], classTagIdx: [[Int]] = []
        for (k, sizes) in Self.categorySizes.enumerated() {
            var shuffledSizes = sizes
            rng.shuffle(&shuffledSizes)
            var block: [(name: String, category: Int)] = []
            var cats: [Int] = []
            for (j, size) in shuffledSizes.enumerated() {
                let c = catNames.count
                let name = "\(Self.classPrefixes[k])-c\(zeroPadded(j + 1, width: 2))"
                catNames.append(name); catClass.append(k); cats.append(c)
                for i in 0..<size { block.append(("\(name)-t\(zeroPadded(i + 1, width: 2))", c)) }
            }
            // Interleave the categories, as the real file does (it sorts tags alphabetically within a class).
            rng.shuffle(&block)
            classCats.append(cats)
            classTagIdx.append(Array(tagNames.count..<(tagNames.count + block.count)))
            for (name, c) in block { tagNames.append(name); tagCat.append(c); tagCls.append(k) }
        }
        // The names are unique by construction, so this cannot throw.
        labels = try! LabelSet(tags: tagNames, categories: tagCat.map { catNames[$0] },
                               classes: tagCls.map { Self.classNames[$0] })
        categoryNames = catNames; categoryClass = catClass; tagCategory = tagCat; tagClass = tagCls
        classCategories = classCats; classTags = classTagIdx
        var byCat = [[Int]](repeating: [], count: catNames.count)
        for (t, c) in tagCat.enumerated() { byCat[c].append(t) }
        categoryTags = byCat
        let index = Dictionary(uniqueKeysWithValues: catNames.enumerated().map { ($1, $0) })
        categoryColumnOrder = labels.categories.map { index[$0]! }
    }

    var tagCount: Int { labels.count }
    var categoryCount: Int { categoryNames.count }
}

/// `n` in decimal, left-padded with zeros to `width` digits (`zeroPadded(42, width: 7)` is `0000042`).
func zeroPadded(_ n: Int, width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
