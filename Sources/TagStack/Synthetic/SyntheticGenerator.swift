// Deterministic Mewo-shaped synthetic data: labels from a latent artist/genre structure, then the scores
// of miscalibrated first-stage networks. Data/README.md documents the model step by step.
//
// Random streams (all drawn from `config.seed`, so each part depends only on what it is about):
//   stream(seed, 1), (seed, 2), (seed, 3), (seed, 100 + n)   the world (SyntheticWorld)
//   split = stream(seed, 10) for train, stream(seed, 11) for test, then
//   stream(split, 0)          artists, albums, labels, artist score offsets
//   stream(split, 1 + n)      tag network n's noise (n = 0 is the main network)
//   stream(split, 1000)       the category network's noise
// The train split of N rows is therefore the same whatever the test count or the number of extra networks
// (apart from the extra columns), and the first N rows of a larger train split equal it too.

import Foundation
import TagStackModel

/// What to generate. Defaults: Mewo-like sizes (12 000 train and 4 000 test tracks), seed 1, no extra network.
public struct SyntheticConfig: Sendable, Equatable {
    public var trainCount: Int
    public var testCount: Int
    public var seed: UInt64
    /// Extra networks beyond the main one; network k (k = 2...extraNetworks + 1) adds the columns `nk:<tag>`.
    public var extraNetworks: Int

    public init(trainCount: Int = 12_000, testCount: Int = 4_000, seed: UInt64 = 1, extraNetworks: Int = 0) {
        self.trainCount = trainCount; self.testCount = testCount; self.seed = seed; self.extraNetworks = extraNetworks
    }

    /// Most rows the 7-digit `ChallengeID` allows.
    public static let maxRows = 9_999_999
    /// Most extra networks.
    public static let maxExtraNetworks = 98

    /// Throws `SyntheticError.invalidConfig` naming the first bad value.
    public func validate() throws {
        if trainCount < 1 { throw SyntheticError.invalidConfig("trainCount=\(trainCount) must be at least 1") }
        if testCount < 0 { throw SyntheticError.invalidConfig("testCount=\(testCount) must not be negative") }
        if trainCount > Self.maxRows - testCount {
            throw SyntheticError.invalidConfig("trainCount + testCount = \(trainCount + testCount) exceeds \(Self.maxRows)")
        }
        if extraNetworks < 0 || extraNetworks > Self.maxExtraNetworks {
            throw SyntheticError.invalidConfig("extraNetworks=\(extraNetworks) must be in 0...\(Self.maxExtraNetworks)")
        }
    }
}

/// A bad generator configuration; the string names the value.
public enum SyntheticError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(String)
    public var description: String {
        switch self { case let .invalidConfig(why): return "synthetic data: \(why)" }
    }
}

/// One split in the Mewo layout: scores, labels and groups, rows in the same order with the same IDs.
public struct SyntheticSplit: Sendable, Equatable {
    /// `ChallengeID` then the 248 tag scores, the 41 category scores, then `nk:<tag>` for extra networks.
    public var X: FeatureTable
    /// One 0/1 column per tag, in label order.
    public var y: LabelMatrix
    /// Columns `artist` and `album`.
    public var groups: GroupTable
}

/// A generated data set: the label hierarchy and the two splits. No artist appears in both splits.
public struct SyntheticData: Sendable, Equatable {
    public var config: SyntheticConfig
    public var labels: LabelSet
    public var train: SyntheticSplit
    public var test: SyntheticSplit
}

/// Generates Mewo-shaped data deterministically from a `SyntheticConfig`.
public struct SyntheticGenerator: Sendable {
    public let config: SyntheticConfig

    /// Throws `SyntheticError.invalidConfig` if a count is out of range.
    public init(config: SyntheticConfig = SyntheticConfig()) throws {
        try config.validate()
        self.config = config
    }

    /// The label set of every synthetic data set (it does not depend on the seed).
    public static var labels: LabelSet { SyntheticLayout.shared.labels }

    /// The feature column names for `extraNetworks` extra networks.
    public static func columns(extraNetworks: Int) -> [String] {
        let layout = SyntheticLayout.shared
        var cols = layout.labels.tags + layout.categoryColumnOrder.map { layout.categoryNames[$0] }
        if extraNetworks > 0 {
            for k in 2...(extraNetworks + 1) { cols += layout.labels.tags.map { "n\(k):\($0)" } }
        }
        return cols
    }

    /// Generates both splits.
    public func generate() -> SyntheticData {
        let world = SyntheticWorld(seed: config.seed, networkCount: 1 + config.extraNetworks)
        let trainDraw = SyntheticLabelDraw(world: world, seed: SplitMix64(seed: config.seed, stream: 10).streamSeed,
                                           rows: config.trainCount)
        let testDraw = SyntheticLabelDraw(world: world, seed: SplitMix64(seed: config.seed, stream: 11).streamSeed,
                                          rows: config.testCount)
        let train = split(trainDraw, world: world, firstRow: 1, firstArtist: 1, firstAlbum: 1)
        let test = split(testDraw, world: world, firstRow: 1 + config.trainCount,
                         firstArtist: 1 + trainDraw.artistCount, firstAlbum: 1 + trainDraw.albumCount)
        return SyntheticData(config: config, labels: world.layout.labels, train: train, test: test)
    }

    private func split(_ draw: SyntheticLabelDraw, world: SyntheticWorld,
                       firstRow: Int, firstArtist: Int, firstAlbum: Int) -> SyntheticSplit {
        let layout = world.layout
        let ids = (0..<draw.rows).map { zeroPadded(firstRow + $0, width: 7) }
        let columns = Self.columns(extraNetworks: config.extraNetworks)
        var values = [Double](repeating: 0, count: draw.rows * columns.count)
        let nT = layout.tagCount, nC = layout.categoryCount
        // Main network: columns 0..<nT; category network: nT..<nT+nC; extra network k: after those.
        draw.tagScores(network: world.networks[0], stream: 1, into: &values, stride: columns.count, offset: 0)
        draw.categoryScores(network: world.categoryNetwork, into: &values, stride: columns.count, offset: nT)
        for k in 0..<config.extraNetworks {
            draw.tagScores(network: world.networks[k + 1], stream: UInt64(2 + k), into: &values,
                           stride: columns.count, offset: nT + nC + k * nT)
        }
        let artists = draw.rowArtist.map { zeroPadded(firstArtist + $0, width: 6) }
        let albums = draw.rowAlbum.map { zeroPadded(firstAlbum + $0, width: 6) }
        return SyntheticSplit(
            X: FeatureTable(ids: ids, columns: columns, values: values),
            y: LabelMatrix(ids: ids, tags: layout.labels.tags, values: draw.y),
            groups: GroupTable(ids: ids, columns: ["artist", "album"], values: [artists, albums]))
    }
}

extension SyntheticData {
    /// Generates data for `config` (a shorthand for `SyntheticGenerator(config:).generate()`).
    public static func generate(_ config: SyntheticConfig = SyntheticConfig()) throws -> SyntheticData {
        try SyntheticGenerator(config: config).generate()
    }
}
