/* The xoshiro256 1.0 state and its transition (shift 17, rotation 45), shared by the ports that
 * scramble its output (xoshiro256+, ++, ** and legacy_xoshiro256pp); each port computes its
 * output from the state, then calls xoshiro256_step. */
#include "_bits64.h"

typedef struct { ulong s0, s1, s2, s3; } xoshiro256_state;

/* s[0..3] = the first four outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64) */
DEVICE void xoshiro256_seed_splitmix(xoshiro256_state *st, ulong seed) {
    st->s0 = splitmix64_output(seed, 1UL);
    st->s1 = splitmix64_output(seed, 2UL);
    st->s2 = splitmix64_output(seed, 3UL);
    st->s3 = splitmix64_output(seed, 4UL);
}

DEVICE void xoshiro256_step(xoshiro256_state *st) {
    ulong s0 = st->s0, s1 = st->s1, s2 = st->s2, s3 = st->s3;
    ulong t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    st->s0 = s0; st->s1 = s1; st->s2 = s2; st->s3 = rotl64(s3, 45);
}

/* xoshiro256**'s output, read from the state before the step (xoshiro256** and Lua 5.4's
 * math.random, which seeds it its own way) */
DEVICE ulong xoshiro256_starstar_output(const xoshiro256_state *st) {
    return rotl64(st->s1 * 5UL, 7) * 9UL;
}
