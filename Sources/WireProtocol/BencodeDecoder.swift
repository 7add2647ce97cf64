/// A strict bencode reader: one canonical encoding per value, so that hashing the bytes of a value (the
/// info-hash) means the same thing to every client.
///
/// Refuses leading zeros (`i03e`, `03:abc`), `i-0e`, keys out of order or repeated, lengths past the end,
/// nesting deeper than `maxDepth`, and anything after the top-level value. Never traps on any input.
public struct BencodeDecoder {
    public static let maxDepth = 64

    let bytes: [UInt8]
    var index: Int

    /// Decodes exactly one value that fills `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(BencodeError) -> BValue {
        var decoder = BencodeDecoder(bytes: bytes, index: 0)
        let value = try decoder.value(depth: 0)
        guard decoder.index == bytes.count else { throw BencodeError(reason: .trailingBytes, offset: decoder.index) }
        return value
    }

    /// Decodes one value starting at `start`; returns it with the range of bytes it spans (the info-hash is
    /// the SHA-1 of the `info` value's bytes exactly as they appear).
    public static func decodeWithSpans(_ bytes: [UInt8]) throws(BencodeError) -> (BValue, spans: [String: Range<Int>]) {
        var decoder = BencodeDecoder(bytes: bytes, index: 0)
        var spans: [String: Range<Int>] = [:]
        let value = try decoder.value(depth: 0, topLevelSpans: &spans)
        guard decoder.index == bytes.count else { throw BencodeError(reason: .trailingBytes, offset: decoder.index) }
        return (value, spans)
    }

    mutating func value(depth: Int) throws(BencodeError) -> BValue {
        var ignored: [String: Range<Int>] = [:]
        return try value(depth: depth, topLevelSpans: &ignored, recordSpans: false)
    }

    mutating func value(depth: Int, topLevelSpans: inout [String: Range<Int>], recordSpans: Bool = true)
        throws(BencodeError) -> BValue
    {
        guard depth < Self.maxDepth else { throw BencodeError(reason: .tooDeep, offset: index) }
        guard index < bytes.count else { throw BencodeError(reason: .unexpectedEnd, offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "i"):
            index += 1
            let n = try integer(until: UInt8(ascii: "e"), allowNegative: true)
            return .integer(n)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .bytes(try byteString())
        case UInt8(ascii: "l"):
            index += 1
            var items: [BValue] = []
            while true {
                guard index < bytes.count else { throw BencodeError(reason: .unexpectedEnd, offset: index) }
                if bytes[index] == UInt8(ascii: "e") {
                    index += 1
                    return .list(items)
                }
                items.append(try value(depth: depth + 1))
            }
        case UInt8(ascii: "d"):
            index += 1
            var entries: [(key: [UInt8], value: BValue)] = []
            while true {
                guard index < bytes.count else { throw BencodeError(reason: .unexpectedEnd, offset: index) }
                if bytes[index] == UInt8(ascii: "e") {
                    index += 1
                    return .dictionary(entries)
                }
                let keyOffset = index
                guard bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") else {
                    throw BencodeError(reason: .unexpectedByte(bytes[index]), offset: index)
                }
                let key = try byteString()
                if let last = entries.last?.key {
                    if key == last { throw BencodeError(reason: .duplicateKey, offset: keyOffset) }
                    if !last.lexicographicallyPrecedes(key) { throw BencodeError(reason: .unsortedKeys, offset: keyOffset) }
                }
                let start = index
                let v = try value(depth: depth + 1)
                if recordSpans, depth == 0, let name = String(validating: key, as: UTF8.self) {
                    topLevelSpans[name] = start..<index
                }
                entries.append((key, v))
            }
        default:
            throw BencodeError(reason: .unexpectedByte(bytes[index]), offset: index)
        }
    }

    /// Digits up to `terminator`, canonical form only.
    mutating func integer(until terminator: UInt8, allowNegative: Bool) throws(BencodeError) -> Int64 {
        let start = index
        var negative = false
        if allowNegative, index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] != terminator {
            let b = bytes[index]
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else {
                throw BencodeError(reason: .unexpectedByte(b), offset: index)
            }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
            if o1 || o2 { throw BencodeError(reason: .integerOverflow, offset: start) }
            value = s
            index += 1
        }
        guard index < bytes.count else { throw BencodeError(reason: .unexpectedEnd, offset: index) }
        let digits = index - digitsStart
        guard digits > 0 else { throw BencodeError(reason: .unexpectedByte(bytes[index]), offset: index) }
        if digits > 1 && bytes[digitsStart] == UInt8(ascii: "0") { throw BencodeError(reason: .leadingZero, offset: start) }
        if negative && value == 0 { throw BencodeError(reason: .negativeZero, offset: start) }
        index += 1  // the terminator
        return negative ? -value : value
    }

    mutating func byteString() throws(BencodeError) -> [UInt8] {
        let start = index
        let length = try integer(until: UInt8(ascii: ":"), allowNegative: false)
        guard length <= Int64(bytes.count - index) else { throw BencodeError(reason: .lengthPastEnd, offset: start) }
        let end = index + Int(length)
        defer { index = end }
        return Array(bytes[index..<end])
    }
}

/// Bencode writing: canonical (dictionary keys sorted as raw bytes).
public enum BencodeEncoder {
    public static func encode(_ value: BValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    static func write(_ value: BValue, into out: inout [UInt8]) {
        switch value {
        case .integer(let n):
            out.append(UInt8(ascii: "i"))
            out.append(contentsOf: String(n).utf8)
            out.append(UInt8(ascii: "e"))
        case .bytes(let b):
            out.append(contentsOf: String(b.count).utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: b)
        case .list(let items):
            out.append(UInt8(ascii: "l"))
            for item in items { write(item, into: &out) }
            out.append(UInt8(ascii: "e"))
        case .dictionary(let entries):
            out.append(UInt8(ascii: "d"))
            for entry in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                write(.bytes(entry.key), into: &out)
                write(entry.value, into: &out)
            }
            out.append(UInt8(ascii: "e"))
        }
    }
}
