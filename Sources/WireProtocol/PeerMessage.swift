/// A peer wire message (BEP 3). Payload sizes are checked by the decoder before a message exists.
public enum PeerMessage: Equatable, Sendable {
    case keepAlive
    case choke
    case unchoke
    case interested
    case notInterested
    case have(piece: UInt32)
    case bitfield([UInt8])
    case request(piece: UInt32, offset: UInt32, length: UInt32)
    case piece(piece: UInt32, offset: UInt32, block: [UInt8])
    case cancel(piece: UInt32, offset: UInt32, length: UInt32)
    /// BEP 5's DHT port, or an extension message we did not ask for: read and ignored.
    case ignored(id: UInt8)

    var isIgnored: Bool { if case .ignored = self { true } else { false } }

    /// The message as it goes on the wire: 4-byte big-endian length, id, payload.
    public var encoded: [UInt8] {
        func frame(_ id: UInt8, _ payload: [UInt8] = []) -> [UInt8] {
            be32(UInt32(payload.count + 1)) + [id] + payload
        }
        switch self {
        case .keepAlive: return [0, 0, 0, 0]
        case .choke: return frame(0)
        case .unchoke: return frame(1)
        case .interested: return frame(2)
        case .notInterested: return frame(3)
        case .have(let p): return frame(4, be32(p))
        case .bitfield(let bits): return frame(5, bits)
        case .request(let p, let o, let l): return frame(6, be32(p) + be32(o) + be32(l))
        case .piece(let p, let o, let block): return frame(7, be32(p) + be32(o) + block)
        case .cancel(let p, let o, let l): return frame(8, be32(p) + be32(o) + be32(l))
        case .ignored(let id): return frame(id)
        }
    }
}

@inline(__always)
func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

/// The 68-byte handshake: protocol name, reserved bits, info-hash, peer id.
public struct Handshake: Equatable, Sendable {
    public static let protocolName = Array("BitTorrent protocol".utf8)
    public static let length = 68

    /// Extension bits; ours are all zero, the other side's are tolerated.
    public var reserved: [UInt8]
    public var infoHash: [UInt8]
    public var peerID: [UInt8]

    public init(infoHash: [UInt8], peerID: [UInt8], reserved: [UInt8] = Array(repeating: 0, count: 8)) {
        precondition(infoHash.count == 20 && peerID.count == 20 && reserved.count == 8)
        self.infoHash = infoHash
        self.peerID = peerID
        self.reserved = reserved
    }

    public var encoded: [UInt8] { [19] + Self.protocolName + reserved + infoHash + peerID }

    public enum Problem: Error, Equatable { case notBitTorrent }

    /// Reads a handshake from the first 68 bytes; nil if fewer have arrived.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(Problem) -> Handshake? {
        guard bytes.count >= length else {
            // Refuse early when the bytes so far already cannot be a handshake.
            let prefix = [19] + protocolName
            if !zip(bytes, prefix).allSatisfy({ $0 == $1 }) { throw .notBitTorrent }
            return nil
        }
        let b = Array(bytes.prefix(length))
        guard b[0] == 19, Array(b[1..<20]) == protocolName else { throw .notBitTorrent }
        return Handshake(infoHash: Array(b[28..<48]), peerID: Array(b[48..<68]), reserved: Array(b[20..<28]))
    }
}
