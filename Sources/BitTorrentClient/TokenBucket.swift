/// A rate limit: tokens (bytes) accrue at `rate` per second up to `burst`; sending or reading n bytes takes
/// n tokens. The balance may go negative (a read cannot be un-read), and the caller waits until it is back
/// at zero. Time is passed in (nanoseconds on any monotonic clock), so the bucket is tested without one.
///
/// `--upload-limit` and `--download-limit` put one bucket in front of all of a client's connections, which
/// is how several clients on one machine emulate peers of different capacities.
public struct TokenBucket: Sendable, Equatable {
    /// Bytes per second.
    public let rate: Double
    /// Most tokens that can be saved up while idle: how large a burst may be.
    public let burst: Double
    public private(set) var tokens: Double
    var last: Int64

    /// A bucket that starts full. The default burst is a fifth of a second at `rate`, at least 32 KiB, so
    /// a 16 KiB block always fits and the rate holds over any interval much longer than 0.2 s.
    public init(rate: Double, burst: Double? = nil, now: Int64) {
        precondition(rate > 0)
        self.rate = rate
        self.burst = burst ?? max(rate / 5, 32_768)
        tokens = self.burst
        last = now
    }

    mutating func refill(_ now: Int64) {
        guard now > last else { return }
        tokens = min(burst, tokens + rate * Double(now - last) / 1e9)
        last = now
    }

    /// Nanoseconds until `bytes` tokens are available (0: now).
    public mutating func delay(for bytes: Int, now: Int64) -> Int64 {
        refill(now)
        let missing = min(Double(bytes), burst) - tokens
        return missing <= 0 ? 0 : Int64((missing / rate * 1e9).rounded(.up))
    }

    /// Takes `bytes` tokens, going into debt if need be; returns the nanoseconds until the balance is back
    /// to zero (0 if it never went below).
    @discardableResult
    public mutating func take(_ bytes: Int, now: Int64) -> Int64 {
        refill(now)
        tokens -= Double(bytes)
        return tokens >= 0 ? 0 : Int64((-tokens / rate * 1e9).rounded(.up))
    }
}
