// Level 1, decided once for the whole label set: the base score every tag starts from. Candidates: the
// primary network (the tag's own column), the mean and the logit-mean of the networks' scores, and a learned
// blend (one weight per network shared by every tag, one intercept per tag, L2 on the weights: a network that
// carries nothing gets ≈ 0 weight). Each is judged by cross-fitted weighted F1 of per-tag thresholds, the
// blend with a model per fold whose thresholds are fitted on that model's own training rows (a per-tag
// intercept that drifts between folds then moves its threshold with it: like is compared with like).
// Simplest first: a mean replaces the primary only when it wins by `selection.baseMargin`, the blend replaces
// the incumbent only when it wins by the margin too. One decision on 56–248 tags' evidence, where a per-tag
// choice has a few dozen positives.

import TagStackModel

enum BaseChoice {
    /// The chosen base, its scores per tag on every training row, and the level report.
    struct Outcome {
        /// nil: the primary network (nothing to record in the model).
        var model: BaseScore?
        var scores: ScoreColumns
        /// The blend's scores per fold ([fold] of [tag][row], fitted without the fold), for the later levels.
        var perFold: [ScoreColumns]? = nil
        var level: Level?
        /// The blend's weight of each source (primary first), when the blend was fitted.
        var blendWeights: [(String, Double)]?
    }

    static func choose(_ c: FoldContext) throws -> Outcome {
        let o = c.options
        let networks = FeatureMatrix.detectNetworks(columns: c.data.x.columns, labels: c.data.labels)
        let baselinesOnly = o.learnersToTry.allSatisfy(\.isBaseline)
        let wanted: [BaseScore.Kind]
        switch o.base {
        case .auto: wanted = networks.isEmpty || baselinesOnly ? [.primary] : [.primary, .mean, .logitMean, .blend]
        case .primary: wanted = [.primary]
        case .mean: wanted = [.mean]
        case .logitMean: wanted = [.logitMean]
        case .blend: wanted = [.blend]
        }
        if wanted == [.primary] { return Outcome(model: nil, scores: c.base, level: nil) }
        // Without folds there is no cross-validated evidence: auto keeps the primary network and says so.
        if c.fold == nil && o.base == .auto {
            let level = Level(kind: .base, metric: "weighted F1", candidates: [("primary", thresholdsF1(c, scores: c.base))],
                              chosen: "primary", margin: nil, inSample: true, note: Level.keptSimplest)
            return Outcome(model: nil, scores: c.base, level: level)
        }
        let sources = sourceColumns(c, networks: networks)
        var scored: [(kind: BaseScore.Kind, model: BaseScore, scores: ScoreColumns, f1: Double)] = []
        var weights: [(String, Double)]? = nil
        var perFold: [ScoreColumns]? = nil
        for kind in wanted {
            if kind == .blend {
                let (model, full, folds, f1) = blend(c, networks: networks, sources: sources)
                weights = zip(["primary"] + networks, model.weights!).map { ($0, $1) }
                perFold = folds
                scored.append((kind, model, full, f1))
            } else {
                let model = BaseScore(kind: kind, networks: networks)
                let s = kind == .primary ? c.base : ScoreColumns(x: c.data.x, values: apply(model, c, sources: sources))
                scored.append((kind, model, s, thresholdsF1(c, scores: s)))
            }
        }
        // Simplest first: the primary, then the better mean, then the blend, each by the margin.
        var chosen = scored[0]
        let margin = o.selection.baseMargin
        if wanted.count > 1 {
            let means = scored.filter { $0.kind == .mean || $0.kind == .logitMean }
            if let m = means.max(by: { $0.f1 < $1.f1 }), m.f1 > chosen.f1 + margin { chosen = m }
            if let b = scored.first(where: { $0.kind == .blend }), b.f1 > chosen.f1 + margin { chosen = b }
        }
        let level = Level(kind: .base, metric: "weighted F1", candidates: scored.map { ($0.kind.rawValue, $0.f1) },
                          chosen: chosen.kind.rawValue, margin: wanted.count > 1 ? margin : nil, inSample: c.fold == nil)
        return Outcome(model: chosen.kind == .primary ? nil : chosen.model, scores: chosen.scores,
                       perFold: chosen.kind == .blend ? perFold : nil, level: level, blendWeights: weights)
    }

    /// Per tag, the X columns of its sources: its own column, then `NET:tag` for each network (-1: absent).
    static func sourceColumns(_ c: FoldContext, networks: [String]) -> [[Int]] {
        c.data.labels.tags.enumerated().map { k, tag in
            [c.data.tagColumns[k]] + networks.map { c.data.x.columnIndex($0 + ":" + tag) ?? -1 }
        }
    }

    /// The base score of every tag on every row, computed as the scorer computes it (`BaseScore.score`).
    static func apply(_ model: BaseScore, _ c: FoldContext, sources: [[Int]]) -> [[Double]] {
        let n = c.rowCount
        return parallelMap(c.tagCount, threads: c.options.threads) { k -> [Double] in
            let cols = sources[k]
            var v = [Double](repeating: .nan, count: cols.count)
            return (0..<n).map { i in
                for (j, col) in cols.enumerated() { v[j] = col >= 0 ? c.data.x[i, col] : .nan }
                return v.withUnsafeBufferPointer { model.score(tag: k, sources: $0) }
            }
        }
    }

    /// Weighted F1 of per-tag thresholds on a parameter-free score: cross-fitted, or in-sample without folds.
    static func thresholdsF1(_ c: FoldContext, scores: ScoreColumns) -> Double {
        CrossFit.thresholdsF1(labels: c.labels, fold: c.fold, k: c.options.folds, threads: c.options.threads) { _, k in scores[k] }
    }

    /// The learned blend: fitted per fold (for its cross-fitted F1) and on every row (the model).
    static func blend(_ c: FoldContext, networks: [String], sources: [[Int]]) -> (BaseScore, ScoreColumns, [ScoreColumns]?, Double) {
        let n = c.rowCount, lambda = c.options.blendLambda, threads = c.options.threads
        // z[k][j][i]: the clipped logit of source j of tag k on row i (0 where absent or NaN: no term).
        let z: [[[Double]]] = parallelMap(c.tagCount, threads: threads) { k in
            sources[k].map { col in (0..<n).map { i in
                guard col >= 0 else { return 0 }
                let v = c.data.x[i, col]
                return v.isNaN ? 0 : clippedLogit(v)
            } }
        }
        func model(_ fit: SharedLogistic) -> BaseScore {
            BaseScore(kind: .blend, networks: networks, weights: fit.weights, intercepts: fit.intercepts)
        }
        let final = model(SharedLogistic.fit(z: z, labels: c.labels, rows: c.allRows, lambda: lambda, threads: threads))
        let full = apply(final, c, sources: sources)
        guard let fold = c.fold, let splits = c.splits else {
            return (final, ScoreColumns(x: c.data.x, values: full), nil,
                    CrossFit.thresholdsF1(labels: c.labels, fold: nil, k: 0, threads: threads) { _, k in full[k] })
        }
        let perFold = splits.map { split in
            apply(model(SharedLogistic.fit(z: z, labels: c.labels, rows: split.train, lambda: lambda, threads: threads)), c, sources: sources)
        }
        let f1 = CrossFit.thresholdsF1(labels: c.labels, fold: fold, k: splits.count, threads: threads) { f, k in perFold[f][k] }
        return (final, ScoreColumns(x: c.data.x, values: full), perFold.map { ScoreColumns(x: c.data.x, values: $0) }, f1)
    }
}
