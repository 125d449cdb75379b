/* std::minstd_rand (libstdc++): x = 48271 x mod 2**31 - 1
 * (Park, Miller and Stockmeyer 1993); seed(s): x = s mod (2**31 - 1),
 * 0 becomes 1; raw = the new x. */
typedef struct { uint s; } minstd_rand_state;

DEVICE void minstd_rand_seed(minstd_rand_state *st, ulong seed) {
    /* seeds are < 2**32: one fold of 2**31 = 1 (mod 2**31 - 1) leaves at most 2**31 */
    ulong x = (seed & 0xFFFFFFFFUL);
    x = (x & 0x7FFFFFFFUL) + (x >> 31);
    if (x >= 0x7FFFFFFFUL) x -= 0x7FFFFFFFUL;
    st->s = x == 0 ? 1u : (uint)x;
}

DEVICE ulong minstd_rand_next(minstd_rand_state *st) {
    /* x < 2**31 and a < 2**16: the product is < 2**47, one fold leaves < 2 (2**31 - 1) */
    ulong p = (ulong)st->s * 48271UL;
    p = (p & 0x7FFFFFFFUL) + (p >> 31);
    if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
    st->s = (uint)p;
    return p;
}
