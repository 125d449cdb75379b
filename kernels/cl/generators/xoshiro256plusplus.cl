/* xoshiro256++ 1.0 (shift 17, rotation 45), output rotl(s[0] + s[3], 23) + s[0].
 * Seeding: s[0..3] = the first four outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). */
typedef struct { ulong s0, s1, s2, s3; } xoshiro256plusplus_state;

DEVICE ulong xoshiro256plusplus_rotl(ulong x, int k) {
    return (x << k) | (x >> (64 - k));
}

DEVICE ulong xoshiro256plusplus_mix(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

DEVICE void xoshiro256plusplus_seed(xoshiro256plusplus_state *st, ulong seed) {
    st->s0 = xoshiro256plusplus_mix(seed + 0x9E3779B97F4A7C15UL);
    st->s1 = xoshiro256plusplus_mix(seed + 2UL * 0x9E3779B97F4A7C15UL);
    st->s2 = xoshiro256plusplus_mix(seed + 3UL * 0x9E3779B97F4A7C15UL);
    st->s3 = xoshiro256plusplus_mix(seed + 4UL * 0x9E3779B97F4A7C15UL);
}

DEVICE ulong xoshiro256plusplus_next(xoshiro256plusplus_state *st) {
    ulong s0 = st->s0, s1 = st->s1, s2 = st->s2, s3 = st->s3;
    ulong result = xoshiro256plusplus_rotl(s0 + s3, 23) + s0;
    ulong t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    st->s0 = s0; st->s1 = s1; st->s2 = s2; st->s3 = xoshiro256plusplus_rotl(s3, 45);
    return result;
}
