/* legacy_xorshift32 (prng_cluster_public xorshift32_cpu): Marsaglia xorshift32 (13, 17, 5),
 * state = seed & 0xFFFFFFFF, raw = the state after each step (seed 0 gives zeros forever). */
typedef struct { uint s; } legacy_xorshift32_state;

DEVICE void legacy_xorshift32_seed(legacy_xorshift32_state *st, ulong seed) {
    st->s = (uint)(seed & 0xFFFFFFFFUL);
}

DEVICE ulong legacy_xorshift32_next(legacy_xorshift32_state *st) {
    uint x = st->s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    st->s = x;
    return x;
}
