/// The bytes one connection moved in one direction over the chokers' rolling window: the rechoke period
/// now running and the one before it (20 s with the default 10-s rechoke; Cohen 2003: "a rolling 20-second
/// average"). The simulator's peers and p2pclient keep one per connection and direction, roll it at every
/// periodic rechoke, and read both rates from it, so both rank partners and size pipelines alike.
public struct TransferWindow: Sendable, Equatable {
    /// Bytes in the period now running.
    public private(set) var current: Int64
    /// Bytes in the period before it.
    public private(set) var previous: Int64

    public init(current: Int64 = 0, previous: Int64 = 0) {
        self.current = current
        self.previous = previous
    }

    /// Bytes in the whole window.
    public var bytes: Int64 { current + previous }

    /// Counts `n` bytes; a transfer found late (it ended before the last rechoke) counts in the period it
    /// ended in.
    public mutating func add(_ n: Int64, inPreviousPeriod: Bool = false) {
        if inPreviousPeriod { previous += n } else { current += n }
    }

    /// At a periodic rechoke, after the chokers have read the window: the period that ended becomes the
    /// previous one.
    public mutating func roll() {
        previous = current
        current = 0
    }

    /// The rate the chokers rank by, bytes per second: the window's bytes over its full length, also for a
    /// connection younger than that (a newcomer is not ranked up for being new).
    public func chokerRate(rechokeInterval: Int64) -> Double {
        Double(bytes) / (Double(2 * rechokeInterval) / 1e9)
    }

    /// The rate the connection delivers at, bytes per second, for sizing its request pipeline: the window's
    /// bytes over the time the window has covered the connection (since `windowStart`, the start of the
    /// previous period, or since the connection was made, whichever is later; at least a millisecond, as a
    /// rate over less is noise).
    public func deliveredRate(now: Int64, windowStart: Int64, connectedAt: Int64) -> Double {
        Double(bytes) / (Double(max(1_000_000, now - max(windowStart, connectedAt))) / 1e9)
    }
}
