import WireProtocol

/// Keeps a tracker informed about one session (BEP 3): `started` first, then a regular announce at the
/// tracker's interval, and an early one whenever the session's peer-set upkeep wants peers and the
/// tracker's `min interval` has passed (`PeerSetUpkeep`, the rule the simulated peers follow: fewer than 20
/// connections, no partner with a piece we lack, or nothing received for a minute), `completed` once when
/// the download completes, `stopped` at shutdown. Failed announces are retried with `Backoff`; peers from
/// every answer go to the session.
public struct TrackerAnnouncer: Sendable {
    public let client: TrackerClient
    public let session: TorrentSession
    public let port: UInt16
    /// Failures worth telling the user whatever the verbosity (a retry, giving up).
    let report: @Sendable (String) -> Void
    /// Each answer of the tracker (p2pclient prints these with --verbose only).
    let log: @Sendable (String) -> Void

    public init(client: TrackerClient, session: TorrentSession, port: UInt16, report: @escaping @Sendable (String) -> Void,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.client = client
        self.session = session
        self.port = port
        self.report = report
        self.log = log
    }

    /// One announce; its peers are handed to the session and the answer is logged, e.g.
    /// "tracker (started): 37 peers, interval 1800 s". A failure is thrown for the caller to report (it
    /// knows whether a retry follows). Returns the tracker's interval in seconds.
    @discardableResult
    public func announce(_ event: AnnounceRequest.Event?) async throws(TrackerClient.Failure) -> Int {
        let status = await session.status()
        let request = AnnounceRequest(
            infoHash: session.metainfo.infoHash, peerID: session.configuration.peerID, port: port,
            uploaded: status.uploadedBytes, downloaded: status.downloadedBytes, left: status.left, event: event,
            numWant: 50)
        let reply = try await client.announce(request)
        log("\(Self.name(event)): \(reply.peers.count) peer\(reply.peers.count == 1 ? "" : "s"), interval \(reply.interval) s")
        session.addPeers(reply.peers)
        session.announced(minInterval: reply.minInterval)
        return reply.interval
    }

    /// "tracker" for a regular announce, "tracker (started)" for one with an event: how log lines begin.
    public static func name(_ event: AnnounceRequest.Event?) -> String {
        event.map { "tracker (\($0.rawValue))" } ?? "tracker"
    }

    /// `started`, tried `attempts` times with a short backoff; throws the last failure. Returns nil as soon
    /// as `stopping()` says so (Ctrl-C while the tracker is slow to answer).
    public func start(attempts: Int = 3, stopping: @Sendable () -> Bool = { false }) async throws(TrackerClient.Failure)
        -> Int?
    {
        var backoff = Backoff(initial: 1_000_000_000, maximum: 4_000_000_000)
        var attempt = 1
        while true {
            if stopping() { return nil }
            do {
                return try await announce(.started)
            } catch {
                if stopping() { return nil }
                if attempt >= attempts { throw error }
                report("\(error); trying again")
                try? await Task.sleep(nanoseconds: UInt64(backoff.nextDelay()))
                attempt += 1
            }
        }
    }

    /// Regular announces until `stopping()` says so, checked once a second. Returns whether `completed`
    /// was sent (or was not due), so that the caller can send it before `stopped` if the download completed
    /// just now.
    ///
    /// Stopping is a flag, not task cancellation: an announce in flight is let finish (`TrackerClient`'s
    /// deadline bounds it). The flag dates from URLSession, whose cancellation of a request as it completed
    /// crashed swift-corelibs-foundation in 1 of 25 runs; announces no longer go through URLSession.
    /// - Parameter completedAlready: the download was complete when the session started (no `completed`).
    @discardableResult
    public func run(interval firstInterval: Int, completedAlready: Bool, stopping: @Sendable () -> Bool) async -> Bool {
        var interval = max(firstInterval, 1)
        var sentCompleted = completedAlready
        var backoff = Backoff()
        var next = ContinuousClock.now + .seconds(min(interval, 15))
        var completedRetryAt = ContinuousClock.now
        while !stopping() {
            try? await Task.sleep(for: .seconds(1))
            let status = await session.status()
            var event: AnnounceRequest.Event?
            if status.isComplete, !sentCompleted, ContinuousClock.now >= completedRetryAt {
                event = .completed
            } else if ContinuousClock.now < next, !status.announceWanted {
                continue  // neither due nor wanted early by the peer-set upkeep (`PeerSetUpkeep`)
            }
            do {
                interval = max(try await announce(event), 1)
                if event == .completed { sentCompleted = true }
                backoff.reset()
                next = ContinuousClock.now + .seconds(interval)
            } catch {
                if stopping() { return sentCompleted }  // shutting down: not worth a retry
                let delay = backoff.nextDelay()
                report("\(error); trying again in \(delay / 1_000_000_000) s")
                next = ContinuousClock.now + .nanoseconds(delay)
                completedRetryAt = next
            }
        }
        return sentCompleted
    }
}
