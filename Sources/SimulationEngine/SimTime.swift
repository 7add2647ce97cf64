// SimulationEngine: the simulated clock, the event queue, the flow-level network model and rate meters.
// Knows nothing of scenarios, peers, BitTorrent or files on disk, and never reads the wall clock.

/// Simulated time in integer nanoseconds since the start of the run.
///
/// Why integers: event order must not depend on floating-point rounding, and the same run must give the
/// same bytes on every machine. 2^63 ns is 292 years, far past any `stop_at`.
public typealias SimTime = Int64

public enum Time {
    public static let nanosecondsPerSecond: Int64 = 1_000_000_000

    @inline(__always)
    public static func seconds(_ t: SimTime) -> Double { Double(t) / 1e9 }

    /// The time needed to move `bits` at `rate` bits per second, rounded up to the next nanosecond so
    /// that no transfer ever goes faster than its rate.
    @inline(__always)
    public static func transmission(bits: Double, rate: Double) -> SimTime {
        guard bits > 0 else { return 0 }
        return SimTime((bits / rate * 1e9).rounded(.up))
    }
}
