/* Lemire's lehmer64 (testingRNG): 128-bit state (hi, lo) multiplied by 0xda942042e4dd58b5, output
 * the high word after the multiply; lehmer64_seed(seed): hi = splitmix64 mix of seed + gamma,
 * lo = mix of seed + 2 gamma. */
typedef struct { ulong hi, lo; } lehmer64_state;

DEVICE ulong lehmer64_mix(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

DEVICE void lehmer64_seed(lehmer64_state *st, ulong seed) {
    st->hi = lehmer64_mix(seed + 0x9E3779B97F4A7C15UL);
    st->lo = lehmer64_mix(seed + 0x3C6EF372FE94F82AUL);
}

DEVICE ulong lehmer64_next(lehmer64_state *st) {
    ulong lo = st->lo;
    st->hi = MUL_HI64(lo, 0xDA942042E4DD58B5UL) + st->hi * 0xDA942042E4DD58B5UL;
    st->lo = lo * 0xDA942042E4DD58B5UL;
    return st->hi;
}
