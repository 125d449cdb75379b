/* legacy_xoshiro256pp (xoshiro256pp_cpu): xoshiro256++ seeded s = (seed, 0x9E3779B97F4A7C15,
 * 0x6A09E667F3BCC908, 0xBB67AE8584CAA73B), no splitmix64 expansion. State and step:
 * _xoshiro256.h. */
#include "_xoshiro256.h"

#define legacy_xoshiro256pp_state xoshiro256_state

DEVICE void legacy_xoshiro256pp_seed(xoshiro256_state *st, ulong seed) {
    st->s0 = seed;
    st->s1 = 0x9E3779B97F4A7C15UL;
    st->s2 = 0x6A09E667F3BCC908UL;
    st->s3 = 0xBB67AE8584CAA73BUL;
}

DEVICE ulong legacy_xoshiro256pp_next(xoshiro256_state *st) {
    ulong result = rotl64(st->s0 + st->s3, 23) + st->s0;
    xoshiro256_step(st);
    return result;
}
