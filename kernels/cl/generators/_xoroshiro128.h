/* The xoroshiro128 1.0 state and its transition (a, b, c = 24, 16, 37), shared by xoroshiro128+
 * and xoroshiro128**; each port computes its output from the state, then calls
 * xoroshiro128_step. */
#include "_bits64.h"

typedef struct { ulong s0, s1; } xoroshiro128_state;

/* s[0], s[1] = the first two outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64) */
DEVICE void xoroshiro128_seed_splitmix(xoroshiro128_state *st, ulong seed) {
    st->s0 = splitmix64_output(seed, 1UL);
    st->s1 = splitmix64_output(seed, 2UL);
}

DEVICE void xoroshiro128_step(xoroshiro128_state *st) {
    ulong s0 = st->s0, s1 = st->s1 ^ st->s0;
    st->s0 = rotl64(s0, 24) ^ s1 ^ (s1 << 16);
    st->s1 = rotl64(s1, 37);
}
