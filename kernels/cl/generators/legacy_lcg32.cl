/* legacy_lcg32 (lcg32_cpu): state = seed & 0xFFFFFFFF (not reduced), then
 * state = (1103515245 state + 12345) mod 0x7FFFFFFF (a modulus, not a mask); raw = the state. */
typedef struct { ulong s; } legacy_lcg32_state;

DEVICE void legacy_lcg32_seed(legacy_lcg32_state *st, ulong seed) {
    st->s = seed & 0xFFFFFFFFUL;
}

DEVICE ulong legacy_lcg32_next(legacy_lcg32_state *st) {
    /* state < 2**32: p < 2**63; 2**31 = 1 (mod 2**31 - 1): two folds leave < 2**31 + 2,
     * one conditional subtraction finishes the reduction */
    ulong p = st->s * 1103515245UL + 12345UL;
    p = (p & 0x7FFFFFFFUL) + (p >> 31);
    p = (p & 0x7FFFFFFFUL) + (p >> 31);
    if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
    st->s = p;
    return p;
}
