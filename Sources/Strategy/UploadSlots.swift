/// How many regular unchoke slots a node uses: `ChokeSettings.uploadSlots`, or more where that many would
/// leave its upload idle.
///
/// Why: a fixed number of slots wastes a fast uploader whose unchoked partners cannot take their share,
/// because their own download is full (a 100 Mbps seed serving five 20 Mbps peers) or because they have
/// nothing to ask it for; the upload accounting shows it as "download capped" or "requests starved" time,
/// and a seed that serves 5 of 7 peers leaves the other two to finish alone, at their download rate, after
/// the rest. Real clients size their slots from their upload rate when they know it, in two ways used here:
/// - A seed has no reciprocation to protect, and takes the mainline client's slots for its rate (BitTorrent
///   4.x, `max_uploads_internal`: 2 below 9 KiB/s, 3 below 15, 4 below 42, then ⌊√(0.6 × KiB/s)⌋; a
///   100 Mbps seed has 85), so it serves a small crowd as a server would, all at once.
/// - Any node opens one more slot at a rechoke while its upload ran below 90 % of capacity during the
///   period and an interested partner waits choked, and closes one it opened while saturated (95 % or
///   more): libtorrent's `auto_upload_slots` (0.15, on by default) and `auto_expand_choker`. A leecher
///   otherwise keeps tit-for-tat's small number (Cohen 2003: 4).
/// A node that does not know its capacity (a client without an upload limit) keeps the configured number.
public struct UploadSlots: Sendable, Equatable {
    /// Regular slots opened so far (the optimistic one is on top).
    public private(set) var opened: Int
    /// Upload capacity, bytes per second; nil when unknown.
    public let capacity: Double?

    /// Below this share of its capacity a node opens another slot, if someone waits for one.
    public static let expandBelow = 0.90
    /// At or above this share it counts as saturated, and closes a slot it opened.
    public static let saturatedAbove = 0.95

    public init(settings: ChokeSettings, capacity: Double?) {
        opened = settings.uploadSlots
        self.capacity = capacity.flatMap { $0 > 0 ? $0 : nil }
    }

    /// The mainline client's slots for an upload rate in bytes per second.
    public static func mainline(capacity bytesPerSecond: Double) -> Int {
        let rate = bytesPerSecond / 1024
        if rate < 9 { return 2 }
        if rate < 15 { return 3 }
        if rate < 42 { return 4 }
        return Int((rate * 0.6).squareRoot())
    }

    /// Regular slots now.
    public func regular(isSeed: Bool, _ settings: ChokeSettings) -> Int {
        guard settings.expandSlots, isSeed, let capacity else { return opened }
        return max(opened, Self.mainline(capacity: capacity))
    }

    /// The most peers unchoked at once: the regular slots and the optimistic one.
    public func limit(isSeed: Bool, _ settings: ChokeSettings) -> Int {
        regular(isSeed: isSeed, settings) + (settings.optimisticUnchoke ? 1 : 0)
    }

    /// At the end of a rechoke period: one slot more, or one fewer (never below the configured number).
    /// - Parameters:
    ///   - sentBytes: what the node uploaded during the period.
    ///   - period: the period's length, nanoseconds.
    ///   - someoneWaits: an interested partner is choked (a new slot would have someone to serve).
    public mutating func periodEnded(sentBytes: Double, period: Int64, someoneWaits: Bool, settings: ChokeSettings) {
        guard settings.expandSlots, let capacity, period > 0 else { return }
        let used = sentBytes / (capacity * Double(period) / 1e9)
        if used < Self.expandBelow, someoneWaits {
            opened += 1
        } else if used >= Self.saturatedAbove, opened > settings.uploadSlots {
            opened -= 1
        }
    }
}
