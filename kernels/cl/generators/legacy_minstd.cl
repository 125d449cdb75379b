/* legacy_minstd (minstd_cpu): Park-Miller x = 48271 x mod 2**31 - 1; state = seed mod 2**31 - 1,
 * 0 becomes 1; raw = the new state. */
typedef struct { uint s; } legacy_minstd_state;

DEVICE void legacy_minstd_seed(legacy_minstd_state *st, ulong seed) {
    /* seeds are < 2**32: one fold of 2**31 = 1 (mod 2**31 - 1) leaves at most 2**31 */
    ulong x = seed & 0xFFFFFFFFUL;
    x = (x & 0x7FFFFFFFUL) + (x >> 31);
    if (x >= 0x7FFFFFFFUL) x -= 0x7FFFFFFFUL;
    st->s = x == 0 ? 1u : (uint)x;
}

DEVICE ulong legacy_minstd_next(legacy_minstd_state *st) {
    /* x < 2**31, a < 2**16: product < 2**47, one fold leaves < 2 (2**31 - 1) */
    ulong p = (ulong)st->s * 48271UL;
    p = (p & 0x7FFFFFFFUL) + (p >> 31);
    if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
    st->s = (uint)p;
    return p;
}
