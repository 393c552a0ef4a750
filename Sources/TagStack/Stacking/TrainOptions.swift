// Every option of `tagstack train`, stated once: its name, its value, its help, its range and the
// `StackerOptions` field it sets (as LightGBM's config.h states each parameter once and generates its docs).
// From this table derive: the CLI's parsing of numbers and plain choices (Sources/tagstack/TrainCommand.swift),
// `StackerOptions.validate` (the one range check, library callers included), the ranges of the
// `BoostingParameters` fields an option sets (`parameter`; BoostingParameters.validate), `tagstack help train` and the
// README's `tagstack train` summary (`TrainOptions.summary`, which `TrainOptionsTests` compares with the README).
// Defaults are read from `StackerOptions()`, never restated; a default that is not a field (the thread count,
// a learner-dependent rule) says so in `defaultText`.
//
// Adding an option: a `StackerOptions` field with its default, and one entry below.

import TagStackModel

/// One option of `tagstack train`, or a `StackerOptions` field without one (`name` nil: validated, not on
/// the command line).
public struct TrainOption: Sendable {
    public enum Section: String, Sendable, CaseIterable { case data = "DATA", model = "MODEL", run = "RUN" }

    public enum Value: Sendable {
        /// No value.
        case flag
        /// A file or folder (PathOptions.swift says its role), or another free text; the placeholder.
        case text(String)
        /// One of the names; `set` stores it (nil: the CLI interprets it itself).
        case choice([String], set: (@Sendable (inout StackerOptions, String) -> Void)?)
        /// A whole number in `range`, `excluded` values refused with their own requirement.
        case int(ClosedRange<Int>, get: @Sendable (StackerOptions) -> Int, set: @Sendable (inout StackerOptions, Int) -> Void)
        /// A finite number in `range`.
        case double(ClosedRange<Double>, get: @Sendable (StackerOptions) -> Double, set: @Sendable (inout StackerOptions, Double) -> Void)
    }

    /// `--rounds`; nil for a field the command line does not set.
    public var name: String?
    /// The `StackerOptions` field (`boosting.rounds`), as `OptionError` names it; nil for a CLI-only option.
    public var field: String?
    public var section: Section
    /// The placeholder of a number (`N`, `X`, `P`).
    public var placeholder: String
    public var value: Value
    public var help: String
    /// The default as the help says it when it is not the field's value (nil: read from `StackerOptions()`;
    /// "" : no default shown).
    public var defaultText: String?
    /// The `BoostingParameters` field the option's range bounds as well (`numLeaves`; BoostingParameters.validate),
    /// nil for none.
    public var parameter: String?
    /// A value inside the range that is refused, with what to give instead (`folds` 1, `gradientBins` 1).
    public var excluded: (value: Int, requirement: String)?
    /// Required on the command line (shown without brackets in the summary).
    public var required = false

    /// A number: its field and placeholder.
    init(_ name: String?, field: String, _ section: Section, _ placeholder: String, _ value: Value, _ help: String,
         default defaultText: String? = nil, excluded: (Int, String)? = nil, parameter: String? = nil) {
        self.name = name; self.field = field; self.section = section; self.placeholder = placeholder; self.value = value
        self.help = help; self.defaultText = defaultText; self.parameter = parameter
        self.excluded = excluded.map { (value: $0.0, requirement: $0.1) }
    }

    /// A flag, a text or a choice.
    init(_ name: String, _ section: Section, _ value: Value, _ help: String, default defaultText: String? = nil, required: Bool = false) {
        self.name = name; self.field = nil; self.section = section; self.placeholder = ""; self.value = value
        self.help = help; self.defaultText = defaultText; self.required = required
    }

    /// The default the help shows: `defaultText`, else the field's value in `StackerOptions()`.
    var defaultShown: String? {
        if let defaultText { return defaultText.isEmpty ? nil : defaultText }
        let o = StackerOptions()
        switch value {
        case let .int(_, get, _): return String(get(o))
        case let .double(_, get, _): return TrainOption.format(get(o))
        case .flag, .text, .choice: return nil
        }
    }

    /// A number as the help and messages write it: whole numbers without a fraction.
    static func format(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }

    /// The value in the usage line: the choices, else the placeholder.
    var usageValue: String {
        switch value {
        case .flag: return ""
        case let .text(p): return p
        case let .choice(names, _): return names.joined(separator: "|")
        case .int, .double: return placeholder
        }
    }

    /// Throws `OptionError` when the field's value in `o` is out of range or excluded.
    func check(_ o: StackerOptions) throws {
        switch value {
        case let .int(_, get, _): if let e = problem(get(o)) { throw e }
        case let .double(_, get, _): if let e = problem(get(o)) { throw e }
        case .flag, .text, .choice: return
        }
    }

    /// What is wrong with `v` for this option (out of its range, or its refused value), or nil. The one range
    /// check: `check` applies it to a field, the CLI to a value before it is stored (a negative seed does not
    /// fit the field at all).
    public func problem(_ v: Int) -> OptionError? {
        guard case let .int(range, _, _) = value, let field else { return nil }
        if let e = excluded, v == e.value { return OptionError(field, value: v, e.requirement) }
        return range.contains(v) ? nil : OptionError(field, value: v, "is out of range \(range.lowerBound)...\(range.upperBound)")
    }

    public func problem(_ v: Double) -> OptionError? {
        guard case let .double(range, _, _) = value, let field else { return nil }
        return v.isFinite && range.contains(v) ? nil
            : OptionError(field, value: v, "is out of range \(TrainOption.format(range.lowerBound))...\(TrainOption.format(range.upperBound))")
    }
}

public enum TrainOptions {
    typealias O = TrainOption

    /// Every option, in the order the help lists them (and the CLI reads them: `--leaves` before
    /// `--pooled-leaves`, which defaults to it).
    public static let table: [TrainOption] = data + model + run + fieldsOnly

    static let data: [TrainOption] = [
        O("--data", .data, .text("DIR"), "Folder with the Mewo files", default: "Data"),
        O("--labels", .data, .text("FILE"), "labels.csv", default: "DIR/labels.csv"),
        O("--train-x", .data, .text("FILE"), "Training features, .csv or .npy", default: "DIR/train_X.csv"),
        O("--train-y", .data, .text("FILE"), "Training targets, .csv or .npy", default: "DIR/train_y.csv"),
        O("--groups", .data, .text("FILE"), "Groups file: ChallengeID then group columns", default: "DIR/train_groups.csv if present"),
        O("--group-column", .data, .text("NAME"),
          "Use only this column of the groups file (rows sharing any value in any column stay together)", default: "all"),
        O("--no-groups", .data, .flag, "Ignore the groups file (plain K-fold)"),
        O("--allow-missing", .data, .flag, "Read empty cells and NaN in X as missing values instead of failing"),
        O("--columns", .data, .text("FILE"),
          "Names of an .npy X's columns, one per line or one comma-separated line (a CSV header works)",
          default: "the tags, then the categories"),
    ]

    static let model: [TrainOption] = [
        O("--model", .model, .text("FILE"), "Where to write the model", default: "", required: true),
        O("--labels-per-track", .model, .choice(LabelsPerTrack.allCases.map(\.rawValue), set: { $0.labelsPerTrack = LabelsPerTrack(rawValue: $1)! }),
          "One label a track gives probabilities that sum to one and one decision a track (the argmax), chosen by cross-fitted multiclass log loss; every training row must then have exactly one label",
          default: "auto = one when every row of the training labels has exactly one"),
        O("--learner", .model, .choice(["auto"] + LearnerKind.allCases.map(\.rawValue) + ["LIST"], set: nil),
          "The learner (" + LearnerKind.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "; ")
            + "), or a comma-separated list to choose from by out-of-fold weighted F1 (e.g. logistic,pooled,gbdt)",
          default: "auto = " + StackerOptions().candidates.map(\.rawValue).joined(separator: ",")),
        O("--max-trees-per-track", field: "selection.maxTreesPerTrack", .model, "N",
          .int(0...1_000_000_000, get: { $0.selection.maxTreesPerTrack }, set: { $0.selection.maxTreesPerTrack = $1 }),
          "When choosing, leave out learners whose model costs more than N trees to score a track (about 10 ns each; a pooled tag and tree counts 0.41; 0: no limit)"),
        O("--pooled-pairs", field: "pooled.pairs", .model, "N", .int(0...1_000_000_000, get: { $0.pooled.pairs }, set: { $0.pooled.pairs = $1 }),
          "pooled: train on every positive (track, tag) pair and a weighted sample of negative pairs, about N pairs in all; 0 keeps every pair"),
        O("--base", .model, .choice(BaseOption.allCases.map(\.rawValue), set: nil),
          "The score every tag starts from, decided once for all tags; auto picks by cross-fitted weighted F1, simplest first, each step by --base-margin",
          default: "auto; primary for the thresholds and constant learners"),
        O("--base-margin", field: "selection.baseMargin", .model, "X",
          .double(-1...1, get: { $0.selection.baseMargin }, set: { $0.selection.baseMargin = $1 }),
          "A mean must beat the primary network, and the blend the incumbent, by more than X"),
        O("--blend-lambda", field: "blendLambda", .model, "X", .double(0...1e12, get: { $0.blendLambda }, set: { $0.blendLambda = $1 }),
          "L2 on the blend's shared network weights"),
        O("--calibration", .model, .choice(CalibrationOption.allCases.map(\.rawValue), set: { $0.calibration = CalibrationOption(rawValue: $1)! }),
          "How every tag's score becomes its probability, decided once for all tags by cross-fitted log loss among none, platt and shared (temperature: one slope, no intercept, only when asked for); decisions never change",
          default: StackerOptions().calibration.rawValue),
        O("--features", .model, .choice(FeatureMode.allCases.map(\.rawValue), set: { $0.features = FeatureMode(rawValue: $1)! }),
          "Per-tag row statistics only, or also every input column", default: StackerOptions().features.rawValue),
        O("--folds", field: "folds", .model, "K", .int(0...100, get: { $0.folds }, set: { $0.folds = $1 }),
          "Cross-validation folds; 0 turns CV off: rounds fixed by --rounds, thresholds fitted on training scores",
          excluded: (1, "should be 0 (no cross-validation) or at least 2")),
        O("--rounds", field: "boosting.rounds", .model, "N", .int(0...100_000, get: { $0.boosting.rounds }, set: { $0.boosting.rounds = $1 }),
          "Most boosting rounds early stopping may choose (without CV: the rounds)", parameter: "numRounds"),
        O("--leaves", field: "boosting.leaves", .model, "N",
          .int(2...65_536, get: { $0.boosting.leaves }, set: { $0.boosting.leaves = $1; $0.pooled.leaves = $1 }),
          "Leaves per tree, every boosted learner", default: "\(StackerOptions().boosting.leaves) per tag, \(StackerOptions().pooled.leaves) pooled",
          parameter: "numLeaves"),
        O("--learning-rate", field: "boosting.learningRate", .model, "X",
          .double(1e-6...10, get: { $0.boosting.learningRate }, set: { $0.boosting.learningRate = $1; $0.pooled.learningRate = $1 }),
          "Shrinkage, every boosted learner",
          default: "\(TrainOption.format(StackerOptions().boosting.learningRate)) per tag, \(TrainOption.format(StackerOptions().pooled.learningRate)) pooled",
          parameter: "learningRate"),
        O("--pooled-leaves", field: "pooled.leaves", .model, "N", .int(2...65_536, get: { $0.pooled.leaves }, set: { $0.pooled.leaves = $1 }),
          "Leaves per tree of the pooled model only", default: "--leaves if given, else \(StackerOptions().pooled.leaves)"),
        O("--pooled-learning-rate", field: "pooled.learningRate", .model, "X",
          .double(1e-6...10, get: { $0.pooled.learningRate }, set: { $0.pooled.learningRate = $1 }),
          "Shrinkage of the pooled model only", default: "--learning-rate if given, else \(TrainOption.format(StackerOptions().pooled.learningRate))"),
        O("--min-data-in-leaf", field: "boosting.minDataInLeaf", .model, "N",
          .int(1...1_000_000, get: { $0.boosting.minDataInLeaf }, set: { $0.boosting.minDataInLeaf = $1 }), "Fewest rows a leaf may hold",
          parameter: "minDataInLeaf"),
        O("--feature-fraction", field: "boosting.featureFraction", .model, "X",
          .double(1e-6...1, get: { $0.boosting.featureFraction }, set: { $0.boosting.featureFraction = $1 }), "Features drawn per tree",
          parameter: "featureFraction"),
        O("--lambda-l2", field: "boosting.lambdaL2", .model, "X", .double(0...1e12, get: { $0.boosting.lambdaL2 }, set: { $0.boosting.lambdaL2 = $1 }),
          "L2 on leaf values", parameter: "lambdaL2"),
        O("--gradient-bins", field: "boosting.gradientBins", .model, "N",
          .int(0...65_536, get: { $0.boosting.gradientBins ?? 0 }, set: { $0.boosting.gradientBins = $1 }),
          "Quantized training: gradients rounded to N levels a round (e.g. 4), integer histograms, leaf values from exact gradients; 0: exact gradients",
          default: "\(StackerOptions.automaticGradientBins) with --features all (per-tag learners), else 0",
          excluded: (1, "should be 0 (exact gradients) or at least 2 levels"), parameter: "gradientBins"),
        O("--threshold-step-rows", field: "boosting.thresholdStepRows", .model, "N",
          .int(0...1_000_000, get: { $0.boosting.thresholdStepRows }, set: { $0.boosting.thresholdStepRows = $1 }),
          "With --gradient-bins: small leaves try every s-th threshold, s (a power of two up to 8) giving about N rows a step; 0: every threshold",
          parameter: "thresholdStepRows"),
        O("--final", .model, .choice(FinalModel.allCases.map(\.rawValue), set: { $0.final = FinalModel(rawValue: $1)! }),
          "The final boosted model is refitted on all rows with the mean best round count, or the average of the fold models",
          default: StackerOptions().final.rawValue),
        O("--margin", field: "guards.margin", .model, "X", .double(-1...1, get: { $0.guards.margin }, set: { $0.guards.margin = $1 }),
          "A tag keeps its stacked score only when its out-of-fold F1 beats the base score's by more than X"),
        O("--confidence", field: "guards.confidence", .model, "P", .double(0...1, get: { $0.guards.confidence }, set: { $0.guards.confidence = $1 }),
          "...and wins in at least this share of a paired bootstrap over groups of its out-of-fold decisions; 0 turns the test off"),
        O("--decision", .model, .choice(["auto"] + DecisionRule.allCases.map(\.optionName), set: nil), "The decision rule",
          default: "auto for stacking learners, thresholds for the thresholds and constant learners"),
        O("--at-least-one", .model, .choice(["class", "track", "none"], set: nil), "Shorthand for --decision class|track|thresholds", default: ""),
    ]

    static let run: [TrainOption] = [
        O("--threads", field: "threads", .run, "N", .int(1...1024, get: { $0.threads }, set: { $0.threads = $1 }),
          "Worker threads; results do not depend on it", default: "all cores"),
        O("--seed", field: "seed", .run, "N", .int(0...Int.max, get: { Int(clamping: $0.seed) }, set: { $0.seed = UInt64($1) }),
          "Seed for every random choice"),
        O("--report", .run, .text("FILE"),
          "Per-tag CSV: support, out-of-fold F1 base vs stacked, threshold_probability (on the probabilities predict --scores writes; n/a when none gives the decisions), threshold_score (on the score before calibration, which decisions compare), path, rounds, reason"),
        O("--importance", .run, .text("FILE"),
          "What each tag's model learned from which input, a long-format CSV (tag, input, kind, value): split counts and gains of boosted and pooled trees (a pooled tag: the shared model's), logistic coefficients (standardised and per unit), (all tags) totals"),
        O("--permutation-repeats", field: "permutationRepeats", .run, "N",
          .int(0...1000, get: { $0.permutationRepeats }, set: { $0.permutationRepeats = $1 }),
          "Out-of-fold permutation importance of each input group (own score, row statistics, category score, each other network): the chosen learner's fold models are fitted again and scored on their held-out rows with one group shuffled, N times (scikit-learn's n_repeats); the rise in log loss and fall in weighted F1 go to the summary, --importance (kinds permutation_*), --html and --json (0: off)"),
        O("--html", .run, .text("FILE"),
          "Self-contained HTML report of the out-of-fold view (learners, decision rules, per tag base vs final F1 and path, per class and category)"),
        O("--quiet", .run, .flag, "No progress on stderr (shown only on a terminal, unless --progress)"),
        O("--progress", .run, .flag, "Progress on stderr even when it is not a terminal (a line every ten seconds)"),
        O("--json", .run, .flag,
          "The result summary as one JSON object on stdout instead of the text (model, rows, tags, folds, groups, levels with candidates, scores, margins and choices, blend weights, learner, base, decision, paths, calibrated tags, permutation importance when computed, seconds)"),
    ]

    /// Fields the command line does not set, checked with the others.
    static let fieldsOnly: [TrainOption] = [
        O(nil, field: "boosting.patience", .model, "N", .int(0...100_000, get: { $0.boosting.patience }, set: { $0.boosting.patience = $1 }),
          "Early-stopping patience", parameter: "earlyStoppingRounds"),
        O(nil, field: "logistic.lambda", .model, "X", .double(0...1e12, get: { $0.logistic.lambda }, set: { $0.logistic.lambda = $1 }),
          "L2 penalty of the logistic learner"),
        O(nil, field: "guards.bootstrapDraws", .model, "N",
          .int(0...1_000_000, get: { $0.guards.bootstrapDraws }, set: { $0.guards.bootstrapDraws = $1 }), "Bootstrap resamples (at least 1 when guards.confidence > 0)"),
        O(nil, field: "guards.minPositives", .model, "N",
          .int(0...Int.max, get: { $0.guards.minPositives }, set: { $0.guards.minPositives = $1 }), "Fewest positives a per-tag learner learns"),
        O(nil, field: "selection.learnerMargin", .model, "X",
          .double(-1...1, get: { $0.selection.learnerMargin }, set: { $0.selection.learnerMargin = $1 }), "Margin between learners"),
        O(nil, field: "selection.ruleMargin", .model, "X",
          .double(-1...1, get: { $0.selection.ruleMargin }, set: { $0.selection.ruleMargin = $1 }), "Margin between decision rules"),
    ]

    /// The entry of a command-line option.
    public static func option(_ name: String) -> TrainOption? { table.first { $0.name == name } }

    /// The entry of a `StackerOptions` field.
    public static func option(field: String) -> TrainOption? { table.first { $0.field == field } }

    /// `tagstack help train`.
    public static var help: String {
        var lines = [
            "USAGE: tagstack train --data DIR --model OUT.json [options]",
            "",
            "Fits a model on DIR/labels.csv, DIR/train_X.csv and DIR/train_y.csv (or the files named below) and",
            "writes it atomically as versioned JSON. Rows of one group (DIR/train_groups.csv, or --groups) never",
            "straddle cross-validation folds.",
        ]
        for section in TrainOption.Section.allCases {
            lines += ["", section.rawValue + ":"]
            for o in table where o.section == section { lines += helpLines(o) }
        }
        lines += ["", "OUTPUT: the result summary (what each level chose and why) on stdout; progress and notes on stderr."]
        return lines.joined(separator: "\n")
    }

    /// An option's help: the name and value, then the text (with the choices and the default) wrapped at 112
    /// columns under column 26.
    static func helpLines(_ o: TrainOption) -> [String] {
        guard let name = o.name else { return [] }
        var text = o.help
        if case let .choice(names, _) = o.value { text = names.filter { $0 != "LIST" }.joined(separator: " | ") + ": " + text }
        if let d = o.defaultShown { text += " (default: \(d))" }
        let head = "  " + name + (o.usageValue.isEmpty ? "" : " " + (o.placeholder.isEmpty ? placeholder(o) : o.placeholder))
        return wrap(text, first: head.count < 25 ? head.padding(toLength: 26, withPad: " ", startingAt: 0) : head + " ",
                    indent: String(repeating: " ", count: 26), width: 112)
    }

    /// The word after the name in the help (`NAME`, `MODE`, `HOW`, `FILE`).
    static func placeholder(_ o: TrainOption) -> String {
        switch o.value {
        case let .text(p): return p
        case .choice: return ["--learner": "NAME", "--base": "KIND", "--features": "MODE", "--decision": "RULE",
                              "--at-least-one": "RULE", "--labels-per-track": "N"][o.name ?? ""] ?? "HOW"
        default: return ""
        }
    }

    /// Words of `text` after `first`, in lines of at most `width` (a word longer than a line stands alone).
    static func wrap(_ text: String, first: String, indent: String, width: Int) -> [String] {
        wrap(words: text.split(separator: " ").map(String.init), first: first, indent: indent, width: width)
    }

    static func wrap(words: [String], first: String, indent: String, width: Int) -> [String] {
        var lines: [String] = [], line = first, empty = true
        for word in words {
            if !empty && line.count + 1 + word.count > width { lines.append(line); line = indent; empty = true }
            line += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(line)
        return lines
    }

    /// The README's `tagstack train` lines (its "Command line" block): the options, required first, wrapped
    /// at 118 columns under column 18.
    public static var summary: String {
        let named = table.filter { $0.name != nil }
        let items = (named.filter(\.required) + named.filter { !$0.required }).map { o -> String in
            let v = o.usageValue, s = o.name! + (v.isEmpty ? "" : " " + v)
            return o.required ? s : "[" + s + "]"
        }
        return wrap(words: items, first: "tagstack train    ", indent: String(repeating: " ", count: 18), width: 118)
            .joined(separator: "\n")
    }
}
