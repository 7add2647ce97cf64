import SimulationEngine

/// Why some of a node's upload capacity went unused at a moment. One reason holds at a time; where
/// several would, the order of `UploadLedger.classify` (the precedence, docs/model.md) decides.
public enum IdleReason: Int, CaseIterable, Sendable {
    /// No established connection (arriving, or every partner gone).
    case noConnection
    /// Connected, but no partner lacks a piece the node has (a newcomer with nothing yet, or partners
    /// that hold everything it holds).
    case noPartnerInterested
    /// Partners are interested, and the node never unchokes anyone: a free-rider's choice.
    case freeRiding
    /// Interested partners wait choked while an upload slot is free (until the next rechoke, or for good
    /// while the only interested partners are ones the choker passes over).
    case slotsUnused
    /// A partner is unchoked and interested, but its link carries nothing: its requests are on their way
    /// (latency) or its pipeline is empty (pipeline depth too small for the connection's rate).
    case requestsStarved
    /// Every link carrying data runs at what its receiver allows (the receivers' download capacity, shared
    /// with their other senders); no other partner could take more.
    case downloadCapped

    /// The name in summary.json and timeseries.csv.
    public var key: String {
        switch self {
        case .noConnection: return "no_connection"
        case .noPartnerInterested: return "no_partner_interested"
        case .freeRiding: return "free_riding"
        case .slotsUnused: return "slots_unused"
        case .requestsStarved: return "requests_starved"
        case .downloadCapped: return "download_capped"
        }
    }
}

/// Capacity × time split into sent and idle bits, in bit·nanoseconds: exact integers, so the parts of any
/// set of nodes add up to their capacity × time present to the bit.
public struct UploadShares: Sendable, Equatable {
    /// Upload capacity (bits per second, whole) × nanoseconds present.
    public var capacity: Int128 = 0
    /// The node's sending rate integrated over its presence (blocks later cut off included).
    public var sent: Int128 = 0
    /// Indexed by `IdleReason.rawValue`.
    public var idle = [Int128](repeating: 0, count: IdleReason.allCases.count)

    public init() {}

    public subscript(reason: IdleReason) -> Int128 { idle[reason.rawValue] }

    public static func += (a: inout UploadShares, b: UploadShares) {
        a.capacity += b.capacity
        a.sent += b.sent
        for i in a.idle.indices { a.idle[i] += b.idle[i] }
    }
}

/// Keeps every node's upload account: between two changes of a node's state, its capacity × elapsed time
/// goes to `sent` (what its links carried, from the network's meter) and the rest to the one idle reason
/// that held. Exact, not sampled: the reason is re-read whenever one of its inputs changes.
///
/// The simulator keeps three counts per node (established connections, partners interested in the node,
/// and those of them it unchokes) and says which nodes changed (`mark`); the network says whose active
/// links changed. After each event every marked node is re-read (`refreshMarked`); an account whose
/// reason changed is closed up to now and carries on under the new one.
struct UploadLedger {
    struct Account {
        /// Whole bits per second: the capacity in the integer accounts.
        var capacity: Int64 = 0
        var since: SimTime = 0
        /// The network's meter for the node as of `since` (what the account has taken as sent so far).
        var sentSoFar: Int128 = 0
        var established: Int32 = 0
        /// Partners interested in this node.
        var interested: Int32 = 0
        /// Interested partners this node unchokes.
        var unchokedInterested: Int32 = 0
        var reason: UInt8 = 0
        var open = false
        var freeRider = false
    }

    let accounts = AlignedTable<Account>()
    private(set) var shares: [UploadShares] = []
    /// The sum over every node, kept as accounts close (the time series reads it).
    private(set) var total = UploadShares()
    private var marked: [Int32] = []

    init(nodes: Int, freeRider: (Int) -> Bool) {
        accounts.reserveCapacity(nodes)
        for n in 0..<nodes { accounts.append(Account(freeRider: freeRider(n))) }
        shares = Array(repeating: UploadShares(), count: nodes)
    }

    /// The node arrived: its account runs from now.
    mutating func open(_ n: Int, capacity: Double, at now: SimTime, network: FlowNetwork) {
        accounts[n].capacity = Int64(capacity.rounded())
        accounts[n].since = now
        accounts[n].sentSoFar = Self.bitNanoseconds(network.sentBits(of: n, at: now))
        accounts[n].open = true
        accounts[n].reason = UInt8(classify(n, network: network).rawValue)
    }

    /// The node left (or the run ended): its account closes at `now`.
    mutating func close(_ n: Int, at now: SimTime, network: FlowNetwork) {
        guard accounts[n].open else { return }
        settle(n, at: now, network: network)
        accounts[n].open = false
    }

    /// One of node `n`'s counts, or its slots, changed: its reason is re-read after the event.
    @inline(__always)
    mutating func mark(_ n: Int) { marked.append(Int32(n)) }

    /// Re-reads every node marked during the event, and every sender whose links started or stopped.
    mutating func refreshMarked(at now: SimTime, network: FlowNetwork, slotsFree: (Int) -> Bool) {
        network.takeActivityChanges { refresh($0, at: now, network: network, slotsFree: slotsFree) }
        guard !marked.isEmpty else { return }
        for n in marked { refresh(Int(n), at: now, network: network, slotsFree: slotsFree) }
        marked.removeAll(keepingCapacity: true)
    }

    /// Brings every open account up to `now` (before the time series or the results read the totals).
    mutating func settleAll(at now: SimTime, network: FlowNetwork) {
        for n in 0..<accounts.count where accounts[n].open { settle(n, at: now, network: network) }
    }

    private mutating func refresh(_ n: Int, at now: SimTime, network: FlowNetwork, slotsFree: (Int) -> Bool) {
        guard accounts[n].open else { return }
        let reason = UInt8(classify(n, network: network, slotsFree: slotsFree(n)).rawValue)
        guard reason != accounts[n].reason else { return }
        settle(n, at: now, network: network)
        accounts[n].reason = reason
    }

    /// The precedence: with data flowing, idle capacity is starved requests, else unused slots, else the
    /// receivers' limits; with none flowing, the first of: an unchoked partner's requests on their way, no
    /// connection, nobody interested, a free-rider's refusal, interested partners left choked.
    func classify(_ n: Int, network: FlowNetwork, slotsFree: Bool = true) -> IdleReason {
        let a = accounts[n]
        let active = network.activeLinks(of: n)
        if active > 0 {
            if Int(a.unchokedInterested) > active { return .requestsStarved }
            if a.interested > a.unchokedInterested, !a.freeRider, slotsFree { return .slotsUnused }
            return .downloadCapped
        }
        if a.unchokedInterested > 0 { return .requestsStarved }
        if a.established == 0 { return .noConnection }
        if a.interested == 0 { return .noPartnerInterested }
        if a.freeRider { return .freeRiding }
        return .slotsUnused
    }

    /// Closes the interval since the account's last change: capacity × time, split into what the node's
    /// links carried and the idle reason that held.
    private mutating func settle(_ n: Int, at now: SimTime, network: FlowNetwork) {
        let elapsed = Int128(now - accounts[n].since)
        guard elapsed > 0 else { return }
        let capacity = Int128(accounts[n].capacity) * elapsed
        let metered = Self.bitNanoseconds(network.sentBits(of: n, at: now))
        // The meter is a float sum and the capacity is rounded to whole bits per second: keep the sent
        // share within what the interval could hold, so that no share is ever negative.
        let sent = min(max(0, metered - accounts[n].sentSoFar), capacity)
        let idle = capacity - sent
        let reason = Int(accounts[n].reason)
        shares[n].capacity += capacity
        shares[n].sent += sent
        shares[n].idle[reason] += idle
        total.capacity += capacity
        total.sent += sent
        total.idle[reason] += idle
        accounts[n].sentSoFar += sent
        accounts[n].since = now
    }

    static func bitNanoseconds(_ bits: Double) -> Int128 { Int128((bits * 1e9).rounded()) }
}

extension RunResult {
    /// What is wrong with the run's upload accounts (empty: nothing): every node's parts add up to its
    /// capacity × time present, that capacity is its upload × the time between its arrival and departure
    /// (or the run's end), and the bits its links carried match the bytes it sent, up to blocks cut off by
    /// closed connections and those still on the wire at the end. Debug builds check every run; the
    /// tests call it too.
    public func uploadAccountingViolations(bytesCut: Int64, linkCount: Int) -> [String] {
        guard !uploadShares.isEmpty else { return [] }
        var problems: [String] = []
        var sentTotal: Int128 = 0, uploadedTotal: Int128 = 0
        for (n, shares) in uploadShares.enumerated() {
            let parts = shares.sent + shares.idle.reduce(0, +)
            if parts != shares.capacity { problems.append("node \(n): parts \(parts) != capacity \(shares.capacity)") }
            let (upload, from, until): (Double, SimTime, SimTime) = n == 0
                ? (population.server.upload, 0, min(endTime, scenario.server.leaveAt ?? endTime))
                : (population.peers[n - 1].upload, population.peers[n - 1].arrival,
                   min(endTime, departure[n - 1] ?? endTime))
            let present = from < endTime ? Int128(max(0, until - from)) : 0
            let capacity = Int128(upload.rounded()) * present
            if capacity != shares.capacity { problems.append("node \(n): capacity \(shares.capacity) != upload × presence \(capacity)") }
            sentTotal += shares.sent
            uploadedTotal += Int128(n == 0 ? serverUploadedBytes : uploadedBytes[n - 1])
        }
        let low = uploadedTotal * 8_000_000_000
        let high = (uploadedTotal + Int128(bytesCut) + Int128(linkCount) * Int128(scenario.file.blockSize)) * 8_000_000_000
        // The meters are float sums: a relative slack of 1e-9.
        if sentTotal < low - low / 1_000_000_000 - 1_000_000_000 || sentTotal > high + high / 1_000_000_000 + 1_000_000_000 {
            problems.append("sent \(sentTotal) bit·ns outside what the bytes allow: \(low)...\(high)")
        }
        return problems
    }
}
