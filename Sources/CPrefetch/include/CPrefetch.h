// Cache prefetch hints for the simulator's hot path. A hint never faults and changes no result: it only
// starts loading a cache line that will be read soon, so the wait overlaps with other work.
#ifndef P2PSIM_CPREFETCH_H
#define P2PSIM_CPREFETCH_H

static inline void p2psim_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
