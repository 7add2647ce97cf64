// The p2pclient executable: a BitTorrent v1 client whose piece picker and chokers are the Strategy
// module's types, the ones the simulator's peers use. This module is only the command line; the client
// itself (storage, tracker, SwiftNIO peer connections) is the BitTorrentClient module.
import ArgumentParser
import Crypto
import Foundation
import WireProtocol

@main
struct P2PClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "p2pclient",
        abstract: "A BitTorrent client that shares p2psim's strategy code.",
        subcommands: [Get.self, Seed.self, Create.self, Info.self]
    )
}

/// Errors as one clear line and a non-zero status.
struct Failure: Error, CustomStringConvertible {
    var description: String
}

extension P2PClient {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a torrent file for a file or a folder.",
            discussion: "Example: p2pclient create movie.mkv --tracker http://127.0.0.1:6969/announce -o movie.torrent"
        )

        @Argument(help: "The file or folder to share.")
        var path: String

        @Option(help: "Tracker announce URL.")
        var tracker: String?

        @Option(help: ArgumentHelp("Piece size, e.g. 256KiB, 1MiB (a power of two from 16KiB to 16MiB).", valueName: "size"))
        var pieceSize: String = "256KiB"

        @Option(name: .shortAndLong, help: "Where to write the torrent file.")
        var output: String

        func run() throws {
            let pieceLength = try parsePieceSize(pieceSize)
            let source = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
                throw Failure(description: "p2pclient: \(path): no such file or folder")
            }
            let name = source.lastPathComponent
            var files: [(url: URL, entry: Metainfo.File)] = []
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(at: source, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
                var found: [(URL, [String], Int64)] = []
                while let url = enumerator?.nextObject() as? URL {
                    let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
                    guard values.isRegularFile == true else { continue }
                    let relative = Array(url.standardizedFileURL.pathComponents.dropFirst(source.pathComponents.count))
                    found.append((url, relative, Int64(values.fileSize ?? 0)))
                }
                // Sorted by path so that the same folder always gives the same torrent.
                for (url, relative, size) in found.sorted(by: { $0.1.lexicographicallyPrecedes($1.1) }) {
                    files.append((url, Metainfo.File(path: relative, length: size)))
                }
            } else {
                let size = (try FileManager.default.attributesOfItem(atPath: source.path)[.size] as? NSNumber)?.int64Value ?? 0
                files.append((source, Metainfo.File(path: [name], length: size)))
            }
            guard files.reduce(0, { $0 + $1.entry.length }) > 0 else { throw Failure(description: "p2pclient: \(path) is empty") }
            let hashes = try hashPieces(files.map(\.url), pieceLength: Int(pieceLength))
            let bytes = Metainfo.encode(announce: tracker, name: name, pieceLength: pieceLength, pieceHashes: hashes,
                                        files: files.map(\.entry), singleFile: !isDirectory.boolValue)
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw Failure(description: "p2pclient: cannot write \(output): \(error.localizedDescription)")
            }
            let info = try Metainfo(bytes: bytes)
            print("\(output): \(files.count) file\(files.count == 1 ? "" : "s"), \(info.totalLength) bytes, "
                  + "\(hashes.count) pieces of \(pieceLength) bytes, info-hash \(hex(info.infoHash))")
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what a torrent file holds, after checking it.")

        @Argument(help: "A torrent file.")
        var torrent: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: torrent) else {
                throw Failure(description: "p2pclient: \(torrent): cannot read the file")
            }
            let m: Metainfo
            do { m = try Metainfo(bytes: Array(data)) } catch { throw Failure(description: "p2pclient: \(torrent): \(error)") }
            print("name       \(m.name)")
            print("info-hash  \(hex(m.infoHash))")
            print("announce   \(m.announce ?? "(none)")")
            print("size       \(m.totalLength) bytes in \(m.pieceHashes.count) pieces of \(m.pieceLength) bytes")
            for file in m.files { print("file       \(file.path.joined(separator: "/"))  \(file.length) bytes") }
        }
    }
}

/// "256KiB" → 262144; a power of two from 16 KiB to 16 MiB.
func parsePieceSize(_ text: String) throws -> Int64 {
    let units: [(String, Int64)] = [("KiB", 1024), ("MiB", 1_048_576), ("k", 1024), ("K", 1024), ("M", 1_048_576), ("B", 1), ("", 1)]
    let trimmed = text.replacingOccurrences(of: " ", with: "")
    for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
        guard let n = Int64(trimmed.dropLast(suffix.count)) else { continue }
        let size = n * factor
        guard size >= 16_384, size <= 16_777_216, size & (size - 1) == 0 else {
            throw Failure(description: "p2pclient: piece size \(text) must be a power of two from 16KiB to 16MiB")
        }
        return size
    }
    throw Failure(description: "p2pclient: \"\(text)\" is not a piece size (examples: 256KiB, 1MiB)")
}

/// SHA-1 of each piece over the files' concatenated bytes, reading in piece-sized chunks.
func hashPieces(_ files: [URL], pieceLength: Int) throws -> [[UInt8]] {
    var hashes: [[UInt8]] = []
    var pending = [UInt8]()
    pending.reserveCapacity(pieceLength)
    for url in files {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw Failure(description: "p2pclient: cannot read \(url.path)")
        }
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: pieceLength - pending.count), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            if pending.count == pieceLength {
                hashes.append(Array(Insecure.SHA1.hash(data: pending)))
                pending.removeAll(keepingCapacity: true)
            }
        }
    }
    if !pending.isEmpty { hashes.append(Array(Insecure.SHA1.hash(data: pending))) }
    return hashes
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
