// WireProtocol: BitTorrent v1's formats, as pure values and codecs over bytes: bencode, metainfo (.torrent)
// with sanitized paths and the info-hash, the handshake and the peer wire messages (BEP 3).
// Owns parsing and encoding only: no sockets, no files, no clock. The network client (SwiftNIO) wraps
// these codecs; the strategies live in Strategy.

/// A bencoded value (BEP 3): integers, byte strings, lists and dictionaries with byte-string keys.
///
/// Strings are bytes, not text: piece hashes and peer ids are binary. Dictionaries keep the order they
/// were read in, which for valid input is the sorted order the format requires.
public indirect enum BValue: Equatable, Sendable {
    case integer(Int64)
    case bytes([UInt8])
    case list([BValue])
    case dictionary([(key: [UInt8], value: BValue)])

    public static func == (a: BValue, b: BValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.dictionary(let x), .dictionary(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A text string value.
    public static func string(_ s: String) -> BValue { .bytes(Array(s.utf8)) }

    /// The value under `key` of a dictionary.
    public subscript(key: String) -> BValue? {
        guard case .dictionary(let entries) = self else { return nil }
        let k = Array(key.utf8)
        return entries.first { $0.key == k }?.value
    }

    public var integerValue: Int64? { if case .integer(let i) = self { i } else { nil } }
    public var bytesValue: [UInt8]? { if case .bytes(let b) = self { b } else { nil } }
    public var listValue: [BValue]? { if case .list(let l) = self { l } else { nil } }
    /// The byte string as UTF-8 text, if it is valid UTF-8.
    public var stringValue: String? {
        guard case .bytes(let b) = self else { return nil }
        return String(validating: b, as: UTF8.self)
    }
}

/// Why bytes are not valid bencode. `offset` is where the problem was found.
public struct BencodeError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case leadingZero
        case negativeZero
        case integerOverflow
        case lengthPastEnd
        case unsortedKeys
        case duplicateKey
        case tooDeep
        case trailingBytes
    }

    public var reason: Reason
    public var offset: Int

    public var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd: what = "the data ends in the middle of a value"
        case .unexpectedByte(let b): what = "unexpected byte 0x\(String(b, radix: 16))"
        case .leadingZero: what = "a number with a leading zero"
        case .negativeZero: what = "the integer -0"
        case .integerOverflow: what = "an integer too large"
        case .lengthPastEnd: what = "a string longer than the data left"
        case .unsortedKeys: what = "dictionary keys out of order"
        case .duplicateKey: what = "a duplicate dictionary key"
        case .tooDeep: what = "nesting deeper than \(BencodeDecoder.maxDepth) levels"
        case .trailingBytes: what = "bytes after the end of the value"
        }
        return "invalid bencode at byte \(offset): \(what)"
    }
}
