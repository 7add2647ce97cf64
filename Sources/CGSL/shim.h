// The GNU Scientific Library, as Swift sees it.
// GSL's generator types (gsl_rng_mt19937, ...) are mutable C globals, which Swift 6 refuses to read;
// these accessors return them as constants.
#ifndef P2PSIM_CGSL_SHIM_H
#define P2PSIM_CGSL_SHIM_H
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

static inline const gsl_rng_type *p2psim_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *p2psim_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }
static inline const gsl_rng_type *p2psim_rng_taus2(void) { return gsl_rng_taus2; }
/// GSL aborts on errors by default; p2psim checks its inputs itself and wants no abort.
static inline void p2psim_gsl_quiet(void) { gsl_set_error_handler_off(); }
#endif
