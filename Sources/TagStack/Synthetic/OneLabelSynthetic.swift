// One label a track, FMA-shaped (`tagstack generate --one-label`): the 16 top genres of fma_medium with its
// imbalance (Rock 7,103 tracks ... Easy Listening 21 of 25,000), one genre a track given per artist, artist
// and album groups never shared between train and test, and several sigmoid networks that see the track's
// audio genre with per-label miscalibration and confusion between neighbouring genres.
//
// The generative model (Data/README.md):
// - genres sit on a ring (`genres` order); a genre's neighbours are the two beside it;
// - an artist (1 + geometric tracks, mean 8; 1–3 albums) has a home genre drawn by fma_medium's counts; its
//   tracks' **label** is the artist's genre (labels given per artist, as uploaders gave them), while each
//   track's **audio** is the home genre (85%) or a neighbour; 8% of artists are mislabelled: their label is a
//   neighbour of their audio's home genre;
// - network n (strength s_n: 1.6, 1.2, 0.9, then 0.9 again) scores label k of a track as
//   σ(α_nk · (s_n · (2.2·[k = audio] + 0.9·[k beside audio]) + e_k + ε_nk) + β_nk): e_k a track effect shared
//   by the networks, ε_nk the network's own noise, α_nk = exp(N(0, 0.3)) and β_nk = −2.5 + N(0, 0.7) +
//   0.5·log(16 · prior_k) its miscalibration (frequent genres score higher everywhere): sigmoid taggers whose
//   16 scores neither sum to one nor rank the label first often.

import Foundation
import TagStackModel

public enum OneLabelSynthetic {
    /// fma_medium's 16 top genres and their tracks (25,000 in all), in ring order (neighbours are confused).
    public static let genres: [(name: String, tracks: Int)] = [
        ("Rock", 7103), ("Pop", 1186), ("Electronic", 6314), ("Experimental", 2251), ("Instrumental", 1350),
        ("Classical", 619), ("Old-Time / Historic", 510), ("Easy Listening", 21), ("Jazz", 384), ("Blues", 74),
        ("Country", 178), ("Folk", 1519), ("International", 1018), ("Spoken", 118), ("Hip-Hop", 2201), ("Soul-RnB", 154),
    ]

    /// The data set: `train` and `test` tracks, `networks` networks in all (the first named like the tags, the
    /// others `n2:`, `n3:` ...). The same arguments give the same data.
    public static func generate(train: Int, test: Int, seed: UInt64, networks: Int) throws -> SyntheticData {
        let t = genres.count
        let tags = genres.map(\.name)
        let labels = try LabelSet(tags: tags, categories: tags.map { _ in "genre" }, classes: tags.map { _ in "Genres" })
        var rng = SplitMix64(seed: seed, stream: 0x1AB)
        let total = Double(genres.reduce(0) { $0 + $1.tracks })
        let prior = genres.map { Double($0.tracks) / total }
        // Each network's strength and miscalibration per label.
        let strengths = (0..<networks).map { [1.6, 1.2, 0.9][min($0, 2)] }
        var alpha = [[Double]](), beta = [[Double]]()
        for _ in 0..<networks {
            alpha.append((0..<t).map { _ in exp(0.3 * rng.nextGaussian()) })
            beta.append((0..<t).map { k in -2.5 + 0.7 * rng.nextGaussian() + 0.5 * log(Double(t) * prior[k]) })
        }
        func draw(_ p: [Double]) -> Int {
            var u = rng.nextUnit(), k = 0
            while k < p.count - 1 && u >= p[k] { u -= p[k]; k += 1 }
            return k
        }
        func neighbour(_ g: Int) -> Int { rng.nextUnit() < 0.5 ? (g + 1) % t : (g + t - 1) % t }
        let columns = tags + (1..<max(networks, 1)).flatMap { n in tags.map { "n\(n + 1):" + $0 } }
        var artistNumber = 0
        func split(_ count: Int, prefix: String) -> SyntheticSplit {
            var ids: [String] = [], values: [Double] = [], y: [UInt8] = [], artists: [String] = [], albums: [String] = []
            while ids.count < count {
                artistNumber += 1
                let home = draw(prior)
                let label = rng.nextUnit() < 0.08 ? neighbour(home) : home
                let size = min(1 + Int(-log(max(rng.nextUnit(), 1e-12)) * 7), count - ids.count)
                let albumCount = 1 + rng.nextInt(below: 3)
                for _ in 0..<size {
                    let i = ids.count
                    ids.append(String(format: "%@%06d", prefix, i))
                    artists.append("artist\(artistNumber)")
                    albums.append("album\(artistNumber)-\(rng.nextInt(below: albumCount) + 1)")
                    var row = [UInt8](repeating: 0, count: t)
                    row[label] = 1
                    y.append(contentsOf: row)
                    let audio = rng.nextUnit() < 0.85 ? home : neighbour(home)
                    let shared = (0..<t).map { _ in 0.8 * rng.nextGaussian() }
                    for n in 0..<networks {
                        for k in 0..<t {
                            let near = k == (audio + 1) % t || k == (audio + t - 1) % t
                            let z = strengths[n] * ((k == audio ? 2.2 : 0) + (near ? 0.9 : 0)) + shared[k] + rng.nextGaussian()
                            values.append(sigmoid(alpha[n][k] * z + beta[n][k]))
                        }
                    }
                }
            }
            return SyntheticSplit(X: FeatureTable(ids: ids, columns: columns, values: values), y: LabelMatrix(ids: ids, tags: tags, values: y),
                                  groups: GroupTable(ids: ids, columns: ["artist", "album"], values: [artists, albums]))
        }
        let trainSplit = split(train, prefix: "tr")
        let testSplit = split(test, prefix: "te")
        var config = SyntheticConfig()
        config.trainCount = train; config.testCount = test; config.seed = seed; config.extraNetworks = networks - 1
        return SyntheticData(config: config, labels: labels, train: trainSplit, test: testSplit)
    }
}
