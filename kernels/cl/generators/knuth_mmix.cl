/* Knuth's MMIX LCG: x = x*6364136223846793005 + 1442695040888963407 (mod 2**64), x = seed;
 * raw = the high 32 bits of the new state. */
typedef struct { ulong s; } knuth_mmix_state;

DEVICE void knuth_mmix_seed(knuth_mmix_state *st, ulong seed) {
    st->s = seed;
}

DEVICE ulong knuth_mmix_next(knuth_mmix_state *st) {
    st->s = st->s * 6364136223846793005UL + 1442695040888963407UL;
    return st->s >> 32;
}
