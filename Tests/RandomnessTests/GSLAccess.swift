import CGSL
@testable import Randomness

/// The raw 32-bit output of the generator, for comparing with GSL's published test values.
func gslGet(_ rng: GSLRandom) -> UInt { gsl_rng_get(rng.state) }
