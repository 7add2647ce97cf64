import Foundation
import NIOCore
import NIOPosix
import Strategy
import WireProtocol

/// One torrent being downloaded or seeded: the connections, the local piece state and the timers.
///
/// Every decision comes from the Strategy module, called the way the simulator calls it: `PiecePicker`
/// chooses the blocks to request, `ChokeRounds` with `LeecherChoker` / `SeedChoker` chooses whom to
/// unchoke every `rechokeInterval` from the connections' rolling 20 s rates, and `RequestPipeline` sizes
/// each connection's pipeline. The wire itself is `PeerConnectionStateMachine` (one per connection); this
/// class carries out its actions.
///
/// Concurrency: the session and its connections live on one event loop. Public methods hop onto it; every
/// other method runs on it (checked in debug builds), so no state needs a lock.
public final class TorrentSession: @unchecked Sendable {
    public let metainfo: Metainfo
    public let layout: PieceLayout
    /// Fixed but for the tracker's `min interval`, learnt from its answers (`announced`).
    public internal(set) var configuration: ClientConfiguration
    let eventLoop: EventLoop
    let storage: TorrentStorage
    let log: @Sendable (String) -> Void

    // Local piece state and the strategies (the simulator's peers hold the same ones).
    var picker: PiecePicker
    /// How many connected peers have each piece (what rarest first ranks by).
    var availability: PieceAvailability
    var rounds: ChokeRounds
    let leecherChoker: LeecherChoker
    let seedChoker: SeedChoker
    var rng = SystemRandomNumberGenerator()

    var connections: [PeerConnection] = []
    var nextConnectionID = 0
    /// Blocks received per piece not yet verified, by connection: who to blame if the hash fails.
    var contributors: [Int: Set<Int>] = [:]
    /// Start of the chokers' current rate window.
    var windowStart: Int64

    // Peers to dial.
    var knownPeers: [AnnounceReply.PeerAddress] = []
    var knownPeerSet: Set<AnnounceReply.PeerAddress> = []
    var halfOpen: Set<AnnounceReply.PeerAddress> = []
    var retryAt: [AnnounceReply.PeerAddress: Int64] = [:]
    var peerIDAt: [AnnounceReply.PeerAddress: [UInt8]] = [:]
    var bannedAddresses: Set<AnnounceReply.PeerAddress> = []
    var bannedPeerIDs: Set<[UInt8]> = []
    /// Pieces that failed their hash with this peer among several senders: a second strike bans it.
    var strikes: [[UInt8]: Int] = [:]
    var flushScheduled = false

    // Rate limits; the connection whose queued request is served next.
    var uploadBucket: TokenBucket?
    var downloadBucket: TokenBucket?
    var uploadTurn = 0
    var pumpScheduled = false

    // Totals.
    var downloaded: Int64 = 0
    var uploaded: Int64 = 0
    /// `uploaded` when the current rechoke period began (what the period sent feeds `UploadSlots`).
    var uploadedAtPeriodStart: Int64 = 0
    var wasted: Int64 = 0
    /// Payload bytes by peer id (`peerTally()`).
    var tally = PeerTally()
    var hashFailures = 0
    var failure: String?
    /// When the session was made, its first piece verified, and its last.
    let createdAt: Int64
    var firstPieceAt: Int64?
    var completedAt: Int64?
    /// The last second's transfer figures, for the progress line (`sampleRates`, once a second).
    var lastSampleAt: Int64
    var recent = (down: 0.0, up: 0.0, sending: 0, receiving: 0)
    var closing = false
    /// The peer-set upkeep (`TorrentSession+Upkeep`): when it next looks, when a block last arrived, when the
    /// tracker last answered, and when an early announce is wanted (nil: none).
    var nextUpkeepAt: Int64 = 0
    var lastBlockReceivedAt: Int64?
    var lastAnnounceAt: Int64?
    var announceWantedAt: Int64?
    var serverChannel: Channel?
    var timers: [RepeatedTask] = []

    /// - Parameter have: the pieces already on disk and verified (`TorrentStorage.recheck()`).
    public init(metainfo: Metainfo, storage: TorrentStorage, have: PieceBitfield, configuration: ClientConfiguration,
                eventLoop: EventLoop, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.metainfo = metainfo
        self.storage = storage
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.log = log
        layout = PieceLayout(totalBytes: metainfo.totalLength, pieceBytes: metainfo.pieceLength,
                             blockBytes: min(16_384, metainfo.pieceLength))
        picker = PiecePicker(layout: layout, policy: configuration.piecePolicy,
                             randomFirstPieces: configuration.randomFirstPieces, endgame: configuration.endgame, have: have)
        availability = PieceAvailability(pieceCount: layout.pieceCount)
        leecherChoker = LeecherChoker(settings: configuration.choke)
        seedChoker = SeedChoker(algorithm: configuration.seedChoker, settings: configuration.choke)
        rounds = ChokeRounds(settings: configuration.choke, capacity: configuration.uploadLimit)
        let now = Self.clock()
        windowStart = now
        lastSampleAt = now
        createdAt = now
        uploadBucket = configuration.uploadLimit.map { TokenBucket(rate: $0, now: now) }
        downloadBucket = configuration.downloadLimit.map { TokenBucket(rate: $0, now: now) }
    }

    /// Blocks waiting in a connection's write buffer: up to 1 MiB (64 blocks) before we stop serving it,
    /// resuming below 256 KiB. Enough to keep a fast local link busy between event-loop turns, and a bound
    /// on what a peer that stops reading can make us hold.
    static let writeBuffer = ChannelOptions.Types.WriteBufferWaterMark(low: 262_144, high: 1_048_576)

    /// Nanoseconds on a monotonic clock: the session's time for the chokers and timeouts.
    static func clock() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

    // MARK: Public, from any thread

    /// Listens for peers and starts the timers; returns the port listened on.
    public func start() async throws -> Int {
        let channel = try await ServerBootstrap(group: eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: Self.writeBuffer)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PeerWireHandler(session: self, dialled: nil))
                }
            }
            .bind(host: configuration.bindHost, port: configuration.port).get()
        return try await eventLoop.submit { [self] in
            serverChannel = channel
            let period = TimeAmount.nanoseconds(configuration.choke.rechokeInterval)
            timers.append(eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { [self] _ in
                rechoke(periodic: true)
            })
            timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in
                housekeeping()
            })
            return channel.localAddress?.port ?? configuration.port
        }.get()
    }

    /// Peers to connect to (from the tracker, or given on the command line).
    public func addPeers(_ peers: [AnnounceReply.PeerAddress]) {
        eventLoop.execute { [self] in
            for peer in peers where knownPeerSet.insert(peer).inserted { knownPeers.append(peer) }
            connectMore()
        }
    }

    public func status() async -> SessionStatus {
        (try? await eventLoop.submit { [self] in snapshot() }.get())
            ?? SessionStatus(pieceCount: 0, piecesHave: 0, totalBytes: 0, bytesHave: 0, downloadedBytes: 0, uploadedBytes: 0,
                             wastedBytes: 0, hashFailures: 0, downloadRate: 0, uploadRate: 0, peers: 0, sendingToUs: 0,
                             receivingFromUs: 0, isComplete: false, failure: "the session has stopped", firstPieceAfter: nil,
                             completedAfter: nil, announceWanted: false)
    }

    /// Payload bytes exchanged with each peer so far, by peer id.
    public func peerTally() async -> PeerTally {
        (try? await eventLoop.submit { [self] in tally }.get()) ?? PeerTally()
    }

    /// Closes every connection and the listener.
    public func close() async {
        let closed: EventLoopFuture<Void> = eventLoop.flatSubmit { [self] in
            closing = true
            for timer in timers { timer.cancel() }
            timers.removeAll()
            for connection in connections { drop(connection, because: "shutting down") }
            return serverChannel?.close() ?? eventLoop.makeSucceededVoidFuture()
        }
        try? await closed.get()
    }

    // MARK: Connections (on the event loop)

    /// A TCP connection is up (either direction): send our handshake.
    func opened(channel: Channel, dialled: AnnounceReply.PeerAddress?) -> PeerConnection? {
        eventLoop.assertInEventLoop()
        if let dialled { halfOpen.remove(dialled) }
        guard !closing, connections.count < configuration.maxConnections else { return nil }
        let now = Self.clock()
        let connection = PeerConnection(id: nextConnectionID, channel: channel, dialled: dialled, layout: layout,
                                        infoHash: metainfo.infoHash, now: now)
        nextConnectionID += 1
        connections.append(connection)
        channel.write(ByteBuffer(bytes: Handshake(infoHash: metainfo.infoHash, peerID: configuration.peerID).encoded),
                      promise: nil)
        connection.needsFlush = true
        scheduleFlush()
        return connection
    }

    func handshakeArrived(_ handshake: Handshake, on c: PeerConnection) {
        execute(c.machine.handshakeReceived(handshake), on: c)
        guard !c.isGone else { return }
        if handshake.peerID == configuration.peerID {
            if let d = c.dialled { bannedAddresses.insert(d) }
            return drop(c, because: "connected to ourselves")
        }
        if bannedPeerIDs.contains(handshake.peerID) { return drop(c, because: "banned peer") }
        // Two connections to one peer (each side dialled the other): both sides keep the one dialled by the
        // greater peer id, as libtorrent does, so they agree without talking.
        if let other = connections.first(where: { $0 !== c && $0.peerID == handshake.peerID }) {
            let keepOther = (other.dialled != nil) == handshake.peerID.lexicographicallyPrecedes(configuration.peerID)
            if let d = c.dialled ?? other.dialled { peerIDAt[d] = handshake.peerID }
            if keepOther { return drop(c, because: "already connected") }
            drop(other, because: "already connected")
        }
        c.peerID = handshake.peerID
        c.connectedAt = Self.clock()
        if let d = c.dialled { peerIDAt[d] = handshake.peerID }
        if !picker.have.isEmpty { c.write(.bitfield(picker.have.wireBytes), now: c.connectedAt) }
        log("connected to \(c.remoteDescription) (\(String(decoding: handshake.peerID.prefix(8), as: UTF8.self)))")
    }

    func messageArrived(_ message: PeerMessage, on c: PeerConnection) {
        let wasInterested = c.machine.peerInterested
        let wasChoking = c.machine.peerChoking
        execute(c.machine.messageReceived(message), on: c)
        guard !c.isGone else { return }
        if c.machine.peerInterested != wasInterested {
            if c.machine.peerInterested {
                // A free slot goes to the newly interested peer at once (libtorrent; the simulator's
                // `fill_free_slots`), without reshuffling the others before the next rechoke.
                if rounds.givesFreeSlotAtOnce(unchoked: unchokedCount, isSeed: picker.isComplete, configuration.choke) {
                    setChoking(c, false)
                }
            } else if !c.machine.amChoking {
                setChoking(c, true)
                if configuration.choke.fillFreeSlots { rechoke(periodic: false) }
            }
        }
        if wasChoking, !c.machine.peerChoking {
            c.unchokedUsAt = Self.clock()
            fill(c)
        }
    }

    /// Carries out the state machine's actions for one connection.
    func execute(_ actions: [PeerConnectionStateMachine.Action], on c: PeerConnection) {
        let now = Self.clock()
        for action in actions {
            guard !c.isGone else { return }
            switch action {
            case .send(let message):
                c.write(message, now: now)
            case .peerHas(let pieces):
                if PeerSetUpkeep.isRedundant(weAreSeed: picker.isComplete, partnerIsSeed: pieces.isComplete) {
                    return dropFellowSeed(c)
                }
                availability.add(pieces)
                c.counted = pieces
                updateInterest(c)
            case .peerGotPiece(let piece):
                availability.increment(piece)
                c.counted.insert(piece)
                if PeerSetUpkeep.isRedundant(weAreSeed: picker.isComplete, partnerIsSeed: c.counted.isComplete) {
                    return dropFellowSeed(c)
                }
                if !picker.have.contains(piece) { updateInterest(c) }  // new requests, not only new interest
            case .received(let block, let bytes):
                blockArrived(block, bytes, from: c, now: now)
            case .requestsDropped(let blocks):
                if !picker.isComplete { for block in blocks { picker.requestDropped(block) } }
                for other in connections where other !== c { fill(other) }
            case .serve(let piece, let offset, let length):
                queueServe(c, piece: piece, offset: offset, length: length)
            case .unserve(let piece, let offset, let length):
                let request = PeerConnection.ServeRequest(piece: piece, offset: offset, length: length)
                if let i = c.serveQueue.firstIndex(of: request) { c.serveQueue.remove(at: i) }
            case .close(let reason):
                drop(c, because: reason)
            }
        }
    }

    /// Forgets a connection: its pieces leave the availability counts, its requests go back to the picker,
    /// its slot is given to someone else. Safe to call more than once.
    func drop(_ c: PeerConnection, because reason: String) {
        guard !c.isGone else { return }
        c.isGone = true
        connections.removeAll { $0 === c }
        if c.handshakeDone {
            log("dropped \(c.remoteDescription): \(reason)")
            availability.remove(c.counted)
        }
        if !picker.isComplete { for block in c.machine.outstanding { picker.requestDropped(block) } }
        if let d = c.dialled { retryAt[d] = max(retryAt[d] ?? 0, Self.clock() + configuration.reconnectDelay) }
        c.channel.close(promise: nil)
        guard !closing else { return }
        let heldSlot = !c.machine.amChoking
        rounds.released(c.id)
        if heldSlot, configuration.choke.fillFreeSlots { rechoke(periodic: false) }
        for other in connections { fill(other) }
    }

    /// Flushes are deferred to the end of the event-loop turn: a flush that fails makes NIO read and close
    /// the channel at once, and that must never happen in the middle of a decision. Every connection
    /// written to since (`needsFlush`) is flushed then.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        eventLoop.execute { [self] in
            flushScheduled = false
            for c in connections where c.needsFlush {
                c.needsFlush = false
                c.channel.flush()
            }
        }
    }

    /// Two seeds have nothing to trade (`PeerSetUpkeep.isRedundant`): close, and never dial this one again.
    func dropFellowSeed(_ c: PeerConnection) {
        if let d = c.dialled { retryAt[d] = .max }
        drop(c, because: "both are seeds")
    }

    // MARK: Interest and requests

    func updateInterest(_ c: PeerConnection) {
        guard c.handshakeDone else { return }
        let want = !picker.isComplete && picker.isInterested(in: c.machine.peerHave)
        execute(c.machine.setInterested(want), on: c)
        if want { fill(c) }
    }

    /// Tops up the connection's pipeline with blocks from the picker.
    func fill(_ c: PeerConnection) {
        guard !c.isGone, c.handshakeDone, !c.machine.peerChoking, c.machine.amInterested, !picker.isComplete else { return }
        let now = Self.clock()
        // The window began one period before the current one (`windowStart`).
        let depth = configuration.pipeline.depth(
            received: c.received, now: now, windowStart: windowStart - configuration.choke.rechokeInterval,
            connectedAt: c.connectedAt, snubbed: c.snubbed, blockBytes: Int(layout.blockBytes))
        let room = depth - c.machine.outstanding.count
        guard room > 0 else { return }
        let outstanding = c.machine.outstanding
        let blocks = picker.pick(from: c.machine.peerHave, count: room, availability: availability,
                                 isRequestedHere: { outstanding.contains($0) }, outstandingHere: outstanding.count,
                                 using: &rng)
        if blocks.isEmpty {
            if outstanding.isEmpty, !picker.isInterested(in: c.machine.peerHave) {
                execute(c.machine.setInterested(false), on: c)
            }
            return
        }
        execute(c.machine.request(blocks), on: c)
        scheduleFlush()
    }

    func blockArrived(_ block: BlockRef, _ bytes: [UInt8], from c: PeerConnection, now: Int64) {
        let n = Int64(bytes.count)
        c.lastBlockAt = now
        lastBlockReceivedAt = now
        c.snubbed = false
        c.received.add(n)
        c.tickReceived += n
        downloaded += n
        if let id = c.peerID { tally.add(peerID: id, received: n) }
        guard !picker.isComplete else {
            wasted += n
            return
        }
        switch picker.blockReceived(block) {
        case .duplicate:
            wasted += n
        case .stored(let completedPiece, let otherRequests):
            do {
                try storage.write(piece: Int(block.piece), offset: Int(block.block) * Int(layout.blockBytes), bytes: bytes)
            } catch {
                return fail("\(error)")
            }
            contributors[Int(block.piece), default: []].insert(c.id)
            if otherRequests > 0 {  // endgame: the other requests for this block are cancelled
                for other in connections where other !== c && other.machine.outstanding.contains(block) {
                    execute(other.machine.cancel(block), on: other)
                    scheduleFlush()
                }
            }
            if let piece = completedPiece { pieceCompleted(piece) }
        }
        fill(c)
    }

    /// Every block of `piece` is on disk: check its hash, then announce it or fetch it again.
    func pieceCompleted(_ piece: Int) {
        let senders = contributors.removeValue(forKey: piece) ?? []
        let verified: Bool
        do { verified = try storage.check(piece: piece) } catch { return fail("\(error)") }
        guard verified else {
            hashFailures += 1
            wasted += Int64(layout.bytes(ofPiece: piece))
            picker.pieceFailed(piece)
            // A sole sender is surely the culprit; among several, one bad block must not get honest peers
            // banned, so each gets a strike and a second one bans it.
            for c in connections where senders.contains(c.id) {
                guard let id = c.peerID else { continue }
                strikes[id, default: 0] += 1
                if senders.count == 1 || strikes[id, default: 0] >= 2 {
                    if let d = c.dialled { bannedAddresses.insert(d) }
                    bannedPeerIDs.insert(id)
                    drop(c, because: "sent piece \(piece), which failed its hash check")
                }
            }
            for c in connections { updateInterest(c) }
            return
        }
        let now = Self.clock()
        if firstPieceAt == nil { firstPieceAt = now }
        for c in connections where c.handshakeDone { c.write(.have(piece: UInt32(piece)), now: now) }
        if picker.isComplete {
            completedAt = now
            log("download complete")
            for c in connections {
                for block in c.machine.outstanding { execute(c.machine.cancel(block), on: c) }
            }
            for c in connections where c.counted.isComplete { dropFellowSeed(c) }
        }
        for c in connections { updateInterest(c) }
        scheduleFlush()
    }

    // MARK: Choking

    var unchokedCount: Int { connections.filter { !$0.machine.amChoking }.count }

    func setChoking(_ c: PeerConnection, _ choke: Bool) {
        let actions = c.machine.setChoking(choke)
        guard !actions.isEmpty else { return }
        execute(actions, on: c)
        if choke {
            c.serveQueue.removeAll()  // its queued requests are void
            rounds.released(c.id)
        } else {
            c.unchokedAt = Self.clock()
        }
    }

    /// Every `rechokeInterval` (`periodic`) and when a slot comes free: the leecher or seed choker decides
    /// from the last 20 s, through the same `ChokeRounds` the simulator's peers use.
    func rechoke(periodic: Bool) {
        guard !closing else { return }
        let now = Self.clock()
        let seeding = picker.isComplete
        var candidates: [ChokeCandidate] = []
        for c in connections
        where c.handshakeDone && ChokeCandidate.takesPart(interested: c.machine.peerInterested, unchoked: !c.machine.amChoking) {
            let transfers = seeding ? c.sent : c.received  // a seed ranks by bytes sent
            candidates.append(ChokeCandidate(
                id: c.id, interested: c.machine.peerInterested,
                rate: transfers.chokerRate(rechokeInterval: configuration.choke.rechokeInterval),
                connectedAt: c.connectedAt, lastBlockReceivedAt: c.lastBlockAt, unchoked: !c.machine.amChoking,
                unchokedAt: c.unchokedAt))
        }
        var sentInPeriod = 0.0
        if periodic {
            windowStart = now
            sentInPeriod = Double(uploaded - uploadedAtPeriodStart)
            uploadedAtPeriodStart = uploaded
            for c in connections {
                c.received.roll()
                c.sent.roll()
            }
        }
        guard let decision = rounds.decide(candidates, now: now, periodic: periodic, isSeed: seeding,
                                           sentInPeriod: sentInPeriod, leecher: leecherChoker, seed: seedChoker, using: &rng) else { return }
        for c in connections where c.handshakeDone {
            let unchoke = decision.unchoked.contains(c.id)
            if unchoke == c.machine.amChoking { setChoking(c, !unchoke) }
        }
        scheduleFlush()
        pumpUploads()
    }

    // MARK: Serving, with the upload limit

    func queueServe(_ c: PeerConnection, piece: Int, offset: Int, length: Int) {
        guard picker.have.contains(piece) else { return }
        // A request silently ignored would leave the peer waiting for it; a peer that queues this many
        // is abusive, and is told so by closing.
        guard c.serveQueue.count < configuration.maxQueuedRequests else {
            return drop(c, because: "more than \(configuration.maxQueuedRequests) requests queued")
        }
        c.serveQueue.append(PeerConnection.ServeRequest(piece: piece, offset: offset, length: length))
        pumpUploads()
    }

    /// Sends queued blocks while upload tokens last, one block per connection in turn, so that a limited
    /// upload is shared equally among the unchoked peers (as TCP shares a link, and as the simulator's flow
    /// model shares a peer's upload), not in proportion to how many requests each one queued. When tokens
    /// run out it comes back once they have accrued.
    func pumpUploads() {
        var idle = 0
        while idle < connections.count {
            if uploadTurn >= connections.count { uploadTurn = 0 }
            let c = connections[uploadTurn]
            // A peer that does not read gets nothing more until its socket drains (NIO's write buffer
            // watermarks), so no peer can make us buffer without bound.
            guard let request = c.serveQueue.first, !c.machine.amChoking, c.channel.isWritable else {
                uploadTurn += 1
                idle += 1
                continue
            }
            let now = Self.clock()
            if uploadBucket != nil {
                let wait = uploadBucket!.delay(for: request.length, now: now)
                if wait > 0 { return schedulePump(after: wait) }
                uploadBucket!.take(request.length, now: now)
            }
            let bytes: [UInt8]
            do { bytes = try storage.read(piece: request.piece, offset: request.offset, length: request.length) } catch {
                return fail("\(error)")
            }
            c.serveQueue.removeFirst()
            c.write(.piece(piece: UInt32(request.piece), offset: UInt32(request.offset), block: bytes), now: now)
            scheduleFlush()
            let n = Int64(request.length)
            c.sent.add(n)
            c.tickSent += n
            uploaded += n
            if let id = c.peerID { tally.add(peerID: id, sent: n) }
            uploadTurn += 1
            idle = 0
        }
    }

    func schedulePump(after nanoseconds: Int64) {
        guard !pumpScheduled else { return }
        pumpScheduled = true
        eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
            pumpScheduled = false
            pumpUploads()
        }
    }

    /// Counts received bytes against the download limit; a connection that overdraws it stops reading
    /// until the tokens are back (TCP then slows its sender).
    func bytesArrived(_ count: Int, on c: PeerConnection) {
        let now = Self.clock()
        c.lastReceivedAt = now
        guard downloadBucket != nil else { return }
        // Every byte is charged, also those that arrive after reading was paused (reads already under way).
        let wait = downloadBucket!.take(count, now: now)
        if wait > 0, !c.readPaused { pauseReading(c, for: wait) }
    }

    func pauseReading(_ c: PeerConnection, for nanoseconds: Int64) {
        c.readPaused = true
        _ = c.channel.setOption(ChannelOptions.autoRead, value: false)
        let id = c.id
        eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
            guard let c = connections.first(where: { $0.id == id }) else { return }
            let debt = downloadBucket!.take(0, now: Self.clock())
            if debt > 0 { return pauseReading(c, for: debt) }
            c.readPaused = false
            _ = c.channel.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    // MARK: Timers

    /// Once a second: rates for the progress line, handshake and idle timeouts, keep-alives, more peers.
    func housekeeping() {
        guard !closing else { return }
        sampleRates()
        let now = Self.clock()
        for c in connections {
            if !c.handshakeDone, now - c.connectedAt > configuration.handshakeTimeout {
                drop(c, because: "no handshake")
            } else if !c.readPaused, now - c.lastReceivedAt > configuration.idleTimeout {
                drop(c, because: "idle for \(configuration.idleTimeout / 1_000_000_000) s")
            } else if c.handshakeDone {
                if now - c.lastSentAt > configuration.keepAliveInterval {
                    c.write(.keepAlive, now: now)
                    scheduleFlush()
                }
                requestTimeout(c, now: now)
            }
        }
        upkeepIfDue(now: now)
        connectMore()
    }

    /// Requests a peer has sat on for `requestTimeout` (nothing received since the last block or the
    /// unchoke) are cancelled and go back to the picker for other peers; the peer is snubbed.
    func requestTimeout(_ c: PeerConnection, now: Int64) {
        guard !picker.isComplete, RequestTimeout.isOverdue(
            outstanding: c.machine.outstanding.count, lastBlockAt: c.lastBlockAt, unchokedUsAt: c.unchokedUsAt,
            connectedAt: c.connectedAt, now: now, timeout: configuration.requestTimeout) else { return }
        for block in c.machine.outstanding {
            execute(c.machine.cancel(block), on: c)
            picker.requestDropped(block)
        }
        c.snubbed = true
        c.lastBlockAt = now  // the next timeout counts from here
        scheduleFlush()
        for other in connections where other !== c { fill(other) }
    }

    func connectMore() {
        guard !closing else { return }
        let now = Self.clock()
        let connectedIDs = Set(connections.compactMap(\.peerID))
        let dialledNow = Set(connections.compactMap(\.dialled))
        for peer in knownPeers {
            guard connections.count + halfOpen.count < configuration.maxConnections,
                  halfOpen.count < configuration.maxHalfOpen else { return }
            if halfOpen.contains(peer) || dialledNow.contains(peer) || bannedAddresses.contains(peer) { continue }
            if let t = retryAt[peer], t > now { continue }
            if let id = peerIDAt[peer], connectedIDs.contains(id) || bannedPeerIDs.contains(id) { continue }
            dial(peer)
        }
    }

    func dial(_ peer: AnnounceReply.PeerAddress) {
        halfOpen.insert(peer)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(5))
            .channelOption(.writeBufferWaterMark, value: Self.writeBuffer)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PeerWireHandler(session: self, dialled: peer))
                }
            }
            .connect(host: peer.host, port: Int(peer.port))
            .whenFailure { [self] error in
                halfOpen.remove(peer)
                retryAt[peer] = Self.clock() + configuration.reconnectDelay
                let reason = (error as? NIOConnectionError)?.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"
                log("cannot connect to \(peer): \(reason)")
            }
    }

    func fail(_ message: String) {
        guard failure == nil else { return }
        failure = message
        log("error: \(message)")
    }

    /// The transfers since the last sample: rates, and how many peers sent to us and received from us.
    func sampleRates() {
        let now = Self.clock()
        let seconds = max(1e-3, Double(now - lastSampleAt) / 1e9)
        lastSampleAt = now
        var down: Int64 = 0, up: Int64 = 0, sending = 0, receiving = 0
        for c in connections {
            down += c.tickReceived
            up += c.tickSent
            if c.tickReceived > 0 { sending += 1 }
            if c.tickSent > 0 { receiving += 1 }
            c.tickReceived = 0
            c.tickSent = 0
        }
        recent = (Double(down) / seconds, Double(up) / seconds, sending, receiving)
    }

    func snapshot() -> SessionStatus {
        let bytesHave = picker.have.pieces.reduce(Int64(0)) { $0 + Int64(layout.bytes(ofPiece: $1)) }
        return SessionStatus(
            pieceCount: layout.pieceCount, piecesHave: picker.have.count, totalBytes: layout.totalBytes, bytesHave: bytesHave,
            downloadedBytes: downloaded, uploadedBytes: uploaded, wastedBytes: wasted, hashFailures: hashFailures,
            downloadRate: recent.down, uploadRate: recent.up, peers: connections.filter(\.handshakeDone).count,
            sendingToUs: recent.sending, receivingFromUs: recent.receiving, isComplete: picker.isComplete, failure: failure,
            firstPieceAfter: firstPieceAt.map { Double($0 - createdAt) / 1e9 },
            completedAfter: completedAt.map { Double($0 - createdAt) / 1e9 },
            announceWanted: announceWantedAt.map { $0 <= Self.clock() } ?? false)
    }
}
