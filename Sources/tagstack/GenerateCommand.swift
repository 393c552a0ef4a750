import Foundation
import TagStack

enum GenerateCommand {
    static let help = """
    USAGE: tagstack generate --out DIR [--train N] [--test M] [--seed S] [--networks K]

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
      --networks K     Extra networks of similar strength, as columns n2:<tag> ... (default: 0)
    """

    static func run(_ args: inout Arguments) throws {
        let out = try args.requiredPath("--out")
        var config = SyntheticConfig()
        config.trainCount = try args.int("--train", default: config.trainCount, in: 1...10_000_000)
        config.testCount = try args.int("--test", default: config.testCount, in: 0...10_000_000)
        config.seed = UInt64(try args.int("--seed", default: 1, in: 0...Int.max))
        config.extraNetworks = try args.int("--networks", default: 0, in: 0...50)
        try args.finish()
        let started = Date()
        let data = try SyntheticData.generate(config)
        try data.write(to: out)
        note(String(format: "wrote %d train and %d test tracks × %d tags to %@ in %.1f s", config.trainCount, config.testCount,
                    data.labels.count, out, Date().timeIntervalSince(started)))
    }
}
