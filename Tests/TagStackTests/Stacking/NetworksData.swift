// The data the stacking level tests train on.

import XCTest
@testable import TagStack

/// Generated data with two extra networks, cut to the tags of the first two categories of each class (about 20
/// tags, every network's column kept), so that tests train in seconds; made once for every class that uses it.
enum NetworksData {
    static let shared: SyntheticData = try! SyntheticData.generate(SyntheticConfig(trainCount: 1200, testCount: 600, seed: 8, extraNetworks: 2))
        .subset(categoriesPerClass: 2)
}

/// A test class that trains on `NetworksData`: its training rows and the logistic learner with 3 folds.
protocol TrainsOnNetworks {}

extension TrainsOnNetworks {
    static var networks: SyntheticData { NetworksData.shared }

    func data() throws -> TrainingData {
        let s = NetworksData.shared.train
        return TrainingData(labels: NetworksData.shared.labels, x: s.X, y: s.y, groups: s.groups,
                            tagColumns: try TrainingData.requireTagColumns(x: s.X, labels: NetworksData.shared.labels, path: "x"))
    }

    func options() -> StackerOptions {
        var o = StackerOptions()
        o.learner = .logistic; o.folds = 3; o.guards.bootstrapDraws = 100
        return o
    }
}
