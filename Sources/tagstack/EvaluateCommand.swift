enum EvaluateCommand {
    static let help = "USAGE: tagstack evaluate --truth Y.csv --decisions D.csv [--scores P.csv] [--json] [--per-tag]"
    static func run(_ args: inout Arguments) throws { throw args.fail("not available yet") }
}
