import Foundation
import TagStack
import TagStackModel

enum TrainCommand {
    static let help = """
    USAGE: tagstack train --data DIR --model OUT.json [options]

    Fits a model on DIR/labels.csv, DIR/train_X.csv and DIR/train_y.csv (or the files named below) and
    writes it atomically as versioned JSON.

    OPTIONS:
      --data DIR              Folder with the Mewo files (default: Data)
      --labels FILE           labels.csv (default: DIR/labels.csv)
      --train-x FILE          Training features, .csv or .npy (default: DIR/train_X.csv)
      --train-y FILE          Training targets, .csv or .npy (default: DIR/train_y.csv)
      --groups FILE           Groups file (ChallengeID, artist, ...) (default: DIR/train_groups.csv if present)
      --model FILE            Where to write the model (required)
      --learner NAME          thresholds | constant (default: thresholds)
      --at-least-one RULE     class | track | none: when no tag passes its threshold, predict the tag with
                              the largest score / threshold ratio, per class or per track (default: none)
      --allow-missing         Read empty cells and NaN in X as missing values instead of failing
      --seed N                Seed for every random choice (default: 1)
      --quiet                 No progress on stderr
    """

    enum AtLeastOne: String, CaseIterable { case none, `class`, track }

    static func run(_ args: inout Arguments) throws {
        let dir = try args.string("--data") ?? "Data"
        var files = TrainingFiles(directory: dir)
        if let v = try args.string("--labels") { files.labels = v }
        if let v = try args.string("--train-x") { files.x = v }
        if let v = try args.string("--train-y") { files.y = v }
        if let v = try args.string("--groups") { files.groups = v }
        else if FileManager.default.fileExists(atPath: dir + "/train_groups.csv") { files.groups = dir + "/train_groups.csv" }
        let modelPath = try args.required("--model")
        let learner: BaselineLearner = try args.choice("--learner", default: .thresholds)
        let atLeastOne: AtLeastOne = try args.choice("--at-least-one", default: .none)
        let allowMissing = args.flag("--allow-missing")
        let seed = try args.int("--seed", default: 1, in: 0...Int.max)
        let quiet = args.flag("--quiet")
        try args.finish()

        let started = Date()
        let data = try TrainingData.load(files, options: FeatureReadOptions(allowMissing: allowMissing))
        let rule: DecisionRule = switch atLeastOne {
        case .none: .thresholds
        case .class: .atLeastOnePerClass
        case .track: .atLeastOnePerTrack
        }
        let model = Baselines.train(learner, data: data, decision: rule,
                                    training: ["rows": String(data.x.rowCount), "seed": String(seed)])
        try AtomicFileWriter.write(bytes: [UInt8](try model.encoded()), to: modelPath)
        if !quiet {
            note(String(format: "trained %@ on %d rows × %d tags in %.1f s → %@", learner.rawValue,
                        data.x.rowCount, data.labels.count, Date().timeIntervalSince(started), modelPath))
        }
    }
}
