/* Vigna's xorshift128+ (shifts 23, 18, 5; the current version, returning s0 + s1 before the
 * step), s0, s1 = the first two outputs of splitmix64 started at the seed. */
typedef struct { ulong s0, s1; } xorshift128plus_state;

DEVICE ulong xorshift128plus_mix(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

DEVICE void xorshift128plus_seed(xorshift128plus_state *st, ulong seed) {
    st->s0 = xorshift128plus_mix(seed + 0x9E3779B97F4A7C15UL);
    st->s1 = xorshift128plus_mix(seed + 2UL * 0x9E3779B97F4A7C15UL);
}

DEVICE ulong xorshift128plus_next(xorshift128plus_state *st) {
    ulong a = st->s0, b = st->s1;
    ulong result = a + b;
    a ^= a << 23;
    st->s0 = b;
    st->s1 = a ^ b ^ (a >> 18) ^ (b >> 5);
    return result;
}
