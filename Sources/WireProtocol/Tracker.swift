/// An HTTP tracker announce (BEP 3) and its answer, with compact peer lists (BEP 23).
public struct AnnounceRequest: Equatable, Sendable {
    public enum Event: String, Sendable {
        case started, completed, stopped
    }

    public var infoHash: [UInt8]
    public var peerID: [UInt8]
    public var port: UInt16
    public var uploaded: Int64
    public var downloaded: Int64
    public var left: Int64
    public var event: Event?
    public var numWant: Int

    public init(infoHash: [UInt8], peerID: [UInt8], port: UInt16, uploaded: Int64 = 0, downloaded: Int64 = 0,
                left: Int64, event: Event? = nil, numWant: Int = 50) {
        self.infoHash = infoHash
        self.peerID = peerID
        self.port = port
        self.uploaded = uploaded
        self.downloaded = downloaded
        self.left = left
        self.event = event
        self.numWant = numWant
    }

    /// The announce URL: `announce` plus the query, binary values percent-encoded byte by byte.
    public func url(announce: String) -> String {
        var query = [
            "info_hash=\(Self.percentEncode(infoHash))", "peer_id=\(Self.percentEncode(peerID))", "port=\(port)",
            "uploaded=\(uploaded)", "downloaded=\(downloaded)", "left=\(left)", "compact=1", "numwant=\(numWant)",
        ]
        if let event { query.append("event=\(event.rawValue)") }
        return announce + (announce.contains("?") ? "&" : "?") + query.joined(separator: "&")
    }

    /// RFC 3986 unreserved bytes stay, everything else becomes %XX.
    static func percentEncode(_ bytes: [UInt8]) -> String {
        var out = ""
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}

/// What a tracker said.
public enum AnnounceReply: Equatable, Sendable {
    /// `minInterval`: the tracker's optional `min interval` (seconds): no announce sooner than that.
    case peers(interval: Int, peers: [PeerAddress], minInterval: Int? = nil)
    /// The tracker refused, with its `failure reason`.
    case failure(String)

    public struct PeerAddress: Equatable, Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: UInt16
        public init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }
        public var description: String { hostPort(host, Int(port)) }
    }

    /// Why an answer could not be understood.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notBencode(BencodeError)
        case malformed(String)

        public var description: String {
            switch self {
            case .notBencode(let e): return "the tracker's answer is not bencode (\(e))"
            case .malformed(let what): return "the tracker's answer is malformed: \(what)"
            }
        }
    }

    /// Parses a tracker's HTTP body.
    public static func parse(_ body: [UInt8]) throws(Problem) -> AnnounceReply {
        let value: BValue
        do { value = try BencodeDecoder.decode(body) } catch { throw .notBencode(error) }
        guard case .dictionary = value else { throw .malformed("not a dictionary") }
        if let reason = value["failure reason"] {
            return .failure(reason.stringValue ?? "(unreadable reason)")
        }
        guard let interval = value["interval"]?.integerValue, interval > 0, interval < 1_000_000 else {
            throw .malformed("no valid interval")
        }
        var peers: [PeerAddress] = []
        switch value["peers"] {
        case .bytes(let compact)?:
            guard compact.count % 6 == 0 else { throw .malformed("compact peers of \(compact.count) bytes (not a multiple of 6)") }
            for i in stride(from: 0, to: compact.count, by: 6) {
                let host = compact[i..<(i + 4)].map(String.init).joined(separator: ".")
                peers.append(PeerAddress(host: host, port: UInt16(compact[i + 4]) << 8 | UInt16(compact[i + 5])))
            }
        case .list(let list)?:
            for entry in list {
                guard let ip = entry["ip"]?.stringValue, let port = entry["port"]?.integerValue, port > 0, port < 65_536 else {
                    throw .malformed("a peer without ip or port")
                }
                peers.append(PeerAddress(host: ip, port: UInt16(port)))
            }
        case nil:
            break
        default:
            throw .malformed("peers is neither a string nor a list")
        }
        // `min interval` is optional; one out of range is ignored rather than refused (the answer stays usable).
        let minInterval = value["min interval"]?.integerValue.flatMap { $0 > 0 && $0 < 1_000_000 ? Int($0) : nil }
        return .peers(interval: Int(interval), peers: peers, minInterval: minInterval)
    }
}

/// Retry delays after a failed announce: doubling from `initial` up to `maximum` (nanoseconds).
public struct Backoff: Sendable, Equatable {
    public let initial: Int64
    public let maximum: Int64
    public private(set) var failures = 0

    public init(initial: Int64 = 5_000_000_000, maximum: Int64 = 300_000_000_000) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt, after one more failure.
    public mutating func nextDelay() -> Int64 {
        failures += 1
        let shift = min(failures - 1, 30)
        return min(maximum, initial << shift)
    }

    public mutating func reset() { failures = 0 }
}
