// Tracks of one split: artists (with albums) drawn one after another until the split is full, each
// track's labels drawn from its artist's style. Also keeps what the score step needs (per-category
// counts, artist score offsets).

import Foundation

struct SyntheticLabelDraw: Sendable {
    let world: SyntheticWorld
    /// The split's seed; stream 0 is used here, the networks use the others.
    let seed: UInt64
    let rows: Int
    /// `rows × tagCount` labels, row-major.
    private(set) var y: [UInt8]
    /// `rows × categoryCount`: how many of the category's tags are positive.
    private(set) var categoryCount: [UInt8]
    /// Per row: the artist's and the album's index within the split.
    private(set) var rowArtist: [Int] = []
    private(set) var rowAlbum: [Int] = []
    /// `artistCount × (tagCount + categoryCount)`: each artist's offset in the network scores.
    private(set) var artistScoreOffset: [Double] = []
    private(set) var artistCount = 0
    private(set) var albumCount = 0

    init(world: SyntheticWorld, seed: UInt64, rows: Int) {
        typealias K = SyntheticConstants
        self.world = world; self.seed = seed; self.rows = rows
        let layout = world.layout
        let nT = layout.tagCount, nC = layout.categoryCount
        let genres = layout.classCategories[0]
        y = [UInt8](repeating: 0, count: rows * nT)
        categoryCount = [UInt8](repeating: 0, count: rows * nC)
        var rng = SplitMix64(seed: seed, stream: 0)
        let genreWeight = world.genreCategoryLogWeight.map(exp)

        var artistTilt = [Double](repeating: 0, count: nT)
        var artistOffset = [Double](repeating: 0, count: nC)
        var albumOffset = [Double](repeating: 0, count: nC)
        var weights = [Double](repeating: 0, count: nT)
        var row = 0
        while row < rows {
            // The artist: size, genre categories, style.
            let drawn = Int(exp(K.artistSizeLogMean + K.artistSizeLogSD * rng.nextGaussian()).rounded(.up))
            let size = min(max(drawn, 1), K.artistSizeMax)
            let genreCount = 1 + categorical(K.artistGenreCountProbabilities, &rng)
            var artistGenres: [Int] = []
            for _ in 0..<genreCount {
                artistGenres.append(weightedPick(genres, excluding: artistGenres, weights: genreWeight, &rng))
            }
            for t in 0..<nT { artistTilt[t] = K.artistTagTiltSD * rng.nextGaussian() }
            for c in 0..<nC { artistOffset[c] = K.artistCategoryOffsetSD * rng.nextGaussian() }
            for _ in 0..<(nT + nC) { artistScoreOffset.append(K.artistScoreOffsetSD * rng.nextGaussian()) }
            let artist = artistCount
            artistCount += 1

            for i in 0..<min(size, rows - row) {
                if i == 0 || rng.nextUnit() < K.newAlbumProbability {
                    for c in 0..<nC { albumOffset[c] = K.albumCategoryOffsetSD * rng.nextGaussian() }
                    albumCount += 1
                }
                rowArtist.append(artist); rowAlbum.append(albumCount - 1)

                drawTags(row: row, artistGenres: artistGenres, genreWeight: genreWeight, artistTilt: artistTilt,
                         artistOffset: artistOffset, albumOffset: albumOffset, weights: &weights, &rng)
                row += 1
            }
        }
    }

    /// One track's tags (row `row`), given its artist's genres, tag tilts and category offsets and its album's
    /// (`weights`: scratch, a value per tag).
    private mutating func drawTags(row: Int, artistGenres: [Int], genreWeight: [Double], artistTilt: [Double],
                                   artistOffset: [Double], albumOffset: [Double], weights: inout [Double], _ rng: inout SplitMix64) {
        typealias K = SyntheticConstants
        let layout = world.layout, nT = layout.tagCount, nC = layout.categoryCount
        let genres = layout.classCategories[0]
        // Genre categories: mostly the artist's, sometimes any.
        let m = 1 + categorical(K.trackGenreCountProbabilities, &rng)
        var trackGenres: [Int] = []
        for _ in 0..<m {
            let fromArtist = rng.nextUnit() < K.fromArtistGenresProbability
            let pool = fromArtist && artistGenres.contains(where: { !trackGenres.contains($0) }) ? artistGenres : genres
            trackGenres.append(weightedPick(pool, excluding: trackGenres, weights: genreWeight, &rng))
        }
        for g in trackGenres {
            for t in layout.categoryTags[g] { weights[t] = exp(world.tagLogWeight[t] + artistTilt[t]) }
            pickTags(category: g, row: row, weights: weights, extra: K.extraTagProbability[0], &rng)
        }
        // Instrument and mood categories: present by a logistic model of the genres and the artist.
        let share = 1.0 / Double(trackGenres.count)
        for k in 1...2 {
            for c in layout.classCategories[k] {
                var logit = world.categoryBase[c] + artistOffset[c] + albumOffset[c]
                for g in trackGenres { logit += share * world.affinity[g * nC + c] }
                guard rng.nextUnit() < 1 / (1 + exp(-logit)) else { continue }
                for t in layout.categoryTags[c] {
                    var w = world.tagLogWeight[t] + artistTilt[t]
                    for g in trackGenres { w += share * world.tilt[g * nT + t] }
                    weights[t] = exp(w)
                }
                pickTags(category: c, row: row, weights: weights, extra: K.extraTagProbability[k], &rng)
            }
        }
    }

    /// Marks one tag of `category` positive (chosen by `weights`), then each further one with probability `extra`.
    private mutating func pickTags(category c: Int, row: Int, weights: [Double], extra: Double,
                                   _ rng: inout SplitMix64) {
        let layout = world.layout
        let tags = layout.categoryTags[c]
        let nT = layout.tagCount
        var chosen: [Int] = []
        repeat {
            let t = weightedPick(tags, excluding: chosen, weights: weights, &rng)
            chosen.append(t)
            y[row * nT + t] = 1
        } while chosen.count < tags.count && rng.nextUnit() < extra
        categoryCount[row * layout.categoryCount + c] = UInt8(chosen.count)
    }
}

/// Index drawn from `probabilities` (which sum to 1).
func categorical(_ probabilities: [Double], _ rng: inout SplitMix64) -> Int {
    var u = rng.nextUnit()
    for (i, p) in probabilities.enumerated() {
        if u < p { return i }
        u -= p
    }
    return probabilities.count - 1
}

/// An element of `pool` not in `excluding`, with probability proportional to `weights[element]`.
/// `pool` must contain at least one element not in `excluding`.
func weightedPick(_ pool: [Int], excluding: [Int], weights: [Double], _ rng: inout SplitMix64) -> Int {
    var total = 0.0
    for x in pool where !excluding.contains(x) { total += weights[x] }
    var u = rng.nextUnit() * total
    var last = -1
    for x in pool where !excluding.contains(x) {
        last = x
        if u < weights[x] { return x }
        u -= weights[x]
    }
    return last
}
