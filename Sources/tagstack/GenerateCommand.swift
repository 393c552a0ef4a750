import Foundation
import TagStack

enum GenerateCommand {
    static let help = """
    USAGE: tagstack generate --out DIR [--train N] [--test M] [--seed S] [--networks K] [--one-label]

    Writes deterministic Mewo-shaped synthetic data into DIR: labels.csv, train_X.csv, train_y.csv,
    train_groups.csv, test_X.csv, test_y.csv, test_groups.csv. 248 tags (90 genres, 112 instruments,
    46 moods) in 41 categories; 289 input columns (tags then categories); artists and albums never shared
    between train and test. The same options always give byte-identical files (Data/README.md documents the
    generative model).

    OPTIONS:
      --out DIR        Folder to write (created if missing; its contents are replaced as a set) (required)
      --train N        Training tracks (default: 12000)
      --test M         Test tracks (default: 4000; 0 writes no test files)
      --seed S         Seed (default: 1)
      --networks K     Extra networks of similar strength, as columns n2:<tag> ... (default: 0; 2 with --one-label)
      --one-label      One label a track, FMA-shaped: fma_medium's 16 genres with its imbalance (Rock 7,103 ...
                       Easy Listening 21), labels given per artist (8% of artists mislabelled), artist and album
                       groups, sigmoid networks with per-label miscalibration that confuse neighbouring genres
                       (default sizes 20000 train, 5000 test)
    """

    static func run(_ args: inout Arguments) throws {
        let out = try args.requiredPath("--out")
        var config = SyntheticConfig()
        let oneLabel = args.flag("--one-label")
        config.trainCount = try args.int("--train", default: oneLabel ? 20_000 : config.trainCount, in: 1...10_000_000)
        config.testCount = try args.int("--test", default: oneLabel ? 5_000 : config.testCount, in: 0...10_000_000)
        config.seed = UInt64(try args.int("--seed", default: 1, in: 0...Int.max))
        config.extraNetworks = try args.int("--networks", default: oneLabel ? 2 : 0, in: 0...50)
        try args.finish()
        let started = Date()
        let data = oneLabel ? try OneLabelSynthetic.generate(train: config.trainCount, test: config.testCount, seed: config.seed,
                                                            networks: config.extraNetworks + 1)
                            : try SyntheticData.generate(config)
        try data.write(to: out)
        note(String(format: "wrote %d train and %d test tracks × %d tags to %@ in %.1f s", config.trainCount, config.testCount,
                    data.labels.count, out, Date().timeIntervalSince(started)))
    }
}
