import ArgumentParser
import BitTorrentClient
import Foundation
import Strategy
import WireProtocol

/// Options shared by `get` and `seed`: where to listen, whom to reach, how fast to go.
struct TransferOptions: ParsableArguments {
    @Option(help: "Port to listen on for peers (0: any free port; it is announced to the tracker).")
    var port: Int = 6881

    @Option(help: "Address to listen on.")
    var bind: String = "0.0.0.0"

    @Option(help: ArgumentHelp("Most bytes per second to send, e.g. 2MiB/s, 500KiB/s, 16Mbps.", valueName: "rate"))
    var uploadLimit: String?

    @Option(help: ArgumentHelp("Most bytes per second to receive (same units).", valueName: "rate"))
    var downloadLimit: String?

    @Option(name: .customLong("peer"), help: ArgumentHelp(
        "A peer to connect to besides the tracker's, as host:port (repeatable).", valueName: "host:port"))
    var peers: [String] = []

    @Option(help: ArgumentHelp("How the seed chooses whom to serve: round-robin, fastest-upload or random.", valueName: "algorithm"))
    var seedChoker: String = SeedChoker.Algorithm.roundRobin.rawValue

    @Flag(help: "Ignore the torrent's tracker (use --peer).")
    var noTracker = false

    @Flag(name: .shortAndLong, help: "No progress line.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Report connections and tracker answers on stderr.")
    var verbose = false

    func configuration() throws -> ClientConfiguration {
        var c = ClientConfiguration()
        guard (0...65_535).contains(port) else { throw usage("--port \(port) is not a port (0 to 65535)") }
        c.port = port
        c.bindHost = bind
        c.uploadLimit = try uploadLimit.map { try parseRate($0, option: "--upload-limit") }
        c.downloadLimit = try downloadLimit.map { try parseRate($0, option: "--download-limit") }
        guard let algorithm = SeedChoker.Algorithm(rawValue: seedChoker) else {
            throw usage("--seed-choker \(seedChoker) is not one of round-robin, fastest-upload, random")
        }
        c.seedChoker = algorithm
        return c
    }

    func peerAddresses() throws -> [AnnounceReply.PeerAddress] {
        try peers.map { text in
            guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0,
                  colon > text.startIndex else { throw usage("--peer \(text) is not host:port") }
            return AnnounceReply.PeerAddress(host: String(text[..<colon]), port: port)
        }
    }
}

extension P2PClient {
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a torrent; exit 0 once every piece is on disk and verified.",
            discussion: """
                Files go into the output folder under the torrent's name. A folder that already holds part of \
                the data is re-checked and the download resumes. Ctrl-C stops cleanly (the tracker is told \
                'stopped') and exits 130 (SIGTERM: 143).
                Example: p2pclient get movie.torrent -o downloads --download-limit 2MiB/s
                """)

        @Argument(help: "The torrent file.")
        var torrent: String

        @Option(name: .shortAndLong, help: "The folder to download into (created if missing).")
        var output: String

        @Option(help: ArgumentHelp("Seconds to keep seeding after the download completes.", valueName: "seconds"))
        var seedFor: Double = 0

        @OptionGroup var options: TransferOptions

        func run() async throws {
            let metainfo = try loadTorrent(torrent)
            let (storage, have) = try openStorage(metainfo, in: try prepareFolder(output, create: true)) {
                try $0.preallocate()
            }
            try await SessionRunner(
                metainfo: metainfo, storage: storage, have: have, configuration: try options.configuration(),
                options: options, seedFor: seedFor, downloading: true
            ).runToExit()
        }
    }

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed a torrent from data already on disk, until Ctrl-C.",
            discussion: """
                The data folder holds the torrent's file (or its folder) under the torrent's name; every piece \
                is checked against its hash first.
                Example: p2pclient seed movie.torrent --data ~/videos --upload-limit 1MiB/s
                """)

        @Argument(help: "The torrent file.")
        var torrent: String

        @Option(help: "The folder that holds the data.")
        var data: String

        @Option(help: ArgumentHelp("Seconds to seed before exiting (default: until Ctrl-C).", valueName: "seconds"))
        var seedFor: Double?

        @OptionGroup var options: TransferOptions

        func run() async throws {
            let metainfo = try loadTorrent(torrent)
            let (storage, have) = try openStorage(metainfo, in: try prepareFolder(data, create: false)) {
                try $0.checkPaths()
            }
            guard have.isComplete else {
                throw fatal("\(data) holds \(have.count) of the \(have.pieceCount) pieces of \(metainfo.name); "
                            + "seed needs them all (get downloads the rest)")
            }
            try await SessionRunner(
                metainfo: metainfo, storage: storage, have: have, configuration: try options.configuration(),
                options: options, seedFor: seedFor, downloading: false
            ).runToExit()
        }
    }
}

/// Prints one line to stderr and makes the exit status: 2 for bad input, 1 for what went wrong later.
func fatal(_ message: String, status: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("p2pclient: \(message)\n".utf8))
    return ExitCode(status)
}

func usage(_ message: String) -> ExitCode { fatal(message, status: 2) }

func loadTorrent(_ path: String) throws -> Metainfo {
    guard let data = FileManager.default.contents(atPath: path) else { throw usage("\(path): cannot read the file") }
    do { return try Metainfo(bytes: Array(data)) } catch { throw usage("\(path): \(error)") }
}

/// The torrent's files under `root`, made ready by `prepare` (preallocated, or checked for links), and the
/// pieces already on disk with a matching hash.
func openStorage(_ metainfo: Metainfo, in root: URL, preparing prepare: (TorrentStorage) throws -> Void)
    throws -> (TorrentStorage, PieceBitfield)
{
    do {
        let storage = try TorrentStorage(metainfo: metainfo, root: root)
        try prepare(storage)
        return (storage, storage.recheck())
    } catch { throw fatal("\(error)") }
}

func prepareFolder(_ path: String, create: Bool) throws -> URL {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw usage("\(path) is not a folder") }
    } else if create {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw fatal("cannot create \(path): \(error.localizedDescription)")
        }
    } else {
        throw usage("\(path): no such folder")
    }
    return url
}

/// "2MiB/s" → 2097152 bytes per second. Bytes (B/s, KiB/s, MiB/s, GiB/s, kB/s, MB/s, GB/s) or bits (kbps,
/// Mbps, Gbps); a bare number is bytes per second.
func parseRate(_ text: String, option: String) throws -> Double {
    let units: [(String, Double)] = [
        ("GiB/s", 1_073_741_824), ("MiB/s", 1_048_576), ("KiB/s", 1024), ("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3),
        ("KB/s", 1e3), ("B/s", 1), ("Gbps", 1.25e8), ("Mbps", 125_000), ("kbps", 125), ("", 1),
    ]
    let trimmed = text.replacingOccurrences(of: " ", with: "")
    for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
        guard let n = Double(trimmed.dropLast(suffix.count)), n.isFinite else { continue }
        guard n > 0 else { break }
        return n * factor
    }
    throw usage("\(option) \(text) is not a positive rate (examples: 2MiB/s, 500KiB/s, 16Mbps)")
}
