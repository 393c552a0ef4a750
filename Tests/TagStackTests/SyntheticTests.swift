import Foundation
import XCTest
import TagStackModel
@testable import TagStack

/// The synthetic generator: shape, determinism, label and score invariants, groups, files.
final class SyntheticTests: XCTestCase {
    static let seed: UInt64 = 7
    /// One small data set shared by the read-only checks (600 train, 200 test).
    static let small: SyntheticData = {
        print("SyntheticTests: seed \(seed)")
        return try! SyntheticData.generate(SyntheticConfig(trainCount: 600, testCount: 200, seed: seed))
    }()

    // MARK: - Shape

    func testLabelSetHasMewoShape() {
        let labels = SyntheticGenerator.labels
        XCTAssertEqual(labels.count, 248)
        XCTAssertEqual(labels.classes, ["Genres", "Instruments", "Moods"])
        XCTAssertEqual(labels.tagIndicesByClass.map(\.count), [90, 112, 46])
        XCTAssertEqual(labels.categories.count, 41)
        for (k, name) in labels.classes.enumerated() {
            let sizes = labels.tagIndicesByCategory.filter { labels.tagClasses[$0[0]] == name }.map(\.count).sorted()
            XCTAssertEqual(sizes, SyntheticLayout.categorySizes[k], "category sizes of \(name)")
        }
        // Every category's tags share its class.
        for idx in labels.tagIndicesByCategory {
            XCTAssertEqual(Set(idx.map { labels.tagClasses[$0] }).count, 1)
        }
        // A category's name is never a tag's name (the X columns would be ambiguous).
        XCTAssertTrue(Set(labels.categories).isDisjoint(with: labels.tags))
    }

    func testCategorySizesMatchRealHierarchyWhenPresent() throws {
        guard let dir = sharedDataFolder("mewo") else {
            throw XCTSkip("shared/data/mewo absent: cannot compare with the real hierarchy")
        }
        let real = try MewoIO.readLabels(path: dir + "/labels.csv")
        let ours = SyntheticGenerator.labels
        XCTAssertEqual(real.classes, ours.classes)
        for name in real.classes {
            func sizes(_ l: LabelSet) -> [Int] {
                l.tagIndicesByCategory.filter { l.tagClasses[$0[0]] == name }.map(\.count).sorted()
            }
            XCTAssertEqual(sizes(real), sizes(ours), name)
        }
        XCTAssertTrue(Set(real.tags).isDisjoint(with: ours.tags), "synthetic tags must use invented names")
    }

    func testTagOrderInterleavesCategories() {
        let labels = SyntheticGenerator.labels
        // Classes are contiguous blocks, as in the real file ...
        XCTAssertEqual(labels.tagIndicesByClass.map { $0.last! - $0.first! + 1 }, [90, 112, 46])
        // ... but the tags of a category are not.
        let contiguous = labels.tagIndicesByCategory.filter { $0.count > 1 && $0.last! - $0.first! + 1 == $0.count }
        XCTAssertLessThanOrEqual(contiguous.count, 2, "categories stored contiguously: \(contiguous.count)")
        let adjacentSameCategory = (1..<labels.count).filter { labels.tagCategories[$0] == labels.tagCategories[$0 - 1] }
        XCTAssertLessThan(adjacentSameCategory.count, 40)
    }

    func testColumnsAndIDs() {
        let d = Self.small
        let cols = d.train.X.columns
        XCTAssertEqual(cols.count, 289)
        XCTAssertEqual(Array(cols.prefix(248)), d.labels.tags)
        XCTAssertEqual(Array(cols.suffix(41)), d.labels.categories)
        XCTAssertEqual(d.test.X.columns, cols)
        XCTAssertEqual(d.train.y.tags, d.labels.tags)
        XCTAssertEqual(d.train.groups.columns, ["artist", "album"])
        XCTAssertEqual(d.train.X.rowCount, 600); XCTAssertEqual(d.test.X.rowCount, 200)
        XCTAssertEqual(d.train.X.ids.first, "0000001"); XCTAssertEqual(d.train.X.ids.last, "0000600")
        XCTAssertEqual(d.test.X.ids.first, "0000601"); XCTAssertEqual(d.test.X.ids.last, "0000800")
        XCTAssertEqual(Set(d.train.X.ids + d.test.X.ids).count, 800)
        for s in [d.train, d.test] {
            XCTAssertEqual(s.y.ids, s.X.ids); XCTAssertEqual(s.groups.ids, s.X.ids)
        }
    }

    func testExtraNetworksAddColumnsWithoutChangingTheOthers() throws {
        let base = try SyntheticData.generate(SyntheticConfig(trainCount: 150, testCount: 50, seed: Self.seed))
        let more = try SyntheticData.generate(SyntheticConfig(trainCount: 150, testCount: 50, seed: Self.seed, extraNetworks: 2))
        let cols = more.train.X.columns
        XCTAssertEqual(cols.count, 289 + 2 * 248)
        XCTAssertEqual(Array(cols[289..<(289 + 248)]), base.labels.tags.map { "n2:" + $0 })
        XCTAssertEqual(Array(cols.suffix(248)), base.labels.tags.map { "n3:" + $0 })
        XCTAssertEqual(cols, SyntheticGenerator.columns(extraNetworks: 2))
        for s in [(base.train, more.train), (base.test, more.test)] {
            XCTAssertEqual(s.0.y, s.1.y)
            XCTAssertEqual(s.0.groups, s.1.groups)
            for r in 0..<s.0.X.rowCount {
                for j in 0..<289 { XCTAssertEqual(s.0.X[r, j], s.1.X[r, j]) }
            }
        }
        assertScoresValid(more.train.X)
        // The extra networks see the same labels with their own errors: correlated, not equal.
        let a = more.train.X.column(0), b = more.train.X.column(289)
        XCTAssertNotEqual(a, b)
    }

    // MARK: - Determinism

    func testSameConfigGivesSameData() throws {
        let again = try SyntheticData.generate(SyntheticConfig(trainCount: 600, testCount: 200, seed: Self.seed))
        XCTAssertEqual(again, Self.small)
    }

    func testTrainDoesNotDependOnTestCount() throws {
        let other = try SyntheticData.generate(SyntheticConfig(trainCount: 600, testCount: 37, seed: Self.seed))
        XCTAssertEqual(other.train, Self.small.train)
        XCTAssertEqual(other.test.X.ids.first, "0000601")
    }

    func testSmallerTrainIsAPrefix() throws {
        let fewer = try SyntheticData.generate(SyntheticConfig(trainCount: 250, testCount: 10, seed: Self.seed))
        let big = Self.small.train, n = 250, c = big.X.columnCount
        XCTAssertEqual(fewer.train.X.values, Array(big.X.values[0..<(n * c)]))
        XCTAssertEqual(fewer.train.y.values, Array(big.y.values[0..<(n * 248)]))
        XCTAssertEqual(fewer.train.groups.values[0], Array(big.groups.values[0][0..<n]))
    }

    func testDifferentSeedsDiffer() throws {
        let other = try SyntheticData.generate(SyntheticConfig(trainCount: 600, testCount: 200, seed: Self.seed + 1))
        XCTAssertNotEqual(other.train.y, Self.small.train.y)
        XCTAssertNotEqual(other.train.X, Self.small.train.X)
        XCTAssertEqual(other.labels, Self.small.labels)
    }

    // MARK: - Labels and scores

    func testLabelsAreBinaryAndEveryTrackHasAGenre() {
        let d = Self.small
        let genres = d.labels.tagIndicesByClass[0]
        for s in [d.train, d.test] {
            XCTAssertTrue(s.y.values.allSatisfy { $0 <= 1 })
            for r in 0..<s.y.rowCount {
                let g = genres.reduce(0) { $0 + Int(s.y[r, $1]) }
                XCTAssertGreaterThanOrEqual(g, 1, "row \(s.y.ids[r]) has no genre")
                // One to three genre categories.
                let cats = Set(genres.filter { s.y[r, $0] == 1 }.map { d.labels.tagCategories[$0] })
                XCTAssertTrue((1...3).contains(cats.count), "row \(s.y.ids[r]): \(cats.count) genre categories")
            }
        }
    }

    func testScoresAreFiniteAndInsideTheOpenUnitInterval() {
        assertScoresValid(Self.small.train.X)
        assertScoresValid(Self.small.test.X)
    }

    /// The scores carry signal: positives score higher than negatives, the category column follows the
    /// category's presence, and a positive sibling raises a negative tag's score (the leakage).
    func testScoresAreInformativeAndLeakIntoSiblings() throws {
        let d = try SyntheticData.generate(SyntheticConfig(trainCount: 3000, testCount: 1, seed: Self.seed))
        let X = d.train.X, y = d.train.y, labels = d.labels
        var informative = 0, counted = 0, leakUp = 0, leakCounted = 0
        let byCategory = Dictionary(uniqueKeysWithValues: zip(labels.categories, labels.tagIndicesByCategory))
        for t in 0..<labels.count {
            let siblings = byCategory[labels.tagCategories[t]]!.filter { $0 != t }
            var pos: [Double] = [], neg: [Double] = [], negSib: [Double] = [], negAlone: [Double] = []
            for r in 0..<X.rowCount {
                let z = logit(X[r, t])
                if y[r, t] == 1 { pos.append(z); continue }
                neg.append(z)
                if siblings.contains(where: { y[r, $0] == 1 }) { negSib.append(z) } else { negAlone.append(z) }
            }
            if pos.count >= 10 { counted += 1; if auc(pos, neg) > 0.7 { informative += 1 } }
            if negSib.count >= 20 { leakCounted += 1; if mean(negSib) > mean(negAlone) { leakUp += 1 } }
        }
        XCTAssertGreaterThan(counted, 150)
        XCTAssertGreaterThanOrEqual(Double(informative), 0.95 * Double(counted), "informative tags")
        XCTAssertGreaterThan(leakCounted, 100)
        XCTAssertGreaterThanOrEqual(Double(leakUp), 0.9 * Double(leakCounted), "sibling leakage")
        var categoryInformative = 0
        for (j, c) in labels.categories.enumerated() {
            let tags = byCategory[c]!
            var present: [Double] = [], absent: [Double] = []
            for r in 0..<X.rowCount {
                let z = logit(X[r, labels.count + j])
                if tags.contains(where: { y[r, $0] == 1 }) { present.append(z) } else { absent.append(z) }
            }
            if present.count >= 10, auc(present, absent) > 0.7 { categoryInformative += 1 }
        }
        XCTAssertEqual(categoryInformative, 41, "category columns informative")
    }

    /// Prevalence is heavy-tailed, roughly 0.2% to 25%, at the default size.
    func testPrevalenceAtDefaultSize() throws {
        let d = try SyntheticData.generate(SyntheticConfig(seed: 1))
        let y = d.train.y
        let prevalence = (0..<248).map { t in Double((0..<y.rowCount).reduce(0) { $0 + Int(y[$1, t]) }) / Double(y.rowCount) }
        let sorted = prevalence.sorted()
        print("SyntheticTests: default-size prevalence min \(sorted.first!), median \(sorted[124]), max \(sorted.last!)")
        XCTAssertGreaterThanOrEqual(sorted.first!, 0.0008)
        XCTAssertLessThanOrEqual(sorted.first!, 0.005)
        XCTAssertGreaterThanOrEqual(sorted.last!, 0.12)
        XCTAssertLessThanOrEqual(sorted.last!, 0.30)
        XCTAssertGreaterThan(sorted.last! / sorted[124], 3, "heavy upper tail")
        XCTAssertGreaterThan(sorted[124] / sorted.first!, 5, "heavy lower tail")
        XCTAssertEqual(d.train.X.rowCount, 12_000); XCTAssertEqual(d.test.X.rowCount, 4_000)
    }

    // MARK: - Groups

    func testArtistsAreNotSharedAndAlbumsNestInArtists() {
        let d = Self.small
        let trainArtists = Set(d.train.groups.values[0]), testArtists = Set(d.test.groups.values[0])
        XCTAssertTrue(trainArtists.isDisjoint(with: testArtists))
        XCTAssertTrue(Set(d.train.groups.values[1]).isDisjoint(with: Set(d.test.groups.values[1])))
        for s in [d.train, d.test] {
            var artistOfAlbum: [String: String] = [:], size: [String: Int] = [:]
            for r in 0..<s.groups.ids.count {
                let artist = s.groups.values[0][r], album = s.groups.values[1][r]
                XCTAssertEqual(artistOfAlbum[album, default: artist], artist, "album \(album) spans two artists")
                artistOfAlbum[album] = artist
                size[artist, default: 0] += 1
            }
            XCTAssertLessThanOrEqual(size.values.max()!, SyntheticConstants.artistSizeMax)
            XCTAssertGreaterThan(size.count, 10)
            XCTAssertLessThan(artistOfAlbum.count, s.groups.ids.count, "albums hold several tracks")
        }
    }

    // MARK: - Configuration and files

    func testInvalidConfigurationsAreRefused() {
        for bad in [SyntheticConfig(trainCount: 0), SyntheticConfig(testCount: -1),
                    SyntheticConfig(trainCount: 9_999_999, testCount: 1), SyntheticConfig(extraNetworks: -1)] {
            XCTAssertThrowsError(try SyntheticGenerator(config: bad)) { error in
                XCTAssertTrue("\(error)".hasPrefix("synthetic data: "), "\(error)")
            }
        }
        XCTAssertNoThrow(try SyntheticGenerator(config: SyntheticConfig(trainCount: 5, testCount: 0)))
    }

    func testWrittenFilesReadBackEqual() throws {
        let dir = TempDir()
        let d = try SyntheticData.generate(SyntheticConfig(trainCount: 60, testCount: 20, seed: Self.seed, extraNetworks: 1))
        try d.write(to: dir.path + "/out")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/out").sorted(), d.fileNames.sorted())
        let labels = try MewoIO.readLabels(path: dir.path + "/out/labels.csv")
        XCTAssertEqual(labels, d.labels)
        for (name, s) in [("train", d.train), ("test", d.test)] {
            let X = try MewoIO.readFeatures(path: dir.path + "/out/\(name)_X.csv")
            XCTAssertEqual(X, s.X, "\(name)_X.csv")
            let y = try MewoIO.readLabelMatrix(path: dir.path + "/out/\(name)_y.csv", labels: labels, alignTo: X.ids)
            XCTAssertEqual(y, s.y, "\(name)_y.csv")
            let g = try MewoIO.readGroups(path: dir.path + "/out/\(name)_groups.csv", alignTo: X.ids)
            XCTAssertEqual(g, s.groups, "\(name)_groups.csv")
        }
        // Same config, same bytes.
        try d.write(to: dir.path + "/again")
        for f in d.fileNames {
            let a = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/out/" + f))
            let b = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/again/" + f))
            XCTAssertEqual(a, b, f)
        }
    }

    func testWithoutTestRowsOnlyTrainFilesAreWritten() throws {
        let dir = TempDir()
        let d = try SyntheticData.generate(SyntheticConfig(trainCount: 10, testCount: 0, seed: Self.seed))
        try d.write(to: dir.path)
        XCTAssertEqual(dir.files(), ["labels.csv", "train_X.csv", "train_groups.csv", "train_y.csv"])
    }

    // MARK: - Helpers

    private func assertScoresValid(_ X: FeatureTable, file: StaticString = #filePath, line: UInt = #line) {
        let bad = X.values.firstIndex { !($0.isFinite && $0 > 0 && $0 < 1) }
        XCTAssertNil(bad, "score \(bad.map { X.values[$0] } ?? 0) outside (0, 1)", file: file, line: line)
    }

    private func logit(_ p: Double) -> Double { log(p / (1 - p)) }
    private func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
    /// ROC AUC: the probability that a random positive outscores a random negative (ties count half).
    private func auc(_ pos: [Double], _ neg: [Double]) -> Double {
        let all = (pos.map { ($0, 1) } + neg.map { ($0, 0) }).sorted { $0.0 < $1.0 }
        var rankSum = 0.0, i = 0
        while i < all.count {
            var j = i
            while j < all.count && all[j].0 == all[i].0 { j += 1 }
            let midRank = Double(i + j + 1) / 2
            for k in i..<j where all[k].1 == 1 { rankSum += midRank }
            i = j
        }
        let p = Double(pos.count), n = Double(neg.count)
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }
}
