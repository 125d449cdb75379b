/* java.util.Random(seed): 48-bit LCG, seed scrambled with 0x5DEECE66D; raw = next(32). */
typedef struct { ulong s; } java_random_state;

DEVICE void java_random_seed(java_random_state *st, ulong seed) {
    st->s = (seed ^ 0x5DEECE66DUL) & 0xFFFFFFFFFFFFUL;
}

DEVICE ulong java_random_next(java_random_state *st) {
    st->s = (st->s * 0x5DEECE66DUL + 0xBUL) & 0xFFFFFFFFFFFFUL;
    return st->s >> 16;
}

/* nextDouble(): ((long) next(26) << 27) + next(27), times 2**-53 */
#define java_random_HAS_DOUBLE 1
DEVICE double java_random_double(java_random_state *st) {
    ulong high = java_random_next(st) >> 6;
    ulong low = java_random_next(st) >> 5;
    return (double)((high << 27) + low) * (1.0 / 9007199254740992.0);
}
