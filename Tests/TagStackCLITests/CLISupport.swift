import Foundation
import XCTest

/// Runs the built `tagstack` binary (a sibling of the test bundle in .build/<config>/).
struct CLI {
    /// The `tagstack` built with these tests: beside the test executable (`.build*/<config>/`), or
    /// `$TAGSTACK_BIN`. Never a binary from another build folder, which could be stale.
    static let binary: URL = {
        if let env = ProcessInfo.processInfo.environment["TAGSTACK_BIN"] { return URL(fileURLWithPath: env) }
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0]),
                          Bundle(for: CLIToken.self).bundleURL]
            .compactMap { $0?.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tagstack") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            fatalError("tagstack binary not found beside the tests (looked at \(candidates.map(\.path))); build with --build-tests")
        }
        return found
    }()

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    @discardableResult
    static func run(_ args: [String], cwd: String? = nil) throws -> Result {
        try run(executable: binary, args, cwd: cwd)
    }

    /// Runs any program to completion, capturing its output.
    static func run(executable: URL, _ args: [String], cwd: String? = nil, environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Both pipes drained at once: a program that fills one (a long message) while the other is read
        // would otherwise wait forever.
        var e = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

final class CLIToken {}

final class Scratch {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "tagstack-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    @discardableResult func write(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        try! text.write(toFile: p, atomically: false, encoding: .utf8)
        return p
    }
    func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? [] }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }
}

func sharedData(_ name: String) -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let p = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(name)").path
    return FileManager.default.fileExists(atPath: p + "/labels.csv") ? p : nil
}

/// Three tracks, three tags in two categories: the good files the CLI error tests break one way at a time.
enum TinyData {
    static let labels = ",rock,jazz,piano\ncategory,genres-a,genres-a,instruments-k\nclass,Genres,Genres,Instruments\n"
    static let x = "ChallengeID,rock,jazz,piano,genres-a\n001,0.9,0.1,0.2,0.8\n002,0.2,0.7,0.6,0.5\n003,0.6,0.4,0.1,0.7\n"
    static let y = "ChallengeID,rock,jazz,piano\n001,1,0,0\n002,0,1,1\n003,1,0,0\n"

    /// A scratch data folder with the good files, some replaced.
    static func folder(x: String? = nil, y: String? = nil, labels l: String? = nil) -> Scratch {
        let s = Scratch()
        s.write("labels.csv", l ?? labels)
        s.write("train_X.csv", x ?? Self.x)
        s.write("train_y.csv", y ?? Self.y)
        return s
    }
}
