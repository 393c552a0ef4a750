// tagstack: the command-line tool the Makefile drives.
//
// Exit codes: 0 success; 1 a data or model error (message names file, line, column); 2 a usage error.

import Foundation
import TagStack
import TagStackModel
#if os(Linux)
// Blocks of 256 KiB and more (a column of the training rows, a row block) come from mmap and go back to the
// system when freed. glibc's default raises this threshold each time such a block is freed, after which
// freed columns stay resident in the heap (and in each thread's arena), and peak RSS of `train --learner
// thresholds` rises above 1.5 × X (README, Large catalogues: the figures before and after, Benchmarks/bench_catalogue.sh).
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32   // <malloc.h>, not in Glibc's module
let M_MMAP_THRESHOLD: Int32 = -3
_ = mallopt(M_MMAP_THRESHOLD, 256 << 10)
#endif

let overview = """
tagstack — second-stage learner for multi-label music auto-tagging

USAGE: tagstack <command> [options]

COMMANDS:
  generate   Write deterministic Mewo-shaped synthetic data
  train      Fit a model on labels.csv, train_X.csv, train_y.csv
  predict    Score an X file with a model; write decisions (and probabilities)
  evaluate   Score decisions (and probabilities) against the truth
  export     Write a model's trees in LightGBM's text model format

Run 'tagstack <command> --help' or 'tagstack help <command>' for a command's options,
'tagstack --version' for the version (and the git commit it was built from).
Exit codes: 0 success, 1 data or model error, 2 usage error.
"""

func printError(_ text: String) {
    FileHandle.standardError.write(("tagstack: error: " + text + "\n").data(using: .utf8)!)
}

func note(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}

setvbuf(stdout, nil, _IOFBF, 1 << 16)
// Ctrl-C / kill: remove any named temporary output before the signal ends the process.
AtomicFileWriter.installSignalCleanup()
var argv = Array(CommandLine.arguments.dropFirst())
guard let command = argv.first else { print(overview); exit(2) }
argv.removeFirst()

let commands: [String: (inout Arguments) throws -> Void] = [
    "train": TrainCommand.run,
    "predict": PredictCommand.run,
    "evaluate": EvaluateCommand.run,
    "generate": GenerateCommand.run,
    "export": ExportCommand.run,
]
let helps: [String: String] = [
    "train": TrainCommand.help, "predict": PredictCommand.help,
    "evaluate": EvaluateCommand.help, "generate": GenerateCommand.help, "export": ExportCommand.help,
]

if command == "--help" || command == "-h" || command == "help" {
    // `tagstack help train` is `tagstack train --help`.
    guard let name = argv.first else { print(overview); exit(0) }
    guard let text = helps[name], argv.count == 1 else {
        printError("help: " + (argv.count > 1 ? "give one command, got \(argv.joined(separator: " "))" : "unknown command '\(name)'") + "\n\n" + overview)
        exit(2)
    }
    print(text); exit(0)
}
if command == "--version" || command == "-V" { print(BuildInfo.versionText); exit(0) }
guard let run = commands[command] else {
    printError("unknown command '\(command)'\n\n" + overview)
    exit(2)
}
if argv.contains("--help") || argv.contains("-h") { print(helps[command]!); exit(0) }

var args = Arguments(command: command, argv)
do {
    try run(&args)
    fflush(stdout)
    exit(0)
} catch let e as UsageError {
    printError("\(command): \(e)")
    exit(2)
} catch let e as OptionError {
    printError("\(command): \(e)\n(see 'tagstack \(command) --help')")
    exit(2)
} catch let e as DataError {
    printError(e.description)
    exit(1)
} catch let e as ModelError {
    printError(e.description)
    exit(1)
} catch {
    printError("\(error)")
    exit(1)
}
