/* legacy_mt19937 (mt19937_cpu_simple): MT19937 seeded with init_genrand(seed & 0xFFFFFFFF),
 * i.e. I[0] = seed, I[i] = 1812433253 (I[i-1] ^ (I[i-1] >> 30)) + i for i < 624, then twisted
 * in place before the first output; raw = the tempered word.
 *
 * Hot path (outputs k < 227, where the twist reads only initial words): twisted word
 * k = I[k + 397] ^ twist(I[k], I[k + 1]). Two walkers run the init recurrence without a table:
 * one at I[k + 1], one at I[k + 397], one step each per output; seeding walks the 397 steps to
 * I[397] that output 0 needs. Nothing is stored, no array is touched.
 *
 * From output 227 on (twisted word 227 reads twisted word 0) the 624-word table is needed. It
 * is not kept in the state: pocl gives every work item of a work group its own copy of the
 * private state on one thread's stack, and 2.5 KB per item overflows it. Instead a separate,
 * never-inlined function rebuilds the table in its own frame (init_genrand, then twisting word
 * by word in the reference's order, block after block) and leaves the next CACHE tempered
 * outputs in the state: exact for any stream length (below 2**32 outputs), at 624 + k + CACHE
 * steps per refill of CACHE outputs. */
#include "_mt19937.h"

#define legacy_mt19937_FAST 227u  /* N - M */
#define legacy_mt19937_CACHE 128

typedef struct {
    uint lo, hi;      /* hot path: I[k] and I[k + 397] before output k (k = taken) */
    uint seed;
    uint taken;       /* outputs taken */
    uint cache_start; /* past the hot path: outputs cache_start .. cache_start + CACHE - 1 */
    uint cache[legacy_mt19937_CACHE];
} legacy_mt19937_state;

/* the fill returns its outputs by value: a pointer into the state would pin the whole state in
 * memory (no registers for the hot path) */
typedef struct { uint w[legacy_mt19937_CACHE]; } legacy_mt19937_block;

/* outputs start .. start + CACHE - 1 of seed, from scratch */
mt_NOINLINE legacy_mt19937_block legacy_mt19937_fill(uint seed, uint start) {
    legacy_mt19937_block out;
    uint mt[624];
    mt_init_genrand(mt, seed);
    mt_twist_outputs(mt, start, out.w, legacy_mt19937_CACHE);
    return out;
}

DEVICE void legacy_mt19937_seed(legacy_mt19937_state *st, ulong seed) {
    uint x = (uint)(seed & 0xFFFFFFFFUL);
    st->seed = x;
    st->lo = x;  /* I[0]; becomes I[1] on the first output */
    for (uint i = 1; i <= mt_M; i++) x = mt_init_step(x, i);
    st->hi = x;  /* I[397] */
    st->taken = 0u;
}

DEVICE ulong legacy_mt19937_next(legacy_mt19937_state *st) {
    uint k = st->taken;
    st->taken = k + 1u;
    if (k < legacy_mt19937_FAST) {
        uint a = st->lo;                                      /* I[k] */
        uint b = mt_init_step(a, k + 1u);                     /* I[k + 1] */
        uint far = st->hi;                                    /* I[k + 397] */
        st->lo = b;
        if (k + 1u < legacy_mt19937_FAST)  /* I[k + 398] for the next output */
            st->hi = mt_init_step(far, k + 1u + mt_M);
        return mt_temper(mt_tw(a, b, far));
    }
    if (k == legacy_mt19937_FAST || k - st->cache_start >= legacy_mt19937_CACHE) {
        legacy_mt19937_block out = legacy_mt19937_fill(st->seed, k);
        for (uint j = 0; j < legacy_mt19937_CACHE; j++) st->cache[j] = out.w[j];
        st->cache_start = k;
    }
    return st->cache[k - st->cache_start];
}
