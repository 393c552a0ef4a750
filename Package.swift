// swift-tools-version:5.9
// TagStack: a pure-Swift second-stage learner for multi-label music auto-tagging.
// No package dependencies: the toolchain's Foundation, Dispatch and XCTest only.
import PackageDescription

let package = Package(
    name: "TagStack",
    products: [
        // The small inference library another service imports: model types, JSON schema,
        // feature builder, tree/linear scoring, thresholds and decision rules.
        .library(name: "TagStackModel", targets: ["TagStackModel"]),
        // Training: I/O, binning, histogram GBDT, logistic regression, CV, thresholds, metrics.
        .library(name: "TagStack", targets: ["TagStack"]),
        .executable(name: "tagstack", targets: ["tagstack"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "TagStackModel"),
        .target(name: "TagStack", dependencies: ["TagStackModel"]),
        .executableTarget(name: "tagstack", dependencies: ["TagStack", "TagStackModel"]),
        // Benchmarks only (`make bench`); never part of `make test`.
        .executableTarget(name: "tagstack-bench", dependencies: ["TagStack", "TagStackModel"],
                          path: "Benchmarks/Sources/tagstack-bench"),
        // The golden files are read in place (#filePath), not bundled.
        .testTarget(name: "TagStackModelTests", dependencies: ["TagStackModel"], exclude: ["Golden", "InvalidModels"]),
        .testTarget(name: "TagStackTests", dependencies: ["TagStack", "TagStackModel"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TagStackCLITests", dependencies: ["TagStack", "TagStackModel"]),
    ]
)
