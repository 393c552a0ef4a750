// Parameters of histogram gradient boosting for binary log loss, and their validation.

/// An error from binning or boosting. Each case names the bad value.
public enum BoostingError: Error, Equatable, CustomStringConvertible {
    /// A parameter outside its range, e.g. `numLeaves=1 should not be smaller than 2`.
    case invalidParameter(name: String, value: String, requirement: String)
    /// Inputs that do not fit together (lengths, row indices, labels), with the offending value named.
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, requirement): return "\(name)=\(value) \(requirement)"
        case let .invalidInput(why): return why
        }
    }
}

/// Parameters of one boosted model (LightGBM's names in parentheses; defaults are LightGBM's).
public struct BoostingParameters: Sendable, Equatable, Codable {
    /// Maximum leaves per tree (`num_leaves`), at least 2.
    public var numLeaves: Int = 31
    /// Maximum depth of a leaf (`max_depth`); `<= 0` means no limit.
    public var maxDepth: Int = -1
    /// Minimum training rows in a leaf (`min_data_in_leaf`), at least 1.
    public var minDataInLeaf: Int = 20
    /// Minimum sum of hessians in a leaf (`min_sum_hessian_in_leaf`).
    public var minSumHessianInLeaf: Double = 1e-3
    /// L2 regularisation of leaf values (`lambda_l2`).
    public var lambdaL2: Double = 0
    /// Minimum gain to make a split (`min_gain_to_split`); a split needs gain strictly above it.
    public var minGainToSplit: Double = 0
    /// Shrinkage applied to every leaf value (`learning_rate`).
    public var learningRate: Double = 0.1
    /// Boosting rounds (`num_iterations`); 0 returns a model that outputs the initial scores.
    public var numRounds: Int = 100
    /// Fraction of features drawn (without replacement) for each tree (`feature_fraction`), in (0, 1].
    public var featureFraction: Double = 1
    /// Fraction of training rows kept (Bernoulli per row) in each round (`bagging_fraction` with
    /// `bagging_freq=1`), in (0, 1].
    public var baggingFraction: Double = 1
    /// Stop when the validation log loss has not improved for this many rounds; 0 turns it off.
    public var earlyStoppingRounds: Int = 0
    /// Seed of the generator that draws bags and feature subsets.
    public var seed: UInt64 = 0
    /// With early stopping: drop the trees after the best iteration (true, LightGBM's behaviour) or keep every
    /// tree grown until training stopped (false; cross-validation uses them to score at other round counts).
    public var truncateToBest: Bool = true
    /// Quantized training (LightGBM's `use_quantized_grad` with `num_grad_quant_bins`): 0 trains on exact
    /// gradients; `k >= 2` rounds each round's gradients to the integers in [-k/2, k/2] and hessians to
    /// [0, k] (stochastic rounding), builds integer histograms (one add per row and feature) and computes
    /// the leaf values from the exact gradients (`quant_train_renew_leaf`). Falls back to exact training
    /// when the sums of that many rows do not fit the 64-bit packing (see GradientQuantizer.swift).
    public var gradientBins: Int = 0
    /// Quantized training only: in a leaf of `n` rows, the "missing left" thresholds of a feature with `k`
    /// value bins are every `s`-th bin boundary (bins `0..<s·j` left), `s` the smallest power of two, at
    /// most 8, with `s·n ≥ thresholdStepRows·k`: about that many rows or more a step on average, so small
    /// leaves scan fewer candidates (LightGBM's quantized training narrows small leaves' histograms
    /// instead). Leaves of `thresholdStepRows·k` rows or more (2,040 at 8 and 255 bins) try every bin. 0:
    /// every bin in every leaf. Measured on the engine benchmark (62 tags, 5,000 rows): test log loss
    /// 0.05172 against 0.05192 with 0 (Benchmarks/README.md).
    public var thresholdStepRows: Int = 8

    public init(numLeaves: Int = 31, maxDepth: Int = -1, minDataInLeaf: Int = 20, minSumHessianInLeaf: Double = 1e-3,
                lambdaL2: Double = 0, minGainToSplit: Double = 0, learningRate: Double = 0.1, numRounds: Int = 100,
                featureFraction: Double = 1, baggingFraction: Double = 1, earlyStoppingRounds: Int = 0, seed: UInt64 = 0,
                truncateToBest: Bool = true, gradientBins: Int = 0, thresholdStepRows: Int = 8) {
        self.numLeaves = numLeaves; self.maxDepth = maxDepth; self.minDataInLeaf = minDataInLeaf
        self.minSumHessianInLeaf = minSumHessianInLeaf; self.lambdaL2 = lambdaL2; self.minGainToSplit = minGainToSplit
        self.learningRate = learningRate; self.numRounds = numRounds; self.featureFraction = featureFraction
        self.baggingFraction = baggingFraction; self.earlyStoppingRounds = earlyStoppingRounds; self.seed = seed
        self.truncateToBest = truncateToBest; self.gradientBins = gradientBins; self.thresholdStepRows = thresholdStepRows
    }

    private enum CodingKeys: String, CodingKey {
        case numLeaves, maxDepth, minDataInLeaf, minSumHessianInLeaf, lambdaL2, minGainToSplit, learningRate, numRounds,
             featureFraction, baggingFraction, earlyStoppingRounds, seed, truncateToBest, gradientBins, thresholdStepRows
    }

    /// Decodes parameters written by any version: a field it does not hold (added later) takes its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BoostingParameters()
        func get<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        self.init(numLeaves: try get(.numLeaves, d.numLeaves), maxDepth: try get(.maxDepth, d.maxDepth),
                  minDataInLeaf: try get(.minDataInLeaf, d.minDataInLeaf),
                  minSumHessianInLeaf: try get(.minSumHessianInLeaf, d.minSumHessianInLeaf),
                  lambdaL2: try get(.lambdaL2, d.lambdaL2), minGainToSplit: try get(.minGainToSplit, d.minGainToSplit),
                  learningRate: try get(.learningRate, d.learningRate), numRounds: try get(.numRounds, d.numRounds),
                  featureFraction: try get(.featureFraction, d.featureFraction),
                  baggingFraction: try get(.baggingFraction, d.baggingFraction),
                  earlyStoppingRounds: try get(.earlyStoppingRounds, d.earlyStoppingRounds), seed: try get(.seed, d.seed),
                  truncateToBest: try get(.truncateToBest, d.truncateToBest), gradientBins: try get(.gradientBins, d.gradientBins),
                  thresholdStepRows: try get(.thresholdStepRows, d.thresholdStepRows))
    }

    /// Throws `BoostingError.invalidParameter` naming the first bad value. The fields `tagstack train` sets are
    /// checked against their option's range in `TrainOptions.table` (its `parameter`), e.g. `numLeaves=1 is out of
    /// range 2...65536`; the table does not hold the others, whose bounds are stated here.
    public func validate() throws {
        let (whole, real) = optionValues
        for option in TrainOptions.table {
            guard let name = option.parameter else { continue }
            let problem: OptionError?
            switch option.value {
            case .int: problem = whole[name].flatMap(option.problem)
            case .double: problem = real[name].flatMap(option.problem)
            case .flag, .text, .choice: problem = nil
            }
            if let problem {
                throw BoostingError.invalidParameter(name: name, value: problem.value ?? "", requirement: problem.requirement ?? "")
            }
        }
        func bad(_ name: String, _ value: Any, _ req: String) -> BoostingError {
            .invalidParameter(name: name, value: "\(value)", requirement: req)
        }
        if !(minSumHessianInLeaf >= 0) || !minSumHessianInLeaf.isFinite { throw bad("minSumHessianInLeaf", minSumHessianInLeaf, "should be a finite number >= 0") }
        if !(minGainToSplit >= 0) || !minGainToSplit.isFinite { throw bad("minGainToSplit", minGainToSplit, "should be a finite number >= 0") }
        if !(baggingFraction > 0 && baggingFraction <= 1) { throw bad("baggingFraction", baggingFraction, "should be in (0, 1]") }
    }

    /// The fields `tagstack train` sets, by name: `validate` checks them against the ranges `TrainOptions.table`
    /// states (each has an entry whose `parameter` names it; TrainOptionsTests).
    var optionValues: (whole: [String: Int], real: [String: Double]) {
        (["numLeaves": numLeaves, "minDataInLeaf": minDataInLeaf, "numRounds": numRounds, "earlyStoppingRounds": earlyStoppingRounds,
          "gradientBins": gradientBins, "thresholdStepRows": thresholdStepRows],
         ["learningRate": learningRate, "featureFraction": featureFraction, "lambdaL2": lambdaL2])
    }
}
