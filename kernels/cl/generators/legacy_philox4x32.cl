/* legacy_philox4x32 (philox4x32_cpu): Random123 Philox4x32-10, raw output i = word 0 of the block
 * for counter (i, 0, 0, 0), key (seed & 0xFFFFFFFF, seed >> 32); the other words are discarded.
 * The reference does not mask the counter: the first round's product uses every bit of i (a
 * 64-bit counter here; bits 32..63 of i * M0 are those of the wrapped 64-bit product). */
typedef struct { ulong key; ulong counter; } legacy_philox4x32_state;

DEVICE void legacy_philox4x32_seed(legacy_philox4x32_state *st, ulong seed) {
    st->key = seed;
    st->counter = 0UL;
}

DEVICE ulong legacy_philox4x32_next(legacy_philox4x32_state *st) {
    uint k0 = (uint)(st->key & 0xFFFFFFFFUL), k1 = (uint)(st->key >> 32);
    /* round 1 with the full counter (c1 = c2 = c3 = 0) */
    ulong p0 = st->counter * 0xD2511F53UL;
    uint c0 = k0, c1 = 0u, c2 = (uint)(p0 >> 32) ^ k1, c3 = (uint)p0;
    st->counter += 1UL;
    for (uint round = 1; round < 10; round++) {
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
        ulong q0 = (ulong)c0 * 0xD2511F53UL, q1 = (ulong)c2 * 0xCD9E8D57UL;
        c0 = (uint)(q1 >> 32) ^ c1 ^ k0;
        c1 = (uint)q1;
        c2 = (uint)(q0 >> 32) ^ c3 ^ k1;
        c3 = (uint)q0;
    }
    return c0;
}
