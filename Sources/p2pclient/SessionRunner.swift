import ArgumentParser
import BitTorrentClient
import Dispatch
import Foundation
import NIOPosix
import Strategy
import Synchronization
import WireProtocol

/// Runs one session from the command line: starts it, keeps the tracker informed, draws the progress line
/// and decides when to stop (download complete, `--seed-for` over, Ctrl-C, or a fatal error).
struct SessionRunner {
    let metainfo: Metainfo
    let storage: TorrentStorage
    let have: PieceBitfield
    let configuration: ClientConfiguration
    let options: TransferOptions
    let seedFor: Double?
    let downloading: Bool

    /// Runs the session; a non-zero exit status is thrown as the command's `ExitCode`.
    func runToExit() async throws {
        let code = try await run()
        if code != 0 { throw ExitCode(code) }
    }

    /// Returns the exit status.
    func run() async throws -> Int32 {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let code = try await run(on: group)
            try? await group.shutdownGracefully()
            return code
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    func run(on group: MultiThreadedEventLoopGroup) async throws -> Int32 {
        let directPeers = try options.peerAddresses()
        let announceURL = options.noTracker ? nil : metainfo.announce
        guard announceURL != nil || !directPeers.isEmpty else {
            throw usage("the torrent names no tracker: give peers with --peer host:port")
        }
        let verbose = options.verbose
        let report: @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("p2pclient: \(message)\n".utf8))
        }
        let log: @Sendable (String) -> Void = { message in if verbose { report(message) } }
        let session = TorrentSession(metainfo: metainfo, storage: storage, have: have, configuration: configuration,
                                     eventLoop: group.next(), log: log)
        let port: Int
        do { port = try await session.start() } catch {
            throw fatal("cannot listen on \(hostPort(configuration.bindHost, configuration.port)): \(error)")
        }
        if verbose {
            report("listening on port \(port)")
            report("peer id \(hex(configuration.peerID))")
        }
        let stop = StopSignal()
        let state = stop.state
        let finished = StopSignal.Received()  // set when the loop below ends: the announcer stops too
        session.addPeers(directPeers)

        var announcer: TrackerAnnouncer?
        var trackerTask: Task<Bool, Never>?
        if let announceURL {
            let a = TrackerAnnouncer(client: TrackerClient(announceURL: announceURL, timeout: 5, group: group), session: session,
                                     port: UInt16(port), report: report, log: log)
            do {
                let started = try await a.start(attempts: directPeers.isEmpty ? 3 : 1,
                                                stopping: { state.signal.withLock { $0 != nil } })
                if let interval = started {
                    announcer = a
                    let complete = have.isComplete
                    trackerTask = Task {
                        await a.run(interval: interval, completedAlready: complete,
                                    stopping: { finished.signal.withLock { $0 != nil } })
                    }
                }
            } catch {
                if directPeers.isEmpty {
                    await session.close()
                    throw fatal("\(error)")
                }
                report("\(error); going on with the --peer peers")
            }
        }

        let progress = ProgressLine(name: metainfo.name, quiet: options.quiet)
        var status = await session.status()
        var completedAt: ContinuousClock.Instant? = status.isComplete ? .now : nil
        if downloading, status.isComplete {
            report("\(metainfo.name): already complete and verified, \(status.totalBytes) bytes")
        }
        var exitCode: Int32 = 0
        while true {
            try? await Task.sleep(for: .milliseconds(250))
            if let signal = stop.received {
                progress.finish()
                report(signal == SIGINT ? "interrupted; stopping" : "terminated; stopping")
                exitCode = downloading && !status.isComplete ? 128 + signal : 0  // 130 for Ctrl-C, 143 for SIGTERM
                break
            }
            guard progress.due() else { continue }
            status = await session.status()
            progress.show(status)
            if let failure = status.failure {
                progress.finish()
                report(failure)
                exitCode = 1
                break
            }
            if status.isComplete, completedAt == nil {
                completedAt = .now
                if downloading {
                    progress.finish()
                    let took = status.completedAfter.map { String(format: " in %.2f s", $0) } ?? ""
                    let first = status.firstPieceAfter.map { String(format: " (first piece after %.2f s)", $0) } ?? ""
                    report("\(metainfo.name): complete and verified, \(status.totalBytes) bytes\(took)\(first)")
                }
            }
            if let completedAt, let seedFor, ContinuousClock.now - completedAt >= .milliseconds(Int64(seedFor * 1000)) {
                break
            }
        }
        finished.signal.withLock { $0 = 0 }
        let sentCompleted = await trackerTask?.value ?? true
        let final = await session.status()
        if verbose {  // what a calibration reads to build the exchange matrix (plots-scripts/run_real_swarm.py)
            let tally = await session.peerTally()
            for entry in tally.entries {
                report("exchanged with peer \(hex(entry.peerID)): received \(entry.received) bytes, sent \(entry.sent) bytes")
            }
        }
        if exitCode != 1 {  // after an error, that error stays the last line
            report("\(metainfo.name): downloaded \(final.downloadedBytes) bytes, uploaded \(final.uploadedBytes) bytes, "
                   + "wasted \(final.wastedBytes), hash failures \(final.hashFailures)")
        }
        await session.close()
        if let announcer {
            // Tell the tracker we are gone, but do not hang on it.
            let quick = TrackerAnnouncer(client: TrackerClient(announceURL: announcer.client.announceURL, timeout: 3, group: group),
                                         session: session, port: announcer.port, report: report, log: log)
            // A download that completed just before we stopped still says so first. Failures here change
            // nothing (we are leaving), so only --verbose shows them.
            var events: [AnnounceRequest.Event] = [.stopped]
            if downloading, final.isComplete, !have.isComplete, !sentCompleted { events.insert(.completed, at: 0) }
            for event in events {
                do { try await quick.announce(event) } catch { log("\(TrackerAnnouncer.name(event)): \(error)") }
            }
        }
        return exitCode
    }
}

/// SIGINT and SIGTERM, caught so the session can shut down cleanly.
final class StopSignal {
    final class Received: Sendable {
        let signal = Mutex<Int32?>(nil)
    }

    let state = Received()
    let sources: [any DispatchSourceSignal]

    init() {
        var sources: [any DispatchSourceSignal] = []
        let state = self.state
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { state.signal.withLock { $0 = $0 ?? signalNumber } }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    var received: Int32? { state.signal.withLock { $0 } }
}

/// The progress line: percent, rates, and how many peers are sending to us and receiving from us right
/// now. Redrawn in place every second on a terminal; a plain line every 5 s otherwise (logs).
final class ProgressLine {
    let name: String
    let quiet: Bool
    let isTerminal = isatty(STDERR_FILENO) == 1
    var last = ContinuousClock.now
    var lastPrinted: ContinuousClock.Instant?
    var drawn = false

    init(name: String, quiet: Bool) {
        self.name = name
        self.quiet = quiet
    }

    func due() -> Bool {
        guard ContinuousClock.now - last >= .seconds(1) else { return false }
        last = .now
        return true
    }

    func show(_ s: SessionStatus) {
        guard !quiet else { return }
        if !isTerminal, let lastPrinted, ContinuousClock.now - lastPrinted < .seconds(5) { return }
        lastPrinted = .now
        let line = String(format: "%@  %5.1f%%  down %@  up %@  peers %d: %d sending to you, %d receiving from you",
                          name, s.fraction * 100, rate(s.downloadRate), rate(s.uploadRate), s.peers, s.sendingToUs,
                          s.receivingFromUs)
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            drawn = true
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    func rate(_ bytesPerSecond: Double) -> String {
        bytesPerSecond >= 1_048_576 ? String(format: "%6.2f MiB/s", bytesPerSecond / 1_048_576)
            : String(format: "%6.1f KiB/s", bytesPerSecond / 1024)
    }
}
