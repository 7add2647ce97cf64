// BitTorrentClient: the parts of p2pclient that touch the outside world: storage on disk, the tracker
// client, the SwiftNIO peer connections (TorrentSession) and rate limits. Decisions (what to request,
// whom to unchoke) are never made here: they come from the Strategy module, the same types the
// simulator's peers use. Must not know the simulator or the scenario model.
import Crypto
import Foundation
import Strategy
import WireProtocol

/// A torrent's files on disk, addressed by piece and offset.
///
/// Files are preallocated to their final size; a piece counts as complete only once its SHA-1 matches;
/// a folder that already holds part of the data is re-checked piece by piece, so a download resumes and
/// a seed starts from existing files. Every path is the torrent's sanitized path joined under `root`, and
/// no existing symbolic link on the way is followed, so nothing is ever written outside `root`.
public final class TorrentStorage {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case outside(String)
        case outOfRange(piece: Int, offset: Int, length: Int)
        case io(String)

        public var description: String {
            switch self {
            case .outside(let path): return "refused to touch \(path): it is outside the download folder or behind a link"
            case .outOfRange(let piece, let offset, let length):
                return "block out of range: piece \(piece), offset \(offset), length \(length)"
            case .io(let message): return message
            }
        }
    }

    struct Segment {
        var file: Int
        var fileOffset: Int64
        var length: Int
    }

    public let metainfo: Metainfo
    public let root: URL
    let paths: [URL]
    let fileStarts: [Int64]

    public init(metainfo: Metainfo, root: URL) throws(Failure) {
        self.metainfo = metainfo
        self.root = root.standardizedFileURL
        var paths: [URL] = []
        var starts: [Int64] = []
        var offset: Int64 = 0
        for file in metainfo.files {
            var url = self.root
            if !metainfo.isSingleFile { url.appendPathComponent(metainfo.name) }
            for component in file.path { url.appendPathComponent(component) }
            url = url.standardizedFileURL
            guard url.path.hasPrefix(self.root.path + "/") else { throw .outside(url.path) }
            paths.append(url)
            starts.append(offset)
            offset += file.length
        }
        self.paths = paths
        fileStarts = starts
    }

    public var pieceCount: Int { metainfo.pieceHashes.count }

    public func pieceLength(_ piece: Int) -> Int {
        piece == pieceCount - 1 ? Int(metainfo.totalLength - Int64(pieceCount - 1) * metainfo.pieceLength)
            : Int(metainfo.pieceLength)
    }

    /// Creates the folders and files at their final sizes (existing data is kept).
    public func preallocate() throws(Failure) {
        let fm = FileManager.default
        for (i, url) in paths.enumerated() {
            try refuseLinks(on: url)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !fm.fileExists(atPath: url.path) { _ = fm.createFile(atPath: url.path, contents: nil) }
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                let size = try handle.seekToEnd()
                if size != UInt64(metainfo.files[i].length) { try handle.truncate(atOffset: UInt64(metainfo.files[i].length)) }
            } catch {
                throw .io("cannot create \(url.path): \(error.localizedDescription)")
            }
        }
    }

    /// Writes a block of a piece.
    public func write(piece: Int, offset: Int, bytes: [UInt8]) throws(Failure) {
        var done = 0
        for segment in try segments(piece: piece, offset: offset, length: bytes.count) {
            do {
                let handle = try FileHandle(forWritingTo: paths[segment.file])
                defer { try? handle.close() }
                try handle.seek(toOffset: UInt64(segment.fileOffset))
                try handle.write(contentsOf: bytes[done..<(done + segment.length)])
            } catch {
                throw .io("cannot write \(paths[segment.file].path): \(error.localizedDescription)")
            }
            done += segment.length
        }
    }

    /// Reads a block of a piece (for serving a request, or for checking a piece).
    public func read(piece: Int, offset: Int, length: Int) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        for segment in try segments(piece: piece, offset: offset, length: length) {
            do {
                let handle = try FileHandle(forReadingFrom: paths[segment.file])
                defer { try? handle.close() }
                try handle.seek(toOffset: UInt64(segment.fileOffset))
                let data = try handle.read(upToCount: segment.length) ?? Data()
                guard data.count == segment.length else { throw CocoaError(.fileReadCorruptFile) }
                out.append(contentsOf: data)
            } catch {
                throw .io("cannot read \(paths[segment.file].path): \(error.localizedDescription)")
            }
        }
        return out
    }

    /// True when the piece's bytes on disk match its SHA-1; false also when they cannot be read.
    public func verify(piece: Int) -> Bool {
        (try? check(piece: piece)) ?? false
    }

    /// Whether the piece's bytes on disk match its SHA-1; throws when they cannot be read (a local
    /// problem, which must not be blamed on the peers that sent the piece).
    public func check(piece: Int) throws(Failure) -> Bool {
        let bytes = try read(piece: piece, offset: 0, length: pieceLength(piece))
        return Array(Insecure.SHA1.hash(data: bytes)) == metainfo.pieceHashes[piece]
    }

    /// Refuses to go on if any of the torrent's paths passes through a symbolic link (for seeding, which
    /// does not preallocate).
    public func checkPaths() throws(Failure) {
        for url in paths { try refuseLinks(on: url) }
    }

    /// Checks every piece against its hash: what a restarted download already has, or what a seed holds.
    public func recheck() -> PieceBitfield {
        var have = PieceBitfield(pieceCount: pieceCount)
        for piece in 0..<pieceCount where verify(piece: piece) { have.insert(piece) }
        return have
    }

    /// The file segments a block spans; refuses anything outside the piece.
    func segments(piece: Int, offset: Int, length: Int) throws(Failure) -> [Segment] {
        guard piece >= 0, piece < pieceCount, offset >= 0, length > 0, offset + length <= pieceLength(piece) else {
            throw .outOfRange(piece: piece, offset: offset, length: length)
        }
        var position = Int64(piece) * metainfo.pieceLength + Int64(offset)
        var left = length
        var out: [Segment] = []
        var file = (fileStarts.lastIndex { $0 <= position }) ?? 0
        while left > 0 {
            while file < paths.count, fileStarts[file] + metainfo.files[file].length <= position { file += 1 }
            guard file < paths.count else { throw .outOfRange(piece: piece, offset: offset, length: length) }
            let inFile = position - fileStarts[file]
            let n = Int(min(Int64(left), metainfo.files[file].length - inFile))
            out.append(Segment(file: file, fileOffset: inFile, length: n))
            position += Int64(n)
            left -= n
        }
        return out
    }

    /// Refuses a path under `root` that passes through an existing symbolic link.
    func refuseLinks(on url: URL) throws(Failure) {
        var current = root
        for component in url.pathComponents.dropFirst(root.pathComponents.count) {
            current.appendPathComponent(component)
            if let type = try? FileManager.default.attributesOfItem(atPath: current.path)[.type] as? FileAttributeType,
               type == .typeSymbolicLink {
                throw .outside(current.path)
            }
        }
    }
}
