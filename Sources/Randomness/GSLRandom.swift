// Randomness: seeded GSL generators, independent streams per purpose, and value distributions.
// Owns every source of randomness in p2psim. Knows nothing of scenarios, peers or the engine.
import CGSL

/// A seeded GSL random number generator (mt19937 unless told otherwise).
///
/// Why a class: GSL keeps the generator state on the C heap; one owner frees it. A generator is used by
/// one purpose only (see `RandomStreams`), so sharing it between threads never arises.
/// It conforms to `RandomNumberGenerator`, so the pure `Strategy` module can take it as
/// `inout some RandomNumberGenerator` without knowing GSL.
public final class GSLRandom: RandomNumberGenerator {
    /// The GSL algorithms p2psim offers.
    public enum Algorithm: String, Sendable, CaseIterable {
        case mt19937, ranlxd2, taus2
    }

    let state: UnsafeMutablePointer<gsl_rng>
    public let algorithm: Algorithm
    public let seed: UInt64

    public init(seed: UInt64, algorithm: Algorithm = .mt19937) {
        p2psim_gsl_quiet()
        let type: UnsafePointer<gsl_rng_type>
        switch algorithm {
        case .mt19937: type = p2psim_rng_mt19937()
        case .ranlxd2: type = p2psim_rng_ranlxd2()
        case .taus2: type = p2psim_rng_taus2()
        }
        guard let rng = gsl_rng_alloc(type) else { fatalError("GSL could not allocate a generator") }
        state = rng
        self.algorithm = algorithm
        self.seed = seed
        // GSL seeds with an unsigned long (64 bits on Linux); mt19937 uses the low 32 bits, so fold the high ones in.
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed ^ (seed >> 32)))
    }

    deinit { gsl_rng_free(state) }

    /// A uniform double in [0, 1).
    @inline(__always)
    public func uniform() -> Double { gsl_rng_uniform(state) }

    /// A uniform double in (0, 1): safe for logarithms and quantile functions.
    @inline(__always)
    public func uniformPositive() -> Double { gsl_rng_uniform_pos(state) }

    /// A uniform integer in 0..<n, n > 0, without modulo bias.
    public func integer(below n: Int) -> Int {
        precondition(n > 0, "integer(below:) needs a positive bound")
        if n <= Int(UInt32.max) { return Int(gsl_rng_uniform_int(state, UInt(n))) }
        return Int(next() % UInt64(n))  // never used for realistic sizes
    }

    /// 64 random bits from two 32-bit outputs of the generator.
    public func next() -> UInt64 {
        let high = UInt64(gsl_rng_get(state)) & 0xFFFF_FFFF
        let low = UInt64(gsl_rng_get(state)) & 0xFFFF_FFFF
        return high << 32 | low
    }

    /// A standard-normal draw (GSL's ziggurat).
    public func gaussian(sd: Double) -> Double { gsl_ran_gaussian_ziggurat(state, sd) }
    public func exponential(mean: Double) -> Double { gsl_ran_exponential(state, mean) }
    public func lognormal(zeta: Double, sigma: Double) -> Double { gsl_ran_lognormal(state, zeta, sigma) }
    public func pareto(shape: Double, scale: Double) -> Double { gsl_ran_pareto(state, shape, scale) }
}
