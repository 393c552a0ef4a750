// swift-tools-version:5.9
// Single-track latency and batch throughput of TagStackModel, measured the way a service calls it: a package
// that depends only on the TagStackModel product (path dependency on this repository).
//
//   swift run -c release --package-path Scripts/latency latency MODEL.json X.csv [--reps N]
import PackageDescription

let package = Package(
    name: "latency",
    dependencies: [.package(name: "TagStack", path: "../..")],
    targets: [.executableTarget(name: "latency", dependencies: [.product(name: "TagStackModel", package: "TagStack")])]
)
