import CPrefetch

/// An event type that can carry the network's "a block finished transmitting" notice.
///
/// The simulator's own event enum conforms, so one queue orders network and simulator events together.
public protocol TransmissionEvent {
    static func transmissionFinished(link: Int32, generation: UInt32) -> Self
    /// The link and generation when this event is a transmission notice, else nil (used to drop stale notices).
    var transmission: (link: Int32, generation: UInt32)? { get }
}

/// A block that left its sender: `bytes` long, tagged by the simulator (e.g. piece and block index), its
/// last bit sent at `finishedAt`; it reaches the receiver at `finishedAt` plus the link's latency.
public struct SentBlock: Equatable, Sendable {
    public var bytes: Int
    public var tag: Int64
    public var finishedAt: SimTime

    public init(bytes: Int, tag: Int64, finishedAt: SimTime) {
        self.bytes = bytes
        self.tag = tag
        self.finishedAt = finishedAt
    }
}

/// The flow-level network model: nodes with upload and download capacities, and one-way links that carry
/// queued blocks from a sender to a receiver.
///
/// Model (docs/model.md): a link is *active* while it holds a block. Rates are piecewise constant and
/// change only when some node's set of active links changes, never per block:
/// 1. each receiver divides its download capacity among its incoming active links by water-filling, with
///    each sender's equal share of upload as that link's claim; capacity left over is spread evenly, so the
///    allowances add up to the receiver's whole download capacity;
/// 2. each sender divides its upload among its outgoing active links by water-filling, capped by those
///    allowances.
/// So no node ever sends above its upload or receives above its download, and a sender's spare capacity
/// goes to transfers that can use it. After a change at a node, only the links within two hops of it are
/// recomputed. The result approximates max-min fairness; it is exact for one sender (client-server).
///
/// Latency is not modelled here: the simulator delays requests and deliveries by the pair latency. A link
/// may be told its latency, and then saves an event per block (see "Deferred notices" below).
///
/// ## Deferred notices
/// A block's end matters to the sender at once only when the link then goes idle (its rate is given to
/// other links); otherwise the next queued block starts at the same rate and nothing else changes. So when
/// the next block is ready and takes at least one latency to send, the notice for the current block is
/// scheduled one latency *after* it ends, when the receiver gets it: one event serves the sender's
/// bookkeeping (late, but in order) and the delivery. Whatever touches the link before then (a new
/// request, a cancel, a choke, a rate change, `catchUp`) first rolls it forward over the blocks that ended
/// meanwhile; those come out in `backlog`, and the caller delivers them one latency after their end.
/// The transfers are exactly those of the undeferred model.
public final class FlowNetwork {
    /// A link's record, hot fields first: a block's end reads its first line, and the queue after it.
    struct Link {
        let sender: Int32
        let receiver: Int32
        var currentBytes: Int32 = 0  // 0: idle
        var generation: UInt32 = 0
        var currentTag: Int64 = 0
        var remainingBits: Double = 0
        var rate: Double = 0
        var lastSettle: SimTime = 0
        /// When the current block ends at the current rate (valid while `scheduled`).
        var finishAt: SimTime = 0
        /// One-way latency from sender to receiver; 0 turns deferred notices off.
        var latency: SimTime = 0
        var scheduled = false
        /// The pending notice comes one latency after `finishAt` (see Deferred notices).
        var deferred = false
        var outSlot: Int32 = -1
        var inSlot: Int32 = -1
        var queue = BlockRunQueue()
    }

    /// What rate allocation reads of a node, in one record: a change at one node re-rates links over
    /// dozens of others scattered over the swarm, and each of these fields in an array of its own was a
    /// cache miss of its own (five per sender, where the record is one).
    struct RateNode {
        var upload: Double
        var download: Double
        /// `outgoing[n].count`: a receiver's allowances read every sender's count.
        var outCount: Int32 = 0
        /// The `recompute` epoch in which the node was last touched (as a receiver or a sender).
        var mark: UInt32 = 0
        /// The epoch in which `allocateAllowances` marked the node's rates for recomputing.
        var rateMark: UInt32 = 0
        /// True while every outgoing link of the node has an allowance of at least the node's equal share,
        /// so its rates are exactly that share (see `recompute`).
        var equalSplit = false
        /// The node's total sending rate, integrated: the bits it has sent so far, for upload accounting.
        /// Here rather than in an array of its own: every rate change of a sender already has this record
        /// in cache (rate allocation reads and writes it), so the meter costs no cache miss.
        var sending = RateMeter()
    }

    /// An active link in its sender's list.
    struct OutgoingLink {
        var link: Int32
        var receiver: Int32
        /// A copy of the link's rate, kept by `setRate`.
        var rate: Double
    }

    /// An active link in its receiver's list.
    struct IncomingLink {
        var link: Int32
        var sender: Int32
    }

    /// Per node: capacities and rate allocation's marks, two records to a cache line.
    let nodes = AlignedTable<RateNode>()
    /// Each node's active outgoing links, with their receivers and rates: rate allocation walks these lists
    /// millions of times a run, and reading each link's own record was a cache miss per link.
    var outgoing: [[OutgoingLink]] = []
    /// Each node's active incoming links, with their senders (as `outgoing`).
    var incoming: [[IncomingLink]] = []
    var group: [Int] = []
    /// Bytes each node has sent, by node (written at every block's end: a table, with no uniqueness check).
    let uploaded = AlignedTable<Int64>()
    public var uploadedBytes: [Int64] { Array(uploaded) }
    // Meters per group (server, peers), sent and received: the time series read them.
    public private(set) var groupSentMeter: [RateMeter]
    public private(set) var groupReceivedMeter: [RateMeter]
    #if P2PSIM_INVARIANTS
    /// Per node, for the invariant checks only (debug builds): one more record to update at every rate
    /// change, which nothing in a result reads. (What a node sends is metered always, in `RateNode.sending`.)
    var receivedMeter: [RateMeter] = []
    #endif

    /// Line-aligned: a busy link is read once per block, at random among hundreds of thousands.
    let links = AlignedTable<Link>()
    /// Each link's allowance from its receiver (step 1 of the model), apart from the links' records: only
    /// rate allocation reads it.
    let allowances = AlignedTable<Double>()

    // Scratch space for recomputation, reused to keep the hot path free of allocation.
    var epoch: UInt32 = 0
    var touchedReceivers = ScratchList<Int32>()
    var touchedSenders = ScratchList<Int32>()
    /// Water-filling scratch, sized per call. Raw lists rather than arrays: rates are allocated millions
    /// of times a run, and an array's copy-on-write checks and clearing showed as a tenth of the profile.
    var limits = ScratchList<Double>()
    var shares = ScratchList<Double>()
    var order = ScratchList<Int32>()

    /// Senders whose number of active links changed (a link started or stopped carrying data), in order,
    /// possibly repeated: the caller's upload accounting re-reads them after each event
    /// (`takeActivityChanges`).
    var activityChanged = ScratchList<Int32>()
    /// Whether `activityChanged` is kept: off unless a caller takes the changes (or the list would grow).
    public var recordsActivity = false

    /// Notices left in the event queue for links whose rate changed since: dropped when they pile up.
    var staleNotices = 0

    /// Blocks found finished when a link with a deferred notice was rolled forward, oldest first per link.
    /// The caller takes them (`takeBacklog`) after every event and delivers each at `finishedAt` plus the
    /// link's latency (never before now).
    public private(set) var backlog: [(link: Int32, block: SentBlock)] = []

    /// - Parameter groups: number of meter groups (e.g. server, peers); each node belongs to one.
    public init(groups: Int = 1) {
        groupSentMeter = Array(repeating: RateMeter(), count: groups)
        groupReceivedMeter = Array(repeating: RateMeter(), count: groups)
    }

    deinit {
        touchedReceivers.deallocate()
        touchedSenders.deallocate()
        activityChanged.deallocate()
        limits.deallocate()
        shares.deallocate()
        order.deallocate()
    }

    /// Sizes the water-filling scratch for `n` links.
    @inline(__always)
    func resizeScratch(_ n: Int) {
        limits.resize(to: n)
        shares.resize(to: n)
        order.resize(to: n)
    }

    /// Water-fills `capacity` over the scratch limits into the scratch shares.
    @inline(__always)
    func fillScratch(capacity: Double) -> WaterFilling.Filling {
        WaterFilling.fill(capacity: capacity, limits: UnsafeBufferPointer(limits.buffer), shares: shares.buffer,
                          order: order.buffer)
    }

    public var nodeCount: Int { nodes.count }
    public var linkCount: Int { links.count }

    /// Adds a node with capacities in bits per second; returns its index (0, 1, 2, ...).
    @discardableResult
    public func addNode(upload up: Double, download down: Double, group g: Int = 0) -> Int {
        precondition(up >= 0 && down >= 0 && g < groupSentMeter.count)
        nodes.append(RateNode(upload: up, download: down))
        outgoing.append([])
        incoming.append([])
        group.append(g)
        uploaded.append(0)
        #if P2PSIM_INVARIANTS
        receivedMeter.append(RateMeter())
        #endif
        return nodes.count - 1
    }

    /// Adds a one-way link from `sender` to `receiver`; returns its index. With a `latency`, the link may
    /// defer its notices (see Deferred notices), and its blocks may come out of `backlog`.
    @discardableResult
    public func addLink(from sender: Int, to receiver: Int, latency: SimTime = 0) -> Int {
        precondition(sender != receiver && sender < nodeCount && receiver < nodeCount && latency >= 0)
        var link = Link(sender: Int32(sender), receiver: Int32(receiver))
        link.latency = latency
        links.append(link)
        allowances.append(0)
        return links.count - 1
    }

    /// Makes room for `count` links, so that adding up to that many copies no record (see
    /// `AlignedTable.reserveCapacity`).
    public func reserveLinks(_ count: Int) {
        links.reserveCapacity(count)
        allowances.reserveCapacity(count)
    }

    /// Hands the backlog to `body`, oldest first, until it is empty: `body` may touch links and so add
    /// to it (a block delivered at once can trigger requests on a link that must first be rolled forward).
    public func takeBacklog(_ body: (Int32, SentBlock) -> Void) {
        while !backlog.isEmpty {
            let batch = backlog
            backlog = []
            for (link, block) in batch { body(link, block) }
        }
    }

    /// Rolls `link` forward to now: blocks that ended behind a deferred notice are finished (into `backlog`)
    /// and the next ones started at their true times. Every mutation of a link does this first; the caller
    /// does it before reading what a sender has sent (e.g. the sent bytes a seed's choker ranks by).
    public func catchUp<E: TransmissionEvent>(_ link: Int, queue: inout EventQueue<E>) {
        let now = queue.now
        while links[link].scheduled, links[link].deferred, links[link].finishAt <= now {
            backlog.append((Int32(link), rollDeferred(link, queue: &queue)))
        }
    }

    /// A link with a deferred notice: its current block is finished at `finishAt` and the next one started
    /// then (it was ready by then: the notice was deferred only if so), with its own notice scheduled.
    private func rollDeferred<E: TransmissionEvent>(_ l: Int, queue: inout EventQueue<E>) -> SentBlock {
        let block = finishCurrent(l, at: links[l].finishAt)
        startNext(l, now: block.finishedAt)
        scheduleNotice(l, queue: &queue)
        return block
    }

    /// Starts loading link `l`'s record, for an event that will soon touch it (see `AlignedTable.prefetch`).
    @inline(__always)
    public func prefetch(link l: Int) { links.prefetch(l) }

    /// Whether a transmission notice for `link` with `generation` is still the link's pending one (a
    /// notice whose link changed rate since is stale, and `finishTransmission` drops it). For a caller
    /// deciding what to load ahead of an event: the link's record should already be in cache.
    @inline(__always)
    public func isPending(link: Int32, generation: UInt32) -> Bool {
        let l = Int(link)
        return links[l].generation == generation && links[l].scheduled
    }

    /// The nodes `link` carries data from and to.
    @inline(__always)
    public func nodes(of link: Int) -> (sender: Int, receiver: Int) {
        (Int(links[link].sender), Int(links[link].receiver))
    }

    /// Bits `node` has sent from time 0 up to `now` (at least the last rate change), blocks cut off
    /// included: its sending rate integrated, as a fluid.
    @inline(__always)
    public func sentBits(of node: Int, at now: SimTime) -> Double { nodes[node].sending.bits(at: now) }

    /// How many of the node's outgoing links carry a block right now.
    @inline(__always)
    public func activeLinks(of node: Int) -> Int { Int(nodes[node].outCount) }

    /// Hands every sender whose active-link count changed since the last call to `body` (in order, maybe
    /// repeated), then forgets them.
    @inline(__always)
    public func takeActivityChanges(_ body: (Int) -> Void) {
        guard activityChanged.count > 0 else { return }
        for i in 0..<activityChanged.count { body(Int(activityChanged[i])) }
        activityChanged.removeAll()
    }

    /// Current rate of `link`, bits per second (0 when idle).
    public func rate(of link: Int) -> Double { links[link].rate }

    /// True while the link holds a block (transmitting or queued).
    public func isBusy(_ link: Int) -> Bool { links[link].currentBytes > 0 }

    /// Queues `count` blocks of `bytes` bytes on `link`, tagged `firstTag`, `firstTag + 1`, ...
    /// The sender may start them from `readyAt` on (default: now), which lets a request's travel time be
    /// modelled without an event of its own: an idle link wakes up at `readyAt`, a busy one just queues.
    public func send<E: TransmissionEvent>(bytes: Int, count: Int = 1, firstTag: Int64, readyAt: SimTime? = nil,
                                           on link: Int, queue: inout EventQueue<E>) {
        precondition(bytes > 0 && bytes <= Int(Int32.max) && count > 0)
        let now = queue.now
        let ready = max(now, readyAt ?? now)
        catchUp(link, queue: &queue)
        links[link].queue.append(BlockRun(bytes: Int32(bytes), count: Int32(count), tag: firstTag, readyAt: ready))
        guard links[link].currentBytes == 0, links[link].queue.count == 1 else { return }  // busy, or already waiting
        if ready > now {
            scheduleWake(link, at: ready, queue: &queue)
        } else {
            invalidateNotice(link)  // a wake-up left over from blocks dropped since
            startNext(link, now: now)
            activate(link, queue: &queue)
        }
    }

    /// Handles a transmission notice. Returns the block that finished, or nil for a stale notice or a
    /// wake-up. The next queued block, if ready, starts at once at the same rate: a busy link costs one
    /// event per block and no rate computation. A deferred notice comes one latency after the block ended
    /// (its `finishedAt`), when it reaches the receiver; the next block started back then.
    public func finishTransmission<E: TransmissionEvent>(link: Int32, generation: UInt32,
                                                         queue: inout EventQueue<E>) -> SentBlock? {
        let l = Int(link)
        guard isPending(link: link, generation: generation) else {
            staleNotices -= 1
            return nil
        }
        links[l].scheduled = false
        if links[l].deferred {
            let block = rollDeferred(l, queue: &queue)
            catchUp(l, queue: &queue)  // only if the next block ends exactly now
            return block
        }
        let now = queue.now
        var finished: SentBlock?
        if links[l].currentBytes > 0 { finished = finishCurrent(l, at: now) }
        if let head = links[l].queue.first, head.readyAt <= now {
            startNext(l, now: now)
            if finished != nil {
                scheduleNotice(l, queue: &queue)  // same link set, same rate
            } else {
                activate(l, queue: &queue)
            }
        } else {
            if finished != nil { deactivate(l, queue: &queue) }
            if let head = links[l].queue.first { scheduleWake(l, at: head.readyAt, queue: &queue) }
        }
        return finished
    }

    /// The current block is sent: counted, and the link holds no block until the next one starts.
    private func finishCurrent(_ l: Int, at time: SimTime) -> SentBlock {
        let bytes = links[l].currentBytes
        uploaded[Int(links[l].sender)] += Int64(bytes)
        links[l].currentBytes = 0
        return SentBlock(bytes: Int(bytes), tag: links[l].currentTag, finishedAt: time)
    }

    /// Takes the next block off the queue as the current one.
    private func startNext(_ l: Int, now: SimTime) {
        let (bytes, tag) = links[l].queue.takeFirstBlock()
        links[l].currentBytes = bytes
        links[l].currentTag = tag
        links[l].remainingBits = Double(links[l].currentBytes) * 8
        links[l].lastSettle = now
    }

    /// Removes one queued (not yet transmitting) block with `tag`, e.g. an endgame duplicate; true if found.
    @discardableResult
    public func cancel<E: TransmissionEvent>(tag: Int64, on link: Int, queue: inout EventQueue<E>) -> Bool {
        catchUp(link, queue: &queue)
        guard let i = links[link].queue.firstIndex(where: { $0.count == 1 && $0.tag == tag }) else { return false }
        links[link].queue.remove(at: i)
        if i == 0, links[link].deferred { scheduleNotice(link, queue: &queue) }  // the next block changed
        return true
    }

    /// Stops the link for good (its connection closed): queued blocks are dropped and a block in
    /// transmission is lost. Returns the number of bytes of the block that was cut off (0 if none).
    @discardableResult
    public func close<E: TransmissionEvent>(_ link: Int, queue: inout EventQueue<E>) -> Int {
        catchUp(link, queue: &queue)
        links[link].queue.removeAll()
        invalidateNotice(link)
        guard links[link].currentBytes > 0 else { return 0 }
        let cut = Int(links[link].currentBytes)
        links[link].currentBytes = 0
        deactivate(link, queue: &queue)
        return cut
    }

    /// Drops the blocks queued behind the one in transmission (e.g. when a sender chokes); returns their tags.
    public func dropQueued<E: TransmissionEvent>(on link: Int, queue: inout EventQueue<E>) -> [Int64] {
        catchUp(link, queue: &queue)
        var tags: [Int64] = []
        for run in links[link].queue {
            for k in 0..<Int64(run.count) { tags.append(run.tag + k) }
        }
        links[link].queue.removeAll()
        if links[link].deferred { scheduleNotice(link, queue: &queue) }  // no next block any more
        return tags
    }

    // MARK: - Activation and rates

    func activate<E: TransmissionEvent>(_ l: Int, queue: inout EventQueue<E>) {
        let s = Int(links[l].sender), r = Int(links[l].receiver)
        links[l].outSlot = Int32(outgoing[s].count)
        outgoing[s].append(OutgoingLink(link: Int32(l), receiver: Int32(r), rate: links[l].rate))
        nodes[s].outCount += 1
        if recordsActivity { activityChanged.append(Int32(s)) }
        links[l].inSlot = Int32(incoming[r].count)
        incoming[r].append(IncomingLink(link: Int32(l), sender: Int32(s)))
        recompute(sender: s, receiver: r, queue: &queue)
    }

    func deactivate<E: TransmissionEvent>(_ l: Int, queue: inout EventQueue<E>) {
        let s = Int(links[l].sender), r = Int(links[l].receiver)
        setRate(l, 0, now: queue.now)
        if let moved = swapRemove(&outgoing[s], at: Int(links[l].outSlot)) { links[Int(moved.link)].outSlot = links[l].outSlot }
        if outgoing[s].isEmpty { nodes[s].sending.stop(at: queue.now) }  // no ghost rate left by rounding
        nodes[s].outCount -= 1
        if recordsActivity { activityChanged.append(Int32(s)) }
        if let moved = swapRemove(&incoming[r], at: Int(links[l].inSlot)) { links[Int(moved.link)].inSlot = links[l].inSlot }
        links[l].outSlot = -1
        links[l].inSlot = -1
        links[l].generation &+= 1
        #if P2PSIM_INVARIANTS
        if incoming[r].isEmpty { receivedMeter[r].stop(at: queue.now) }
        #endif
        recompute(sender: s, receiver: r, queue: &queue)
    }

    /// Removes the entry at `index` by moving the last one there; returns the entry moved, if any. (No key
    /// path for the slot to update: one kept this path from being specialized.)
    private func swapRemove<Entry>(_ list: inout [Entry], at index: Int) -> Entry? {
        let last = list.removeLast()
        guard index < list.count else { return nil }
        list[index] = last
        return last
    }

    /// After `sender`'s outgoing set and `receiver`'s incoming set changed: recompute the allowances of
    /// every receiver whose claims changed, then the rates of every sender feeding those receivers.
    ///
    /// A sender whose allowances all stay at or above its equal share (upload / active links) gives every
    /// link exactly that share, so its rates cannot change unless its own link set changed or one of its
    /// allowances falls below the share: only then is it recomputed (`allocateAllowances` marks it). The
    /// others are skipped; the rates are exactly those of recomputing every sender, in the same order.
    func recompute<E: TransmissionEvent>(sender s: Int, receiver r: Int, queue: inout EventQueue<E>) {
        epoch &+= 1
        touchedReceivers.removeAll()
        touchedSenders.removeAll()
        touchReceiver(r)
        for out in outgoing[s] { touchReceiver(Int(out.receiver)) }
        for i in 0..<touchedReceivers.count { Self.prefetchList(of: Int(touchedReceivers[i]), in: incoming) }
        // Then what allocating their allowances reads and writes: every sender's record and every link's
        // allowance, a few dozen lines scattered over the swarm, loaded together rather than one by one.
        // (Not for a sender with thousands of receivers, a server's: its receivers are walked in turn, and
        // loads started that far ahead would be a pass over them all for nothing.)
        if touchedReceivers.count <= 64 {
            for i in 0..<touchedReceivers.count {
                for inc in incoming[Int(touchedReceivers[i])] {
                    nodes.prefetch(Int(inc.sender))
                    allowances.prefetch(Int(inc.link))
                }
            }
        }
        epoch &+= 1
        touchSender(s)
        for i in 0..<touchedReceivers.count {
            let x = Int(touchedReceivers[i])
            allocateAllowances(x)
            for inc in incoming[x] { touchSender(Int(inc.sender)) }
        }
        // The senders to re-rate are scattered over the swarm, and so are their lists: each was a cache miss
        // waited for on its own. Their loads start together here.
        for i in 0..<touchedSenders.count {
            let y = Int(touchedSenders[i])
            if needsRates(y, changed: s) { Self.prefetchList(of: y, in: outgoing) }
        }
        for i in 0..<touchedSenders.count {
            let y = Int(touchedSenders[i])
            guard needsRates(y, changed: s) else { continue }
            for k in 0..<Int(nodes[y].outCount) { allowances.prefetch(Int(outgoing[y][k].link)) }
        }
        for i in 0..<touchedSenders.count {
            let y = Int(touchedSenders[i])
            if needsRates(y, changed: s) { allocateRates(y, queue: &queue) }
        }
        compactIfNeeded(&queue)
    }

    /// Starts loading node `n`'s list among `lists` (its first two cache lines: the array's header and its
    /// first entries), without retaining it: a retain writes the header, and would wait for the very miss
    /// the hint is meant to overlap. A hint only: it reads the list's address as the array stores it.
    @inline(__always)
    static func prefetchList<Entry>(of n: Int, in lists: [[Entry]]) {
        lists.withUnsafeBufferPointer { all in
            guard n >= 0, n < all.count, let base = all.baseAddress else { return }
            let buffer = UnsafeRawPointer(base + n).load(as: UnsafeRawPointer.self)
            p2psim_prefetch(buffer)
            p2psim_prefetch(buffer + 64)
        }
    }

    /// Whether `recompute` re-rates sender `y`: the sender whose links changed (`s`), and those that
    /// `allocateAllowances` marked in this epoch.
    @inline(__always)
    private func needsRates(_ y: Int, changed s: Int) -> Bool { y == s || nodes[y].rateMark == epoch }

    private func touchReceiver(_ x: Int) {
        if nodes[x].mark != epoch {
            nodes[x].mark = epoch
            touchedReceivers.append(Int32(x))
        }
    }

    private func touchSender(_ y: Int) {
        if nodes[y].mark != epoch {
            nodes[y].mark = epoch
            touchedSenders.append(Int32(y))
        }
    }

    /// Step 1: the receiver's download, water-filled over its senders' equal shares, leftover spread evenly.
    func allocateAllowances(_ x: Int) {
        let ins = incoming[x]
        guard !ins.isEmpty else { return }
        resizeScratch(ins.count)
        for (i, inc) in ins.enumerated() {
            let s = Int(inc.sender)
            limits[i] = nodes[s].upload / Double(nodes[s].outCount)
        }
        let download = nodes[x].download
        let given = fillScratch(capacity: download).given
        let extra = max(0, download - given) / Double(ins.count)
        for (i, inc) in ins.enumerated() {
            let allowance = shares[i] + extra
            let y = Int(inc.sender)
            // A sender's rates are the water-filling of its upload over its links' allowances: unless one of
            // them changes (or its own links do: `recompute` re-rates that sender anyway), they stand.
            guard allowance != allowances[Int(inc.link)] else { continue }
            allowances[Int(inc.link)] = allowance
            if allowance < limits[i] || !nodes[y].equalSplit { nodes[y].rateMark = epoch }  // limits[i]: y's equal share
        }
    }

    /// Step 2: the sender's upload, water-filled over its links, each capped by its receiver's allowance.
    func allocateRates<E: TransmissionEvent>(_ y: Int, queue: inout EventQueue<E>) {
        // By index, holding no copy of the list: `setRate` writes the rates in it.
        let n = outgoing[y].count
        guard n > 0 else { return }
        resizeScratch(n)
        for i in 0..<n { limits[i] = allowances[Int(outgoing[y][i].link)] }
        nodes[y].equalSplit = fillScratch(capacity: nodes[y].upload).equalShares
        let now = queue.now
        // The links whose rate changes are rolled forward and rescheduled below, each a cache miss of its
        // own (a link's record is read by nothing else here): their loads start together.
        for i in 0..<n where shares[i] != outgoing[y][i].rate { links.prefetch(Int(outgoing[y][i].link)) }
        for i in 0..<n where shares[i] != outgoing[y][i].rate {
            let l = Int(outgoing[y][i].link)
            catchUp(l, queue: &queue)  // moves no link in or out of the lists
            setRate(l, shares[i], now: now)
            scheduleNotice(l, queue: &queue)
        }
    }

    /// Moves the link's progress up to `now` at its old rate, then switches to `newRate`.
    func setRate(_ l: Int, _ newRate: Double, now: SimTime) {
        let old = links[l].rate
        guard old != newRate else { return }
        links[l].remainingBits = max(0, links[l].remainingBits - old * Double(now - links[l].lastSettle) / 1e9)
        links[l].lastSettle = now
        links[l].rate = newRate
        if links[l].outSlot >= 0 { outgoing[Int(links[l].sender)][Int(links[l].outSlot)].rate = newRate }
        let delta = newRate - old
        let s = Int(links[l].sender), r = Int(links[l].receiver)
        #if P2PSIM_INVARIANTS
        receivedMeter[r].adjust(by: delta, at: now)
        #endif
        nodes[s].sending.adjust(by: delta, at: now)
        groupSentMeter[group[s]].adjust(by: delta, at: now)
        groupReceivedMeter[group[r]].adjust(by: delta, at: now)
    }

    /// Makes the link's pending notice, if any, stale.
    func invalidateNotice(_ l: Int) {
        guard links[l].scheduled else { return }
        links[l].scheduled = false
        links[l].deferred = false
        links[l].generation &+= 1
        staleNotices += 1
    }

    /// Schedules a wake-up for an idle link whose next block becomes ready at `time`.
    func scheduleWake<E: TransmissionEvent>(_ l: Int, at time: SimTime, queue: inout EventQueue<E>) {
        if links[l].scheduled { staleNotices += 1 }
        links[l].generation &+= 1
        links[l].scheduled = true
        links[l].deferred = false
        queue.schedule(.transmissionFinished(link: Int32(l), generation: links[l].generation), at: time)
    }

    /// (Re)schedules the link's transmission notice from its remaining bits (as of `lastSettle`) and rate;
    /// deferred by one latency when the next block is ready by then and takes at least one latency to send
    /// (so no later block can end, and idle the link, before the deferred notice).
    func scheduleNotice<E: TransmissionEvent>(_ l: Int, queue: inout EventQueue<E>) {
        if links[l].scheduled { staleNotices += 1 }
        links[l].generation &+= 1
        let rate = links[l].rate
        guard rate > 0 else {
            links[l].scheduled = false
            links[l].deferred = false
            return
        }
        links[l].scheduled = true
        let finish = links[l].lastSettle + Time.transmission(bits: links[l].remainingBits, rate: rate)
        let latency = links[l].latency
        var deferred = false
        if latency > 0, let next = links[l].queue.first, next.readyAt <= finish {
            deferred = Time.transmission(bits: Double(next.bytes) * 8, rate: rate) >= latency
        }
        links[l].finishAt = finish
        links[l].deferred = deferred
        queue.schedule(.transmissionFinished(link: Int32(l), generation: links[l].generation),
                       at: deferred ? finish + latency : finish)
    }

    /// Drops stale transmission notices once they outnumber live events, so memory stays proportional to
    /// the number of busy links, not to the number of rate changes.
    func compactIfNeeded<E: TransmissionEvent>(_ queue: inout EventQueue<E>) {
        guard staleNotices > 65_536, staleNotices > queue.count / 2 else { return }
        queue.removeAll { event in
            guard let (link, generation) = event.transmission else { return false }
            let l = Int(link)
            return !(links[l].scheduled && links[l].generation == generation)
        }
        staleNotices = 0
    }
}
