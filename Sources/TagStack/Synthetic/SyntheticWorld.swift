// The hidden "world" of the synthetic data: tag popularities, genre → instrument/mood affinities and the
// per-tag behaviour of each first-stage network. Drawn once from the seed; shared by the train and test
// splits. Data/README.md describes every step; the constants below are the numbers it quotes.

import Foundation

/// The generative model's constants (see Data/README.md, "Generative model").
enum SyntheticConstants {
    // Artists and albums.
    static let artistSizeLogMean = 1.5, artistSizeLogSD = 1.1, artistSizeMax = 60
    static let artistGenreCountProbabilities = [0.50, 0.35, 0.15]   // 1, 2 or 3 genre categories
    static let newAlbumProbability = 0.2                            // per track after an artist's first
    static let artistTagTiltSD = 0.9          // artist's preference among a category's tags
    static let artistCategoryOffsetSD = 0.6   // artist's instrument/mood category offsets
    static let albumCategoryOffsetSD = 0.35
    // Tracks.
    static let trackGenreCountProbabilities = [0.60, 0.30, 0.10]
    static let fromArtistGenresProbability = 0.8
    static let extraTagProbability = [0.12, 0.30, 0.18]            // per class: another tag of a present category
    // World.
    static let genreCategoryLogWeightSD = 0.7
    static let tagLogWeightSD = 0.6
    static let categoryBaseMean = [0.0, -2.4, -2.0], categoryBaseSD = [0.0, 0.9, 0.7]
    static let categorySizeSlope = 0.9
    static let affinitySD = 0.6, affinityBoost = 2.2, affinityCut = -1.5
    static let affinityBoostCount = [0, 3, 2], affinityCutCount = [0, 2, 1]  // per class, per genre category
    static let tiltSD = 0.5                   // genre category → tag preference inside a category
    // First-stage networks.
    static let separationLogMean = log(2.0), separationLogSD = 0.35
    static let networkSeparationJitterSD = 0.1
    static let leakFractionRange = (0.25, 0.75)
    static let artistScoreOffsetSD = 0.45
    static let classOffsetSD = 0.45
    static let temperatureLogSD = 0.55
    static let biasMean = -1.55, biasSD = 1.1
    static let categorySeparationLogMean = log(1.8), categorySeparationLogSD = 0.3
    static let categoryExtraTagBoost = 0.3
    static let logitClamp = 12.0
}

/// One first-stage network's behaviour per tag (or per category for the category network).
struct SyntheticNetwork: Sendable {
    /// Logit-space separation between positives and negatives.
    var separation: [Double]
    /// Added when a sibling tag (same category) is positive; 0 for the category network.
    var leak: [Double]
    /// Monotone distortion: reported logit = temperature × latent + bias.
    var temperature: [Double]
    var bias: [Double]
}

struct SyntheticWorld: Sendable {
    let layout: SyntheticLayout
    /// Per genre category (internal index 0..<18): log of its popularity weight.
    let genreCategoryLogWeight: [Double]
    /// Per tag: log of its popularity among its category's tags.
    let tagLogWeight: [Double]
    /// Per category: base logit of being present (instrument and mood categories; 0 for genres).
    let categoryBase: [Double]
    /// `affinity[g * categoryCount + c]`: genre category g's effect on the logit of category c.
    let affinity: [Double]
    /// `tilt[g * tagCount + t]`: genre category g's effect on choosing tag t inside its category.
    let tilt: [Double]
    /// Tag networks: index 0 is the main network (the tag columns), 1... the extra networks.
    let networks: [SyntheticNetwork]
    /// The category network (the category columns), indexed by internal category.
    let categoryNetwork: SyntheticNetwork

    init(seed: UInt64, networkCount: Int, layout: SyntheticLayout = .shared) {
        typealias K = SyntheticConstants
        self.layout = layout
        let nT = layout.tagCount, nC = layout.categoryCount
        let genres = layout.classCategories[0]
        var rng = SplitMix64(seed: seed, stream: 1)
        // Log-normal popularities, clipped at ±2 SD so that no tag is vanishingly rare.
        genreCategoryLogWeight = genres.map { _ in K.genreCategoryLogWeightSD * clip2(rng.nextGaussian()) }
        tagLogWeight = (0..<nT).map { _ in K.tagLogWeightSD * clip2(rng.nextGaussian()) }
        categoryBase = (0..<nC).map { c in
            let k = layout.categoryClass[c]
            // Larger categories are more often present (as "guitars" is more common than "harps").
            let size = Double(layout.categoryTags[c].count)
            return K.categoryBaseMean[k] + K.categorySizeSlope * log(size / 4) + K.categoryBaseSD[k] * clip2(rng.nextGaussian())
        }
        var aff = [Double](repeating: 0, count: genres.count * nC)
        for g in genres.indices {
            for k in 1...2 {
                var cats = layout.classCategories[k]
                for c in cats { aff[g * nC + c] = K.affinitySD * rng.nextGaussian() }
                rng.shuffle(&cats)
                for c in cats.prefix(K.affinityBoostCount[k]) { aff[g * nC + c] += K.affinityBoost }
                for c in cats.dropFirst(K.affinityBoostCount[k]).prefix(K.affinityCutCount[k]) {
                    aff[g * nC + c] += K.affinityCut
                }
            }
        }
        affinity = aff
        var tl = [Double](repeating: 0, count: genres.count * nT)
        for g in genres.indices {
            for t in 0..<nT where layout.tagClass[t] != 0 { tl[g * nT + t] = K.tiltSD * rng.nextGaussian() }
        }
        tilt = tl
        networks = SyntheticWorld.tagNetworks(seed: seed, count: networkCount, tagCount: nT)
        categoryNetwork = SyntheticWorld.makeCategoryNetwork(seed: seed, categoryCount: nC)
    }

    /// The tag networks' parameters. The tag's difficulty is shared by all networks (some tags are hard to
    /// hear), each network jitters it and has its own distortion. Network n draws from its own stream, so
    /// adding networks never changes the first ones.
    static func tagNetworks(seed: UInt64, count: Int, tagCount nT: Int) -> [SyntheticNetwork] {
        typealias K = SyntheticConstants
        var base = SplitMix64(seed: seed, stream: 2)
        let difficulty = (0..<nT).map { _ in K.separationLogMean + K.separationLogSD * base.nextGaussian() }
        let leakFraction = (0..<nT).map { _ in
            K.leakFractionRange.0 + (K.leakFractionRange.1 - K.leakFractionRange.0) * base.nextUnit()
        }
        return (0..<count).map { n in
            var r = SplitMix64(seed: seed, stream: 100 + UInt64(n))
            var net = SyntheticNetwork(separation: [], leak: [], temperature: [], bias: [])
            for t in 0..<nT {
                let d = exp(difficulty[t] + K.networkSeparationJitterSD * r.nextGaussian())
                net.separation.append(d)
                net.leak.append(leakFraction[t] * d)
                net.temperature.append(exp(K.temperatureLogSD * r.nextGaussian()))
                net.bias.append(K.biasMean + K.biasSD * r.nextGaussian())
            }
            return net
        }
    }

    /// The category network's parameters (its own stream).
    static func makeCategoryNetwork(seed: UInt64, categoryCount nC: Int) -> SyntheticNetwork {
        typealias K = SyntheticConstants
        var rc = SplitMix64(seed: seed, stream: 3)
        var cn = SyntheticNetwork(separation: [], leak: [], temperature: [], bias: [])
        for _ in 0..<nC {
            cn.separation.append(exp(K.categorySeparationLogMean + K.categorySeparationLogSD * rc.nextGaussian()))
            cn.leak.append(0)
            cn.temperature.append(exp(K.temperatureLogSD * rc.nextGaussian()))
            cn.bias.append(K.biasMean + K.biasSD * rc.nextGaussian())
        }
        return cn
    }
}

/// `z` clipped to [−2, 2].
func clip2(_ z: Double) -> Double { min(max(z, -2), 2) }
