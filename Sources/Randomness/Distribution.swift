import CGSL
import Foundation

/// A distribution of a non-negative quantity (a rate, a size, a duration), in the quantity's base unit.
///
/// Scenario files allow a distribution wherever a value is expected; a constant is the common case.
/// Parameters follow the usual textbook names: lognormal takes the median (e^mu) and sigma, pareto
/// the scale (the minimum value) and the shape (alpha).
public enum Distribution: Equatable, Sendable {
    case constant(Double)
    case uniform(min: Double, max: Double)
    case exponential(mean: Double)
    case normal(mean: Double, sd: Double)
    case lognormal(median: Double, sigma: Double)
    case pareto(scale: Double, shape: Double)
    /// Values with relative weights (weights need not sum to 1).
    case empirical(values: [Double], weights: [Double])

    /// A draw from `rng`. Draws that come out negative (normal only) are redrawn, up to 1,000 times,
    /// and then clamped to 0: a quantity here is never negative.
    public func sample(using rng: GSLRandom) -> Double {
        for _ in 0..<1000 {
            let value = rawSample(rng)
            if value >= 0 { return value }
        }
        return 0
    }

    func rawSample(_ rng: GSLRandom) -> Double {
        switch self {
        case .constant(let v): return v
        case .uniform(let lo, let hi): return lo + (hi - lo) * rng.uniform()
        case .exponential(let mean): return rng.exponential(mean: mean)
        case .normal(let mean, let sd): return mean + rng.gaussian(sd: sd)
        case .lognormal(let median, let sigma): return rng.lognormal(zeta: log(median), sigma: sigma)
        case .pareto(let scale, let shape): return rng.pareto(shape: shape, scale: scale)
        case .empirical: return quantile(rng.uniformPositive())
        }
    }

    /// The value below which a fraction `p` (in (0, 1)) of draws fall: inverse-transform sampling for
    /// counter-based draws (`PairHash`). Normal quantiles below zero are clamped to 0.
    public func quantile(_ p: Double) -> Double {
        switch self {
        case .constant(let v): return v
        case .uniform(let lo, let hi): return lo + (hi - lo) * p
        case .exponential(let mean): return gsl_cdf_exponential_Pinv(p, mean)
        case .normal(let mean, let sd): return max(0, mean + gsl_cdf_gaussian_Pinv(p, sd))
        case .lognormal(let median, let sigma): return gsl_cdf_lognormal_Pinv(p, log(median), sigma)
        case .pareto(let scale, let shape): return gsl_cdf_pareto_Pinv(p, shape, scale)
        case .empirical(let values, let weights):
            let total = weights.reduce(0, +)
            var cumulative = 0.0
            for (value, weight) in zip(values, weights) {
                cumulative += weight
                if p * total < cumulative { return value }
            }
            return values[values.count - 1]
        }
    }

    /// The distribution's mean (for the bounds and for documentation); nil where it is infinite.
    public var mean: Double? {
        switch self {
        case .constant(let v): return v
        case .uniform(let lo, let hi): return (lo + hi) / 2
        case .exponential(let mean): return mean
        case .normal(let mean, _): return mean
        case .lognormal(let median, let sigma): return median * exp(sigma * sigma / 2)
        case .pareto(let scale, let shape): return shape > 1 ? shape * scale / (shape - 1) : nil
        case .empirical(let values, let weights):
            let total = weights.reduce(0, +)
            return zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
        }
    }
}
