/* xoroshiro128+ 1.0 (a, b, c = 24, 16, 37), output s[0] + s[1].
 * Seeding: s[0], s[1] = the first two outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). */
typedef struct { ulong s0, s1; } xoroshiro128plus_state;

DEVICE ulong xoroshiro128plus_rotl(ulong x, int k) {
    return (x << k) | (x >> (64 - k));
}

DEVICE ulong xoroshiro128plus_mix(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

DEVICE void xoroshiro128plus_seed(xoroshiro128plus_state *st, ulong seed) {
    st->s0 = xoroshiro128plus_mix(seed + 0x9E3779B97F4A7C15UL);
    st->s1 = xoroshiro128plus_mix(seed + 2UL * 0x9E3779B97F4A7C15UL);
}

DEVICE ulong xoroshiro128plus_next(xoroshiro128plus_state *st) {
    ulong s0 = st->s0, s1 = st->s1;
    ulong result = s0 + s1;
    s1 ^= s0;
    st->s0 = xoroshiro128plus_rotl(s0, 24) ^ s1 ^ (s1 << 16);
    st->s1 = xoroshiro128plus_rotl(s1, 37);
    return result;
}
