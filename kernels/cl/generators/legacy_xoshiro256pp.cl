/* legacy_xoshiro256pp (xoshiro256pp_cpu): xoshiro256++ seeded s = (seed, 0x9E3779B97F4A7C15,
 * 0x6A09E667F3BCC908, 0xBB67AE8584CAA73B), no splitmix64 expansion. */
typedef struct { ulong s0, s1, s2, s3; } legacy_xoshiro256pp_state;

DEVICE void legacy_xoshiro256pp_seed(legacy_xoshiro256pp_state *st, ulong seed) {
    st->s0 = seed;
    st->s1 = 0x9E3779B97F4A7C15UL;
    st->s2 = 0x6A09E667F3BCC908UL;
    st->s3 = 0xBB67AE8584CAA73BUL;
}

DEVICE ulong legacy_xoshiro256pp_next(legacy_xoshiro256pp_state *st) {
    ulong s0 = st->s0, s1 = st->s1, s2 = st->s2, s3 = st->s3;
    ulong sum = s0 + s3;
    ulong result = ((sum << 23) | (sum >> 41)) + s0;
    ulong t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    st->s0 = s0;
    st->s1 = s1;
    st->s2 = s2;
    st->s3 = (s3 << 45) | (s3 >> 19);
    return result;
}
