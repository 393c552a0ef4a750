import TagStackModel
@testable import TagStack

extension SyntheticData {
    /// The data cut to the tags of the first `categories` categories of each class (their score, category and
    /// `NET:tag` columns kept), so that stacker tests train in seconds.
    func subset(categoriesPerClass categories: Int) -> SyntheticData {
        let l = labels
        var keepCats = Set<String>()
        for members in l.tagIndicesByClass {
            var cats: [String] = []
            for k in members where !cats.contains(l.tagCategories[k]) { cats.append(l.tagCategories[k]) }
            keepCats.formUnion(cats.prefix(categories))
        }
        let keep = l.tags.indices.filter { keepCats.contains(l.tagCategories[$0]) }
        let tags = Set(keep.map { l.tags[$0] })
        let cut = try! LabelSet(tags: keep.map { l.tags[$0] }, categories: keep.map { l.tagCategories[$0] },
                                classes: keep.map { l.tagClasses[$0] })
        func kept(_ c: String) -> Bool {
            if tags.contains(c) || keepCats.contains(c) { return true }
            guard let colon = c.firstIndex(of: ":") else { return false }
            return tags.contains(String(c[c.index(after: colon)...]))
        }
        func split(_ s: SyntheticSplit) -> SyntheticSplit {
            let cols = s.X.columns.indices.filter { kept(s.X.columns[$0]) }
            let x = FeatureTable(ids: s.X.ids, columns: cols.map { s.X.columns[$0] },
                                 values: (0..<s.X.rowCount).flatMap { i in cols.map { s.X[i, $0] } })
            let y = LabelMatrix(ids: s.y.ids, tags: cut.tags, values: (0..<s.y.rowCount).flatMap { i in keep.map { s.y[i, $0] } })
            return SyntheticSplit(X: x, y: y, groups: s.groups)
        }
        return SyntheticData(config: config, labels: cut, train: split(train), test: split(test))
    }
}
