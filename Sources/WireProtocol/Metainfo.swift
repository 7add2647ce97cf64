import Crypto

/// A torrent's metainfo (BEP 3 `.torrent` file), checked so that nothing in it can hurt the client.
///
/// File paths are sanitized: an absolute path, `..`, `.`, an empty component, a separator or a NUL inside
/// a component is refused, so a torrent can never make a client write outside its target folder.
public struct Metainfo: Equatable, Sendable {
    public struct File: Equatable, Sendable {
        /// Path components below the torrent's folder, each safe to join.
        public var path: [String]
        public var length: Int64

        public init(path: [String], length: Int64) {
            self.path = path
            self.length = length
        }
    }

    public var announce: String?
    /// The torrent's name: the file name (single-file) or the folder name (multi-file).
    public var name: String
    public var pieceLength: Int64
    /// SHA-1 of each piece, 20 bytes each.
    public var pieceHashes: [[UInt8]]
    /// One file for a single-file torrent (path == [name]); several for a multi-file one.
    public var files: [File]
    public var isSingleFile: Bool
    /// SHA-1 of the `info` dictionary's bytes exactly as they appear in the file.
    public var infoHash: [UInt8]

    public var totalLength: Int64 { files.reduce(0) { $0 + $1.length } }

    /// Largest piece length accepted (libtorrent's limit is also in this range).
    public static let maxPieceLength: Int64 = 64 * 1024 * 1024

    /// Why a torrent file is refused.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case bencode(BencodeError)
        case missing(String)
        case invalid(String, String)
        case unsafePath(String)

        public var description: String {
            switch self {
            case .bencode(let e): return "not a torrent file: \(e)"
            case .missing(let key): return "not a torrent file: no \(key)"
            case .invalid(let key, let why): return "bad torrent file: \(key) \(why)"
            case .unsafePath(let path): return "refused: the torrent names the path \"\(path)\", which would leave the download folder"
            }
        }
    }

    public init(bytes: [UInt8]) throws(Problem) {
        let root: BValue
        let spans: [String: Range<Int>]
        do { (root, spans) = try BencodeDecoder.decodeWithSpans(bytes) } catch { throw .bencode(error) }
        guard case .dictionary = root else { throw .invalid("top level", "is not a dictionary") }
        announce = root["announce"]?.stringValue
        guard let info = root["info"], case .dictionary = info, let span = spans["info"] else { throw .missing("info dictionary") }
        infoHash = Array(Insecure.SHA1.hash(data: bytes[span]))

        guard let rawName = info["name"]?.stringValue else { throw .missing("info.name") }
        name = try Self.safeComponent(rawName)
        guard let pieceLength = info["piece length"]?.integerValue else { throw .missing("info.piece length") }
        guard pieceLength > 0, pieceLength <= Self.maxPieceLength else {
            throw .invalid("info.piece length", "is \(pieceLength), expected 1 to \(Self.maxPieceLength)")
        }
        self.pieceLength = pieceLength
        guard let pieces = info["pieces"]?.bytesValue else { throw .missing("info.pieces") }
        guard pieces.count % 20 == 0 else { throw .invalid("info.pieces", "is not a whole number of 20-byte hashes") }
        pieceHashes = stride(from: 0, to: pieces.count, by: 20).map { Array(pieces[$0..<($0 + 20)]) }

        if let length = info["length"]?.integerValue {
            guard length >= 0 else { throw .invalid("info.length", "is negative") }
            files = [File(path: [name], length: length)]
            isSingleFile = true
        } else if let list = info["files"]?.listValue {
            guard !list.isEmpty else { throw .invalid("info.files", "is empty") }
            var files: [File] = []
            for (i, entry) in list.enumerated() {
                guard let length = entry["length"]?.integerValue, length >= 0 else {
                    throw .invalid("info.files[\(i)].length", "is missing or negative")
                }
                guard let components = entry["path"]?.listValue, !components.isEmpty else {
                    throw .invalid("info.files[\(i)].path", "is missing or empty")
                }
                var path: [String] = []
                for component in components {
                    guard let text = component.stringValue else { throw .invalid("info.files[\(i)].path", "is not UTF-8 text") }
                    path.append(try Self.safeComponent(text))
                }
                files.append(File(path: path, length: length))
            }
            self.files = files
            isSingleFile = false
        } else {
            throw .missing("info.length or info.files")
        }
        let total = files.reduce(Int64(0)) { $0 &+ $1.length }
        guard total > 0, total < Int64(1) << 50 else { throw .invalid("total length", "is \(total)") }
        let expectedPieces = (total + pieceLength - 1) / pieceLength
        guard Int64(pieceHashes.count) == expectedPieces else {
            throw .invalid("info.pieces", "holds \(pieceHashes.count) hashes for \(expectedPieces) pieces")
        }
    }

    /// A path component that cannot escape or name anything special.
    static func safeComponent(_ text: String) throws(Problem) -> String {
        let bad = text.isEmpty || text == "." || text == ".." || text.contains("/") || text.contains("\\")
            || text.contains("\0") || text.utf8.count > 255
        if bad { throw .unsafePath(text) }
        return text
    }

    /// Builds a torrent file. `pieceHashes` must match the files' bytes (the caller reads and hashes them).
    public static func encode(announce: String?, name: String, pieceLength: Int64, pieceHashes: [[UInt8]],
                              files: [File], singleFile: Bool) -> [UInt8] {
        var info: [(key: [UInt8], value: BValue)] = [
            (Array("name".utf8), .string(name)),
            (Array("piece length".utf8), .integer(pieceLength)),
            (Array("pieces".utf8), .bytes(pieceHashes.flatMap { $0 })),
        ]
        if singleFile {
            info.append((Array("length".utf8), .integer(files[0].length)))
        } else {
            info.append((Array("files".utf8), .list(files.map { file in
                .dictionary([(Array("length".utf8), .integer(file.length)),
                             (Array("path".utf8), .list(file.path.map { .string($0) }))])
            })))
        }
        var root: [(key: [UInt8], value: BValue)] = [(Array("info".utf8), .dictionary(info))]
        if let announce { root.append((Array("announce".utf8), .string(announce))) }
        return BencodeEncoder.encode(.dictionary(root))
    }
}
