// The tool's version and, when built by `make` from a git checkout, the commit it was built from.
//
// SwiftPM runs no code at build time without plugins, so `make build` / `make test` run Scripts/build_commit.sh
// first: it writes Sources/tagstack/BuildCommit.generated.swift (git-ignored), which makes `BuildInfo` conform
// to `GeneratedBuildCommit`. A plain `swift build` on a fresh clone or a tarball has no such file: `BuildInfo`
// does not conform and `commit` is nil, so the build never depends on git.

import TagStackModel

/// Bumped by hand at a release.
let toolVersion = "0.25.0"

/// What the generated file adds: the commit (`git rev-parse --short=12 HEAD`, `-dirty` when tracked files differ).
protocol GeneratedBuildCommit { static var generatedCommit: String { get } }

enum BuildInfo {
    /// The commit this binary was built from, or nil when it was not built through `make`.
    static var commit: String? {
        let type: Any.Type = BuildInfo.self
        return (type as? GeneratedBuildCommit.Type)?.generatedCommit
    }

    /// `tagstack --version`.
    static var versionText: String {
        "tagstack \(toolVersion) (" + (commit.map { "commit \($0)" } ?? "commit unknown: built without make") + ")\n"
            + "model format \(StackerModel.currentFormatVersion) (reads \(StackerModel.supportedFormatVersions.lowerBound)...\(StackerModel.supportedFormatVersions.upperBound))"
    }
}
