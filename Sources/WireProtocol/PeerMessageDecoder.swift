/// Cuts a byte stream into peer messages, one at a time, refusing anything a well-behaved peer never
/// sends before it can cost memory: a length prefix above `maxFrame`, a payload of the wrong size for its
/// message, a request for more than `maxRequest` bytes.
///
/// Single-step and channel-free (in the manner of SwiftNIO's ByteToMessageDecoder): feed bytes with
/// `append`, take messages with `next()` until it returns nil. The same bytes give the same messages
/// however they are split.
public struct PeerMessageDecoder: Sendable {
    public enum Problem: Error, Equatable {
        case frameTooLarge(UInt32)
        case badPayloadLength(id: UInt8, length: Int)
        case requestTooLarge(UInt32)
    }

    /// Largest frame accepted: a 16 KiB block plus its header, or a bitfield for `pieceCount` pieces.
    public let maxFrame: UInt32
    /// Largest block a peer may request (BEP 3: 16 KiB is the norm; larger may close the connection).
    public let maxRequest: UInt32
    var buffer: [UInt8] = []
    var start = 0

    public init(pieceCount: Int, maxRequest: UInt32 = 16_384) {
        self.maxRequest = maxRequest
        maxFrame = max(maxRequest + 9, UInt32((pieceCount + 7) / 8 + 1))
    }

    /// Bytes received and not yet decoded.
    public var buffered: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 65_536, start * 2 > buffer.count {  // drop consumed bytes now and then
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil until more bytes arrive.
    public mutating func next() throws(Problem) -> PeerMessage? {
        guard buffered >= 4 else { return nil }
        let length = UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16 | UInt32(buffer[start + 2]) << 8
            | UInt32(buffer[start + 3])
        guard length <= maxFrame else { throw .frameTooLarge(length) }
        guard buffered >= 4 + Int(length) else { return nil }
        let body = start + 4
        start = body + Int(length)
        guard length > 0 else { return .keepAlive }
        let id = buffer[body]
        let payload = buffer[(body + 1)..<(body + Int(length))]
        func expect(_ n: Int) throws(Problem) {
            if payload.count != n { throw .badPayloadLength(id: id, length: payload.count) }
        }
        func u32(_ at: Int) -> UInt32 {
            let i = payload.startIndex + at
            return UInt32(payload[i]) << 24 | UInt32(payload[i + 1]) << 16 | UInt32(payload[i + 2]) << 8 | UInt32(payload[i + 3])
        }
        switch id {
        case 0: try expect(0); return .choke
        case 1: try expect(0); return .unchoke
        case 2: try expect(0); return .interested
        case 3: try expect(0); return .notInterested
        case 4: try expect(4); return .have(piece: u32(0))
        case 5: return .bitfield(Array(payload))
        case 6, 8:
            try expect(12)
            let (p, o, l) = (u32(0), u32(4), u32(8))
            guard l > 0, l <= maxRequest else { throw .requestTooLarge(l) }
            return id == 6 ? .request(piece: p, offset: o, length: l) : .cancel(piece: p, offset: o, length: l)
        case 7:
            guard payload.count >= 8 else { throw .badPayloadLength(id: id, length: payload.count) }
            return .piece(piece: u32(0), offset: u32(4), block: Array(payload.dropFirst(8)))
        default:
            return .ignored(id: id)
        }
    }
}
