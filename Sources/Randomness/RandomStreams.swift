/// The independent random streams of one run, one per purpose.
///
/// Why separate streams: two runs that differ in one setting (say, the piece picker) must still get the
/// same peers, capacities and arrival times. Each purpose has its own generator seeded from the scenario
/// seed and the purpose, so drawing more numbers for one purpose never shifts the others.
public struct RandomStreams {
    /// What a stream is used for. The raw value is part of the seed derivation: never renumber.
    public enum Purpose: UInt64, Sendable, CaseIterable {
        case arrivals = 1
        case capacities = 2
        case latency = 3
        case strategy = 4
        case behaviour = 5
        case tracker = 6
    }

    public let seed: UInt64
    public let algorithm: GSLRandom.Algorithm

    public init(seed: UInt64, algorithm: GSLRandom.Algorithm = .mt19937) {
        self.seed = seed
        self.algorithm = algorithm
    }

    /// A fresh generator for `purpose` (and an optional sub-stream index, e.g. one per peer class).
    public func generator(for purpose: Purpose, substream: UInt64 = 0) -> GSLRandom {
        GSLRandom(seed: Self.derive(seed, purpose.rawValue, substream), algorithm: algorithm)
    }

    /// A 64-bit key for counter-based draws (see `Distribution.quantile` and `PairHash`), taken from the
    /// purpose's own GSL stream.
    public func key(for purpose: Purpose, substream: UInt64 = 0) -> UInt64 {
        generator(for: purpose, substream: substream).next()
    }

    /// SplitMix64 finalizer over the three inputs: distinct (seed, purpose, substream) give unrelated seeds.
    static func derive(_ seed: UInt64, _ purpose: UInt64, _ substream: UInt64) -> UInt64 {
        var x = PairHash.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* purpose)
        x = PairHash.mix(x ^ (substream &* 0xD1B5_4A32_D192_ED03))
        return x
    }
}

/// A counter-based uniform draw for an unordered pair of ids: the same pair always gets the same number,
/// whatever order the simulation meets it in. Used for pair latencies, so that a peer's latency to
/// another does not depend on which strategy made them meet first.
public enum PairHash {
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in (0, 1) for the unordered pair {a, b} under `key`.
    public static func uniform(key: UInt64, _ a: Int, _ b: Int) -> Double {
        let (lo, hi) = a <= b ? (UInt64(a), UInt64(b)) : (UInt64(b), UInt64(a))
        let bits = mix(mix(key ^ lo) &+ hi &* 0xD6E8_FEB8_6659_FD93)
        // 53 random bits, shifted into (0, 1).
        return (Double(bits >> 11) + 0.5) * 0x1.0p-53
    }
}
