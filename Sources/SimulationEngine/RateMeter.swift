/// Integrates a piecewise-constant rate over simulated time: the bits moved so far, exactly.
///
/// Why: averages over a timeseries interval must count every bit once, whatever the sampling interval,
/// and must cost nothing between rate changes.
public struct RateMeter: Sendable {
    /// Current rate, bits per second.
    public private(set) var rate: Double = 0
    private var settledBits: Double = 0
    private var since: SimTime = 0

    public init() {}

    /// Bits moved from time 0 up to `now` (now must not precede the last change).
    public func bits(at now: SimTime) -> Double {
        settledBits + rate * Double(now - since) / 1e9
    }

    /// Changes the rate by `delta` from `now` on.
    public mutating func adjust(by delta: Double, at now: SimTime) {
        settle(now)
        rate += delta
        if rate < 1e-6 { rate = 0 }  // never let rounding leave a ghost rate (or a negative one) behind
    }

    /// Sets the rate to exactly zero from `now` on (the owner knows nothing moves any more).
    public mutating func stop(at now: SimTime) {
        settle(now)
        rate = 0
    }

    private mutating func settle(_ now: SimTime) {
        settledBits += rate * Double(now - since) / 1e9
        since = now
    }
}
