// Every option of every command that names a file or a folder, declared once with what the command does
// with it. The CLI's `Arguments.path(_:)` reads such an option (and refuses one not declared here), `Arguments.string`
// refuses one declared here, and `Arguments.finish()` checks every path of the run against every other before
// any work: an output never lands on an input (by name, symbolic link or hard link), no output is named
// twice, no input lies inside a folder an output replaces, and standard input / output (`-`) serve one
// option each. A new path option is one line here; `PathOptionsTests` checks that every FILE or DIR option
// in a command's help is declared, and the command-line fuzzer (Fuzz/cli_fuzz.py) aims them at each other.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

public enum PathRole: Equatable, Sendable {
    /// Read (a pipe or `-` is read once and kept: `InputFiles.open`).
    case input
    /// Read once, front to back, as it comes (a pipe is never copied: `InputFiles.stream`).
    case streamedInput
    /// A folder whose files are read (`--data`).
    case inputFolder
    /// Written atomically (a temporary renamed over it); `-` is standard output.
    case output
    /// A folder whose contents the command replaces as a set (`OwnedFolder`).
    case outputFolder

    public var isInput: Bool { self == .input || self == .streamedInput }
}

public struct PathUse: Sendable {
    public var option: String
    public var path: String
    public var role: PathRole
    public init(option: String, path: String, role: PathRole) { self.option = option; self.path = path; self.role = role }
}

public enum PathOptions {
    public static let table: [String: [String: PathRole]] = [
        "train": [
            "--data": .inputFolder, "--labels": .input, "--train-x": .input, "--train-y": .input, "--groups": .input,
            "--columns": .input, "--model": .output, "--report": .output, "--html": .output, "--importance": .output,
        ],
        "predict": [
            "--model": .input, "--input": .streamedInput, "--columns": .input, "--decisions": .output, "--scores": .output,
        ],
        "evaluate": [
            "--truth": .input, "--decisions": .input, "--scores": .input, "--labels": .input, "--html": .output,
            "--confusion": .output,
        ],
        "export": ["--model": .input, "--features-for": .input, "--columns": .input, "--out": .outputFolder],
        "generate": ["--out": .outputFolder],
    ]

    public static func role(command: String, option: String) -> PathRole? { table[command]?[option] }

    /// The checks `Arguments.finish()` runs over every declared path (see the file's notes).
    public static func check(_ uses: [PathUse], printsToStandardOutput: Bool) throws {
        let outputs = uses.filter { $0.role == .output }
        let inputs = uses.filter { $0.role.isInput }
        let stdoutUses = outputs.filter { $0.path == "-" }
        if printsToStandardOutput, let u = stdoutUses.first {
            throw DataError(.badArgument, file: "-", "\(u.option) -: this command prints its results on standard output; write \(u.option) to a file")
        }
        if stdoutUses.count > 1 {
            throw DataError(.badArgument, file: "-", "\(stdoutUses[0].option) and \(stdoutUses[1].option) both name standard output (-): give one of them a file")
        }
        let stdinUses = inputs.filter { $0.path == "-" }
        if stdinUses.count > 1, stdinUses.contains(where: { $0.role == .streamedInput }) {
            throw DataError(.badArgument, file: "-", "\(stdinUses[0].option) and \(stdinUses[1].option) both read standard input (-), which can be read once")
        }
        try OutputTarget.checkDistinct(outputs: outputs.map { ($0.option, $0.path) }, inputs: inputs.map { ($0.option, $0.path) })
        // A folder whose contents are replaced must not hold (or be) an input, nor hold another output.
        for folder in uses where folder.role == .outputFolder {
            let real = URL(fileURLWithPath: folder.path).standardizedFileURL.resolvingSymlinksInPath().path
            for other in uses where other.role != .outputFolder && other.path != "-" {
                let otherReal = URL(fileURLWithPath: other.path).standardizedFileURL.resolvingSymlinksInPath().path
                if otherReal == real || otherReal.hasPrefix(real == "/" ? "/" : real + "/") {
                    let what = other.role.isInput || other.role == .inputFolder ? "the \(other.option) input" : "the \(other.option) output"
                    throw DataError(.badArgument, file: other.path,
                                    "\(what) is inside \(folder.option) '\(folder.path)', whose contents this command replaces: use another folder")
                }
            }
        }
    }
}
