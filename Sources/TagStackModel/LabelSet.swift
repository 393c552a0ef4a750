// The tag hierarchy of a tagging task: every tag has a category and a class.
// Mewo: 248 tags in 41 categories in 3 classes (Genres, Instruments, Moods).

/// The tags a model predicts, each with its category and its class, in a fixed order.
///
/// The order is the order of `labels.csv`; every per-tag array in TagStack uses it.
public struct LabelSet: Codable, Sendable, Equatable {
    /// Tag names, unique.
    public let tags: [String]
    /// The category of each tag (parallel to `tags`).
    public let tagCategories: [String]
    /// The class of each tag (parallel to `tags`).
    public let tagClasses: [String]

    /// Distinct categories in order of first appearance.
    public var categories: [String] { LabelSet.distinct(tagCategories) }
    /// Distinct classes in order of first appearance.
    public var classes: [String] { LabelSet.distinct(tagClasses) }

    /// Creates a label set; the three arrays must have the same length and tags must be unique.
    public init(tags: [String], categories: [String], classes: [String]) throws {
        guard tags.count == categories.count, tags.count == classes.count else {
            throw ModelError.invalid("label set: \(tags.count) tags, \(categories.count) categories, \(classes.count) classes")
        }
        var seen = Set<String>()
        for t in tags where !seen.insert(t).inserted {
            throw ModelError.invalid("label set: duplicate tag '\(t)'")
        }
        self.tags = tags
        self.tagCategories = categories
        self.tagClasses = classes
    }

    public var count: Int { tags.count }

    /// Index of a tag by name, or nil.
    public func index(ofTag name: String) -> Int? { tags.firstIndex(of: name) }

    /// For each distinct class, the indices of its tags (classes in order of first appearance).
    public var tagIndicesByClass: [[Int]] { LabelSet.groupIndices(tagClasses) }
    /// For each distinct category, the indices of its tags (categories in order of first appearance).
    public var tagIndicesByCategory: [[Int]] { LabelSet.groupIndices(tagCategories) }

    static func distinct(_ xs: [String]) -> [String] {
        var seen = Set<String>(); var out: [String] = []
        for x in xs where seen.insert(x).inserted { out.append(x) }
        return out
    }

    static func groupIndices(_ keys: [String]) -> [[Int]] {
        var slot: [String: Int] = [:]; var out: [[Int]] = []
        for (i, k) in keys.enumerated() {
            if let s = slot[k] { out[s].append(i) } else { slot[k] = out.count; out.append([i]) }
        }
        return out
    }

    private enum CodingKeys: String, CodingKey { case tags, tagCategories = "categories", tagClasses = "classes" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let tags = try c.decode([String].self, forKey: .tags)
        let categories = try c.decode([String].self, forKey: .tagCategories)
        let classes = try c.decode([String].self, forKey: .tagClasses)
        do { try self.init(tags: tags, categories: categories, classes: classes) } catch ModelError.invalid(let why) {
            // Name the field: "at 'labels': label set: 16 tags, 15 categories, 16 classes".
            throw ModelError.invalid("at '\(decoder.codingPath.map(StackerModel.pathComponent).joined(separator: "."))': \(why)")
        }
    }
}
