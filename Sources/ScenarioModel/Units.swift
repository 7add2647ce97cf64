import Foundation

/// The kinds of quantity a scenario file writes as "number unit" strings, with their units.
///
/// Base units: bytes for sizes, bits per second for rates, seconds for durations. Decimal prefixes are
/// powers of 1000 (`kB`, `Mbps`), binary prefixes powers of 1024 (`KiB`, `MiB/s`), as in IEC 80000-13.
/// Units are case-sensitive because `MB/s` and `Mb/s` differ by a factor of eight.
public enum QuantityKind: String, Sendable {
    case size, rate, duration

    /// Units and their factor to the base unit.
    public var units: [(symbol: String, factor: Double)] {
        switch self {
        case .size:
            return [("B", 1), ("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
                    ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776)]
        case .rate:
            return [("bps", 1), ("kbps", 1e3), ("Mbps", 1e6), ("Gbps", 1e9),
                    ("bit/s", 1), ("kbit/s", 1e3), ("Mbit/s", 1e6), ("Gbit/s", 1e9),
                    ("B/s", 8), ("kB/s", 8e3), ("MB/s", 8e6), ("GB/s", 8e9),
                    ("KiB/s", 8 * 1024), ("MiB/s", 8 * 1_048_576), ("GiB/s", 8 * 1_073_741_824)]
        case .duration:
            return [("us", 1e-6), ("ms", 1e-3), ("s", 1), ("min", 60), ("h", 3600), ("d", 86_400)]
        }
    }

    /// Examples shown in error messages.
    public var examples: String {
        switch self {
        case .size: return #""100 MiB", "256 KiB", "1.5 GB""#
        case .rate: return #""2 Mbps", "500 kbps", "1.5 MB/s""#
        case .duration: return #""80 ms", "10 s", "48 h""#
        }
    }

    /// "a size", "a rate", "a duration".
    public var article: String { "a \(rawValue)" }

    /// Parses "12.5 MiB" (space optional) into the base unit, or explains why not.
    public func parse(_ text: String) -> Result<Double, QuantityError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let chars = Array(trimmed)
        func isDigit(_ i: Int) -> Bool { i < chars.count && chars[i].isASCII && chars[i].isNumber }
        var i = 0
        if i < chars.count, chars[i] == "+" || chars[i] == "-" { i += 1 }
        while isDigit(i) || (i < chars.count && chars[i] == ".") { i += 1 }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            if isDigit(j) {
                i = j
                while isDigit(i) { i += 1 }
            }
        }
        let numberEnd = trimmed.index(trimmed.startIndex, offsetBy: i)
        let numberText = trimmed[..<numberEnd]
        let unitText = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces)
        guard let number = Double(numberText), number.isFinite else { return .failure(.notAQuantity(suggestion: nil)) }
        guard !unitText.isEmpty else { return .failure(.missingUnit) }
        if let unit = units.first(where: { $0.symbol == unitText }) {
            let value = number * unit.factor
            guard value >= 0 else { return .failure(.negative) }
            return .success(value)
        }
        let suggestion = Self.closest(unitText, among: units.map(\.symbol)).map { "\(numberText) \($0)" }
        return .failure(.notAQuantity(suggestion: suggestion))
    }

    /// The nearest symbol by edit distance (case differences count half), if close enough to be a typo.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        var best: (String, Double)?
        for candidate in candidates {
            var d = Double(editDistance(word, candidate))
            if word.lowercased() == candidate.lowercased() { d = 0.5 }
            let allowed = Double(max(1, min(2, word.count / 3)))  // short words: one typo at most
            if d <= allowed, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }
}

/// Why a quantity string did not parse.
public enum QuantityError: Error, Equatable {
    case notAQuantity(suggestion: String?)
    case missingUnit
    case negative
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions): typo suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
        }
    }
    return d[x.count][y.count]
}

/// Nanoseconds from seconds, rounded to the nearest nanosecond.
@inline(__always)
public func nanoseconds(fromSeconds seconds: Double) -> Int64 {
    Int64((seconds * 1e9).rounded())
}
