/* legacy_java_lcg (java_lcg_cpu): java.util.Random's LCG without the 0x5DEECE66D seed scramble:
 * state = seed & (2**48 - 1); state = 0x5DEECE66D state + 11 mod 2**48; raw = state >> 16. */
typedef struct { ulong s; } legacy_java_lcg_state;

DEVICE void legacy_java_lcg_seed(legacy_java_lcg_state *st, ulong seed) {
    st->s = seed & 0xFFFFFFFFFFFFUL;
}

DEVICE ulong legacy_java_lcg_next(legacy_java_lcg_state *st) {
    st->s = (st->s * 0x5DEECE66DUL + 0xBUL) & 0xFFFFFFFFFFFFUL;
    return st->s >> 16;
}
