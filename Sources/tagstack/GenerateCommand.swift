enum GenerateCommand {
    static let help = "USAGE: tagstack generate --out DIR [--train N] [--test M] [--seed S]"
    static func run(_ args: inout Arguments) throws { throw args.fail("not available yet") }
}
