// Hot loop: decimal text → Double, exactly as `strtod` would round it.
//
// Notes
// - Reads the bytes [start, end) of a buffer it does not own; writes nothing.
// - Fast path (Clinger 1990): when the decimal significand has at most 19 digits, fits in 2^53, and the
//   decimal exponent is within ±22, both the significand and the power of ten are exact Doubles, so one
//   IEEE multiplication or division gives the correctly rounded result. Network outputs such as `0.113169`
//   always take it.
// - Anything else (long significands, large exponents, hex, `nan`, `inf`) goes to `strtod`, which is
//   correctly rounded in glibc. The plain twin used by tests is `Double(String)`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@usableFromInline let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// Parses the bytes `p[start..<end]` as a decimal number. Leading and trailing spaces or tabs are allowed.
///
/// Returns nil when the text is not a number (empty, trailing garbage). Returns NaN or ±infinity for the
/// spellings `nan`, `inf`, `infinity` (any case) and for overflow; callers decide whether those are errors.
func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var s = start, e = end
    while s < e, p[s] == 0x20 || p[s] == 0x09 { s += 1 }
    while e > s, p[e - 1] == 0x20 || p[e - 1] == 0x09 { e -= 1 }
    if s == e { return nil }
    var i = s
    var negative = false
    if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
    var mantissa: UInt64 = 0
    var significant = 0          // significant digits stored in `mantissa`
    var exponent = 0
    var truncated = false        // digits dropped beyond 19
    var sawDigit = false
    while i < e, p[i] &- 0x30 < 10 {
        sawDigit = true
        let d = UInt64(p[i] &- 0x30)
        if significant < 19 { mantissa = mantissa &* 10 &+ d; if mantissa != 0 { significant += 1 } }
        else { exponent += 1; if d != 0 { truncated = true } }
        i += 1
    }
    if i < e, p[i] == UInt8(ascii: ".") {
        i += 1
        while i < e, p[i] &- 0x30 < 10 {
            sawDigit = true
            let d = UInt64(p[i] &- 0x30)
            if significant < 19 { mantissa = mantissa &* 10 &+ d; exponent -= 1; if mantissa != 0 { significant += 1 } }
            else if d != 0 { truncated = true }
            i += 1
        }
    }
    if !sawDigit { return parseSpecial(p, s, e) }
    if i < e, p[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        var expNegative = false
        if i < e, p[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < e, p[i] == UInt8(ascii: "+") { i += 1 }
        var expValue = 0
        var sawExpDigit = false
        while i < e, p[i] &- 0x30 < 10 {
            sawExpDigit = true
            if expValue < 100_000 { expValue = expValue * 10 + Int(p[i] &- 0x30) }
            i += 1
        }
        if !sawExpDigit { return nil }
        exponent += expNegative ? -expValue : expValue
    }
    if i != e { return slowParse(p, s, e) }
    if mantissa == 0 { return negative ? -0.0 : 0.0 }
    if !truncated, mantissa <= (1 << 53), exponent >= -22, exponent <= 22 {
        var v = Double(mantissa)
        v = exponent < 0 ? v / exactPowersOfTen[-exponent] : v * exactPowersOfTen[exponent]
        return negative ? -v : v
    }
    return slowParse(p, s, e)
}

private func parseSpecial(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
    var i = s
    var negative = false
    if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
    var word = ""
    while i < e { word.append(Character(Unicode.Scalar(p[i] | 0x20))); i += 1 }
    switch word {
    case "nan": return .nan
    case "inf", "infinity": return negative ? -.infinity : .infinity
    default: return nil
    }
}

/// Correctly rounded fallback through `strtod`; requires the whole text to be consumed.
private func slowParse(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
    let n = e - s
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { tmp -> Double? in
        for k in 0..<n { tmp[k] = CChar(bitPattern: p[s + k]) }
        tmp[n] = 0
        var endPtr: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(tmp.baseAddress!, &endPtr)
        guard let endPtr, endPtr - tmp.baseAddress! == n else { return nil }
        return v
    }
}

/// Parses a Swift string as a number with the same rules as the CSV reader.
public func parseNumber(_ text: String) -> Double? {
    var bytes = Array(text.utf8)
    let n = bytes.count
    if n == 0 { return nil }
    return bytes.withUnsafeMutableBufferPointer { parseDouble(UnsafePointer($0.baseAddress!), 0, n) }
}
