// A small, strict command-line parser: `--name value`, `--name=value` and flags. Unknown options, missing
// values and bad numbers are usage errors (exit code 2) that name the option and the value.

import TagStack

struct UsageError: Error, CustomStringConvertible {
    let command: String
    let message: String
    var description: String { "\(message)\n(see 'tagstack \(command) --help')" }
}

struct Arguments {
    let command: String
    private var items: [String]
    private var used: Set<Int> = []
    /// Every path this run reads or writes, in the order declared: given options and derived defaults.
    private(set) var paths: [PathUse] = []
    /// The command prints its results on standard output: no output file may be `-` then.
    var printsToStandardOutput = false

    init(command: String, _ items: [String]) {
        self.command = command
        // Split `--name=value` into two items.
        self.items = items.flatMap { item -> [String] in
            if item.hasPrefix("--"), let eq = item.firstIndex(of: "=") {
                return [String(item[..<eq]), String(item[item.index(after: eq)...])]
            }
            return [item]
        }
    }

    func fail(_ message: String) -> UsageError { UsageError(command: command, message: message) }

    /// True when `name` is present (a flag takes no value).
    mutating func flag(_ name: String) -> Bool {
        guard let k = items.firstIndex(of: name) else { return false }
        used.insert(k)
        return true
    }

    /// The value of a path option (declared in `PathOptions`), recorded for `finish()`'s alias check.
    mutating func path(_ name: String) throws -> String? {
        guard let role = PathOptions.role(command: command, option: name) else {
            preconditionFailure("\(command) \(name) is not declared in PathOptions")
        }
        guard let value = try value(name) else { return nil }
        if value.isEmpty { throw fail("\(name) needs a path, got an empty string") }
        paths.append(PathUse(option: name, path: value, role: role))
        return value
    }

    mutating func requiredPath(_ name: String) throws -> String {
        guard let v = try path(name) else { throw fail("missing required option \(name)") }
        return v
    }

    /// Declares a path the command uses without the option being given (a default such as DIR/labels.csv),
    /// so that the alias check covers it too.
    mutating func declare(_ name: String, defaultPath: String) {
        guard let role = PathOptions.role(command: command, option: name) else {
            preconditionFailure("\(command) \(name) is not declared in PathOptions")
        }
        paths.append(PathUse(option: name, path: defaultPath, role: role))
    }

    /// The value following `name`, or nil when the option is absent (not for path options: see `path`).
    mutating func string(_ name: String) throws -> String? {
        precondition(PathOptions.role(command: command, option: name) == nil, "\(command) \(name) is a path: read it with path(_:)")
        return try value(name)
    }

    private mutating func value(_ name: String) throws -> String? {
        let hits = items.indices.filter { items[$0] == name }
        guard let k = hits.last else { return nil }
        if hits.count > 1 { throw fail("option \(name) given \(hits.count) times") }
        guard k + 1 < items.count, !(items[k + 1].hasPrefix("--") && items[k + 1].count > 2) else {
            throw fail("option \(name) needs a value")
        }
        used.insert(k); used.insert(k + 1)
        return items[k + 1]
    }

    mutating func required(_ name: String) throws -> String {
        guard let v = try string(name) else { throw fail("missing required option \(name)") }
        return v
    }

    /// The value of `name` when given, else nil.
    mutating func optionalInt(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard items.contains(name) else { return nil }
        return try int(name, default: 0, in: range)
    }

    mutating func optionalDouble(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
        guard items.contains(name) else { return nil }
        return try double(name, default: 0, in: range)
    }

    mutating func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = try string(name) else { return value }
        guard let v = Int(text) else { throw fail("\(name) expects a whole number, got '\(text)'") }
        guard range.contains(v) else { throw fail("\(name)=\(v) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    mutating func double(_ name: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = try string(name) else { return value }
        guard let v = Double(text), v.isFinite else { throw fail("\(name) expects a number, got '\(text)'") }
        guard range.contains(v) else { throw fail("\(name)=\(text) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    mutating func choice<T: RawRepresentable>(_ name: String, default value: T) throws -> T where T.RawValue == String, T: CaseIterable {
        guard let text = try string(name) else { return value }
        guard let v = T(rawValue: text) else {
            throw fail("\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: "|")), got '\(text)'")
        }
        return v
    }

    /// Reads a number or a plain choice of `TrainOptions.table` into `o` when given (flags, paths and the
    /// choices the command interprets itself are read by the command), refused by the table's one range check
    /// (`TrainOption.problem`) before it is stored.
    mutating func read(_ option: TrainOption, into o: inout StackerOptions) throws {
        guard let name = option.name else { return }
        switch option.value {
        case .flag, .text, .choice(_, set: nil): return
        case let .choice(names, set?):
            guard let text = try string(name) else { return }
            guard names.contains(text) else { throw fail("\(name) must be one of \(names.joined(separator: "|")), got '\(text)'") }
            set(&o, text)
        case let .int(_, _, set):
            guard let text = try string(name) else { return }
            guard let v = Int(text) else { throw fail("\(name) expects a whole number, got '\(text)'") }
            if let e = option.problem(v) { throw fail(e.commandLine) }
            set(&o, v)
        case let .double(_, _, set):
            guard let text = try string(name) else { return }
            guard let v = Double(text), v.isFinite else { throw fail("\(name) expects a number, got '\(text)'") }
            if let e = option.problem(v) { throw fail(e.commandLine) }
            set(&o, v)
        }
    }

    /// Fails on anything not consumed (an unknown option or a stray value), then checks every declared path
    /// against every other (`PathOptions.check`): no output over an input, no output named twice.
    func finish() throws {
        for (k, item) in items.enumerated() where !used.contains(k) {
            throw fail(item.hasPrefix("-") && item != "-" ? "unknown option \(item)" : "unexpected argument '\(item)'")
        }
        try PathOptions.check(paths, printsToStandardOutput: printsToStandardOutput)
    }
}
