// The stacker: per tag, a model over the tag's features trained with (grouped) cross-validation; rounds
// chosen by early stopping on the folds; thresholds fitted on out-of-fold scores; a per-tag fallback to the
// network's raw score when stacking does not beat it out of fold; the decision rule chosen out of fold.

import Foundation
import TagStackModel

/// What happened to one tag in training (the `--report` rows).
public struct TagReport: Sendable, Equatable {
    public var tag: String
    public var support: Int
    /// Out-of-fold F1 of the raw score with its best threshold.
    public var rawF1: Double
    /// Out-of-fold F1 of the stacked score with its best threshold (nil when the tag was not stacked).
    public var stackedF1: Double?
    public var threshold: Double?
    public var path: TagPath
    /// Boosting rounds of the final model (nil for non-boosted paths).
    public var rounds: Int?
}

/// Everything `Stacker.train` learned, beyond the model.
public struct StackerResult: Sendable {
    public var model: StackerModel
    public var reports: [TagReport]
    /// Out-of-fold weighted F1 of each learner tried (thresholds rule), in the order tried.
    public var learnerScores: [(LearnerKind, Double)]
    /// Trees each learner's model evaluates per track, in the same order.
    public var treesPerTrack: [Int]
    /// Out-of-fold weighted F1 of each decision rule tried for the chosen learner.
    public var ruleScores: [(DecisionRule, Double)]
    public var chosenLearner: LearnerKind
}

/// Out-of-fold results of one learner: per tag probabilities on every row, paths, thresholds, models.
struct LearnerRun {
    var kind: LearnerKind
    var tags: [TagModel]
    var reports: [TagReport]
    /// Row-major rows × tags: each tag's out-of-fold probability on its chosen path.
    var oof: [Double]
    var weightedF1: Double
    /// The feature set the learner's tags read, when it differs from the stacker's (the pooled learner).
    var featureSet: FeatureSet? = nil
    /// The shared ensemble of pooled tags.
    var pooled: PooledModel? = nil

    /// Trees the model evaluates to score one track: each boosted tag's trees, the shared ensemble once per
    /// pooled tag.
    var treesPerTrack: Int {
        tags.reduce(0) { n, t in
            n + (t.path == .pooled ? (pooled?.booster.trees.count ?? 0) : t.path == .stacked ? (t.booster?.trees.count ?? 0) : 0)
        }
    }
}

public enum Stacker {
    /// Trains a model on `data`. Throws for inconsistent options or data (e.g. fewer groups than folds).
    public static func train(data: TrainingData, options: StackerOptions, training: [String: String] = [:]) throws -> StackerResult {
        let n = data.x.rowCount, t = data.labels.count
        let labels = (0..<t).map { data.y.column($0) }
        let raw = (0..<t).map { data.x.column(data.tagColumns[$0]) }

        let candidates: [LearnerKind]
        switch options.learner {
        case .auto:
            let listed = Set(options.candidates.filter { $0 != .auto })
            candidates = StackerOptions.complexityOrder.filter(listed.contains)
            if candidates.isEmpty { throw DataError(.badArgument, file: "the options", "auto has no learner to choose from") }
        default: candidates = [options.learner]
        }
        // Folds (none with --folds 0, nor for the baselines, which learn nothing beyond a threshold).
        var fold: [Int]? = nil
        let baselinesOnly = candidates.allSatisfy { $0 == .thresholds || $0 == .constant }
        if options.folds >= 2 && !baselinesOnly {
            let groups = data.groups?.values
            let f = Folds.assign(rowCount: n, k: options.folds, groups: groups, seed: options.seed)
            let used = Set(f).count
            if used < options.folds {
                let what = data.groups.map { "groups of rows (\($0.columns.joined(separator: ", ")))" } ?? "rows"
                throw DataError(.badArgument, file: data.groups != nil ? "the groups file" : "the training data",
                                "only \(used) \(what) for \(options.folds) cross-validation folds: lower --folds or use --learner thresholds")
            }
            fold = f
        }
        var featureMatrix: FeatureMatrix? = nil
        let needsFeatures = candidates.contains { $0 == .gbdt || $0 == .logistic || $0 == .pooled }
        let featureSet = needsFeatures ? FeatureMatrix.defaultSet(for: data, mode: options.features) : nil
        if let featureSet { featureMatrix = try FeatureMatrix(data: data, set: featureSet, threads: options.threads) }

        var runs: [LearnerRun] = []
        for (index, kind) in candidates.enumerated() {
            // Progress counts tags over every learner tried, so done/total and the ETA span the whole run.
            var o = options
            if let report = options.progress {
                let t = data.labels.count, count = candidates.count
                o.progress = { done, _ in report(index * t + done, count * t) }
            }
            if kind == .pooled, let featureMatrix {
                runs.append(try PooledLearner.run(data: data, labels: labels, raw: raw, fold: fold, features: featureMatrix, options: o))
            } else {
                runs.append(try runLearner(kind, data: data, labels: labels, raw: raw, fold: fold,
                                           features: featureMatrix, options: o))
            }
        }
        // Best learner by cross-fitted weighted F1; a later (more complex) learner must win by
        // `learnerMargin`, so noise-level differences keep the simpler model. With a choice to make, learners
        // whose model walks more trees per track than `maxTreesPerTrack` are left out.
        let affordable = runs.filter { candidates.count == 1 || options.maxTreesPerTrack <= 0 || $0.treesPerTrack <= options.maxTreesPerTrack }
        var best = affordable.first ?? runs[0]
        for r in affordable.dropFirst() where r.weightedF1 > best.weightedF1 + options.learnerMargin { best = r }

        // Decision rule.
        let rules: [DecisionRule] = options.decision.rule.map { [$0] } ?? [.thresholds, .atLeastOnePerClass, .atLeastOnePerTrack, .hierarchical]
        var ruleScores: [(DecisionRule, Double)] = []
        var chosen: (DecisionRule, Hierarchy?, Double)? = nil
        for rule in rules {
            var hierarchy: Hierarchy? = nil
            if rule == .hierarchical { hierarchy = DecisionSearch.fitHierarchy(data: data, probabilities: best.oof, tags: best.tags) }
            let f1 = fold.map { CrossFit.weightedF1(data: data, probabilities: best.oof, rule: rule, fold: $0, k: options.folds) }
                ?? DecisionSearch.weightedF1(data: data, probabilities: best.oof, tags: best.tags, rule: rule, hierarchy: hierarchy)
            ruleScores.append((rule, f1))
            if chosen == nil || f1 > chosen!.2 { chosen = (rule, hierarchy, f1) }
        }
        let usesStacked = best.tags.contains { $0.path != .raw }
        let modelFeatures = best.featureSet ?? featureMatrix?.set
        var inputs = data.labels.tags
        if usesStacked, let set = modelFeatures {
            inputs = data.x.columns.filter { c in
                data.labels.tags.contains(c) || set.sharedColumns.contains(c) || data.labels.categories.contains(c)
                    || set.networks.contains { c.hasPrefix($0 + ":") }
            }
        } else if chosen!.0 == .hierarchical, chosen!.1?.source == .column {
            inputs = data.x.columns.filter { data.labels.tags.contains($0) || data.labels.categories.contains($0) }
        }
        var info = training
        info["learner_scores"] = runs.map { "\($0.kind.rawValue)=\(format($0.weightedF1))" }.joined(separator: " ")
        info["trees_per_track"] = runs.map { "\($0.kind.rawValue)=\($0.treesPerTrack)" }.joined(separator: " ")
        info["rule_scores"] = ruleScores.map { "\($0.0.rawValue)=\(format($0.1))" }.joined(separator: " ")
        info["folds"] = String(options.folds)
        info["stacked_tags"] = String(best.tags.filter { $0.path != .raw }.count)
        let model = StackerModel(learner: best.kind.rawValue, labels: data.labels, inputColumns: inputs, tags: best.tags,
                                 decision: chosen!.0, hierarchy: chosen!.1, features: usesStacked ? modelFeatures : nil,
                                 pooled: usesStacked ? best.pooled : nil, training: info)
        try model.validate()
        return StackerResult(model: model, reports: best.reports, learnerScores: runs.map { ($0.kind, $0.weightedF1) },
                             treesPerTrack: runs.map(\.treesPerTrack),
                             ruleScores: ruleScores, chosenLearner: best.kind)
    }

    static func format(_ v: Double) -> String { String(format: "%.4f", v) }

    /// The round count (0 = no tree) with the lowest validation log loss (weighted mean with `weights`); the
    /// earliest on ties.
    static func bestRound(initial: [(Double, UInt8)], weights: [Double]? = nil, curve: [Double]) -> Int {
        var best = 0
        var loss = 0.0, total = 0.0
        for (i, (s, y)) in initial.enumerated() {
            let w = weights?[i] ?? 1
            loss += w * logLoss(rawScore: s, label: Double(y)); total += w
        }
        var bestLoss = loss / max(total, 1)
        for (i, l) in curve.enumerated() where l < bestLoss { bestLoss = l; best = i + 1 }
        return best
    }

    /// Fold `f`'s out-of-fold round count: the mean best round of the other folds, so no fold is scored by a
    /// round count chosen on itself.
    static func roundsOfOtherFolds(_ best: [Int], _ f: Int) -> Int {
        meanRounds(best.enumerated().filter { $0.offset != f }.map(\.element))
    }

    static func meanRounds(_ best: [Int]) -> Int {
        Int((Double(best.reduce(0, +)) / Double(max(best.count, 1))).rounded())
    }

    /// The fold models averaged: one ensemble holding each fold's first `rounds` trees with leaf values
    /// divided by the fold count (base score 0: the models start from initial scores).
    static func average(_ ensembles: [TreeEnsemble], rounds: Int) throws -> TreeEnsemble {
        let scale = 1 / Double(ensembles.count)
        let trees = try ensembles.flatMap { e in
            try e.trees.prefix(rounds).map { t in
                try Tree(splitFeature: t.splitFeature, threshold: t.threshold, leftChild: t.leftChild,
                         rightChild: t.rightChild, defaultLeft: t.defaultLeft, leafValue: t.leafValue.map { $0 * scale })
            }
        }
        return TreeEnsemble(baseScore: 0, trees: trees)
    }

    // MARK: - One learner

    static func runLearner(_ kind: LearnerKind, data: TrainingData, labels: [[UInt8]], raw: [[Double]], fold: [Int]?,
                           features: FeatureMatrix?, options: StackerOptions) throws -> LearnerRun {
        let n = data.x.rowCount, t = data.labels.count
        let splits = fold.map { Folds.splits(fold: $0, k: options.folds) }
        // Bootstrap units: groups (connected over every group column) when given, else rows.
        let units = data.groups.map { Folds.components(rowCount: n, groups: $0.values) }
        let allRows = (0..<n).map(Int32.init)
        let done = WorkCounter()
        // Shared columns are binned once for every tag.
        var sharedBins: BinnedMatrix? = nil
        if kind == .gbdt, let f = features, !f.shared.isEmpty {
            sharedBins = try BinnedMatrix(columns: f.shared, threads: options.threads)
        }
        let results = try parallelMap(t, threads: options.threads) { k in
            defer { options.progress?(done.next() + 1, t) }
            return try trainTag(k, kind: kind, data: data, y: labels[k], raw: raw[k], fold: fold, units: units, splits: splits,
                                allRows: allRows, features: features, sharedBins: sharedBins, options: options)
        }
        return collect(kind, tags: results.map(\.0), reports: results.map(\.1), oofByTag: results.map(\.2), data: data,
                       fold: fold, options: options)
    }

    /// A learner's run from its per-tag results: the out-of-fold probabilities laid out rows × tags and their
    /// weighted F1 (cross-fitted with folds, in-sample without).
    static func collect(_ kind: LearnerKind, tags: [TagModel], reports: [TagReport], oofByTag: [[Double]], data: TrainingData,
                        fold: [Int]?, options: StackerOptions) -> LearnerRun {
        let n = data.x.rowCount, t = tags.count
        var flat = [Double](repeating: 0, count: n * t)
        for k in 0..<t { for i in 0..<n { flat[i * t + k] = oofByTag[k][i] } }
        let f1 = fold.map { CrossFit.weightedF1(data: data, probabilities: flat, rule: .thresholds, fold: $0, k: options.folds) }
            ?? DecisionSearch.weightedF1(data: data, probabilities: flat, tags: tags, rule: .thresholds, hierarchy: nil)
        return LearnerRun(kind: kind, tags: tags, reports: reports, oof: flat, weightedF1: f1)
    }

    /// A score column's 0/1 decisions as the paths are compared: cross-fitted with folds (each fold's
    /// threshold fitted on the other folds), in-sample without.
    static func decisions(_ scores: [Double], labels y: [UInt8], fold: [Int]?, options: StackerOptions) -> [Bool] {
        if let fold { return CrossFit.decisions(scores: scores, labels: y, fold: fold, k: options.folds) }
        let th = ThresholdSearch.best(scores: scores, labels: y).threshold
        return scores.map { s in th.map { s >= $0 } ?? false }
    }

    /// Trains tag `k`: returns its model entry, its report and its out-of-fold probabilities (all rows).
    static func trainTag(_ k: Int, kind: LearnerKind, data: TrainingData, y: [UInt8], raw: [Double], fold: [Int]?, units: [Int]?,
                         splits: [(train: [Int32], valid: [Int32])]?, allRows: [Int32], features: FeatureMatrix?,
                         sharedBins: BinnedMatrix?, options: StackerOptions) throws -> (TagModel, TagReport, [Double]) {
        let name = data.labels.tags[k]
        let support = y.reduce(0) { $0 + Int($1) }
        let rawFit = ThresholdSearch.best(scores: raw, labels: y)
        let rawDecisions = decisions(raw, labels: y, fold: fold, options: options)
        func rawEntry(_ stackedF1: Double?) -> (TagModel, TagReport, [Double]) {
            let threshold = kind == .constant ? 0.5 : rawFit.threshold
            let f1 = kind == .constant ? ThresholdSearch.f1(scores: raw, labels: y, threshold: 0.5) : CrossFit.f1(rawDecisions, y)
            return (TagModel(name: name, path: .raw, threshold: threshold),
                    TagReport(tag: name, support: support, rawF1: f1, stackedF1: stackedF1, threshold: threshold, path: .raw, rounds: nil),
                    raw)
        }
        guard kind == .gbdt || kind == .logistic, let features else { return rawEntry(nil) }
        if support < options.minPositives || support > y.count - options.minPositives { return rawEntry(nil) }

        let seed = SplitMix64.derive(options.seed, k)
        var oof = [Double](repeating: 0, count: y.count)
        var entry: TagModel
        var rounds: Int? = nil
        switch kind {
        case .gbdt:
            let init0 = raw.map(clippedLogit)
            var own = try BinnedMatrix(columns: features.perTag[k])
            if let s = sharedBins {
                own = BinnedMatrix(rowCount: own.rowCount, featureCount: own.featureCount + s.featureCount,
                                   bins: own.bins + s.bins, upperBounds: own.upperBounds + s.upperBounds)
            }
            var finalRounds = options.rounds
            var averaged: TreeEnsemble? = nil
            if let splits {
                // Each fold: the validation curve until `patience` rounds pass without improvement, its best
                // round, and every tree grown (a fold that stopped early has no more trees to offer).
                // Fold f's out-of-fold scores use the mean best round of the OTHER folds, so no fold is
                // scored by a round count chosen on itself.
                var best: [Int] = [], ensembles: [TreeEnsemble] = []
                for (f, split) in splits.enumerated() {
                    // Stop after `patience` rounds without improvement, but keep the trees grown past the best.
                    var p = options.boostingParameters(rounds: options.rounds, earlyStopping: options.patience,
                                                       seed: SplitMix64.derive(seed, f))
                    p.truncateToBest = false
                    let b = try trainBinary(matrix: own, labels: y, initScores: init0, trainRows: split.train,
                                            validRows: split.valid, parameters: p)
                    best.append(bestRound(initial: split.valid.map { (init0[Int($0)], y[Int($0)]) }, curve: b.validationLoss))
                    ensembles.append(b.ensemble)
                }
                for (f, split) in splits.enumerated() {
                    let e = TreeEnsemble(baseScore: ensembles[f].baseScore, trees: Array(ensembles[f].trees.prefix(roundsOfOtherFolds(best, f))))
                    let x = features.rowMajor(tag: k, rows: split.valid)
                    let scores = e.rawScores(values: x, rowCount: split.valid.count, columnCount: features.set.count,
                                             initScores: split.valid.map { init0[Int($0)] })
                    for (r, i) in split.valid.enumerated() { oof[Int(i)] = sigmoid(scores[r]) }
                }
                finalRounds = meanRounds(best)
                if options.final == .average { averaged = try average(ensembles, rounds: finalRounds) }
            }
            let final: TreeEnsemble
            if let averaged {
                final = averaged
            } else {
                let p = options.boostingParameters(rounds: finalRounds, earlyStopping: 0, seed: seed)
                final = try trainBinary(matrix: own, labels: y, initScores: init0, trainRows: allRows, parameters: p).ensemble
            }
            if splits == nil {
                let x = features.rowMajor(tag: k, rows: allRows)
                let s = final.rawScores(values: x, rowCount: allRows.count, columnCount: features.set.count, initScores: init0)
                oof = s.map(sigmoid)
            }
            rounds = finalRounds
            entry = TagModel(name: name, path: .stacked, threshold: nil, booster: final, initScore: .ownLogit)
        default:   // logistic
            let columns = features.perTag[k] + features.shared
            let lp = LogisticParameters(lambda: options.logisticLambda)
            if let splits {
                for split in splits {
                    let m = Logistic.train(columns: columns, labels: y, rows: split.train, parameters: lp)
                    let x = features.rowMajor(tag: k, rows: split.valid)
                    let d = features.set.count
                    x.withUnsafeBufferPointer { xp in
                        for (r, i) in split.valid.enumerated() {
                            oof[Int(i)] = sigmoid(m.rawScore(UnsafeBufferPointer(rebasing: xp[(r * d)..<((r + 1) * d)])))
                        }
                    }
                }
            }
            let final = Logistic.train(columns: columns, labels: y, rows: allRows, parameters: lp)
            if splits == nil {
                let x = features.rowMajor(tag: k, rows: allRows), d = features.set.count
                x.withUnsafeBufferPointer { xp in
                    for i in 0..<y.count { oof[i] = sigmoid(final.rawScore(UnsafeBufferPointer(rebasing: xp[(i * d)..<((i + 1) * d)]))) }
                }
            }
            entry = TagModel(name: name, path: .stacked, threshold: nil, linear: final)
        }
        let verdict = judge(y: y, raw: raw, rawDecisions: rawDecisions, stacked: oof, support: support, fold: fold,
                            units: units, seed: seed, options: options)
        guard verdict.keep else { return rawEntry(verdict.stackedF1) }
        entry.threshold = verdict.threshold
        return (entry, TagReport(tag: name, support: support, rawF1: verdict.rawF1, stackedF1: verdict.stackedF1,
                                 threshold: verdict.threshold, path: .stacked, rounds: rounds), oof)
    }

    /// Whether a tag keeps its learned (stacked or pooled) out-of-fold scores over its raw score.
    struct Verdict {
        var keep: Bool
        var rawF1: Double
        var stackedF1: Double
        /// The learned score's F1-maximising threshold on every training row.
        var threshold: Double?
    }

    /// Never worse than the network: the learned score is kept only when it wins out of fold by the margin,
    /// ranks no worse (average precision) and wins in `options.confidence` of paired bootstrap resamples.
    static func judge(y: [UInt8], raw: [Double], rawDecisions: [Bool], stacked oof: [Double], support: Int, fold: [Int]?,
                      units: [Int]?, seed: UInt64, options: StackerOptions) -> Verdict {
        let stackedDecisions = decisions(oof, labels: y, fold: fold, options: options)
        let rawF1 = CrossFit.f1(rawDecisions, y), stackedF1 = CrossFit.f1(stackedDecisions, y)
        // Predicting every track gives F1 = 2p / (1 + p) for prevalence p; a stacked score that only wins by
        // approaching that (where the raw score fails in training) has learned nothing about the tag.
        let prevalence = Double(support) / Double(y.count)
        let predictAll = 2 * prevalence / (1 + prevalence)
        // Where the network shows no skill in training (no better than predicting everything), what a model
        // learns from these labels does not transfer (measured on MTG-Jamendo: artist-specific tags whose
        // raw score fails in training and works on new artists); such tags stay raw.
        var better = rawF1 > predictAll && stackedF1 > rawF1 + options.margin
        // Never rank worse: the stacked probabilities are written as scores too.
        if better, let apS = Metrics.averagePrecision(labels: y, scores: oof), let apR = Metrics.averagePrecision(labels: y, scores: raw) {
            better = apS >= apR
        }
        if better, options.confidence > 0 {
            let p = CrossFit.probabilityBetter(stackedDecisions, than: rawDecisions, labels: y, units: units ?? Array(0..<y.count),
                                               draws: options.bootstrapDraws, seed: SplitMix64.derive(seed, 0xB007))
            better = p >= options.confidence
        }
        let threshold = better ? ThresholdSearch.best(scores: oof, labels: y).threshold : nil
        return Verdict(keep: better, rawF1: rawF1, stackedF1: stackedF1, threshold: threshold)
    }
}
