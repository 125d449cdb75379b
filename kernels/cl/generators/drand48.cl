/* glibc *rand48: x = x*0x5DEECE66D + 0xB (mod 2**48); srand48(seed): x = (seed mod 2**32) << 16 | 0x330E;
 * raw = lrand48() = x >> 17. The double is drand48() = x / 2**48, from the 48-bit state. */
typedef struct { ulong s; } drand48_state;

DEVICE void drand48_seed(drand48_state *st, ulong seed) {
    st->s = ((seed & 0xFFFFFFFFUL) << 16) | 0x330EUL;
}

DEVICE ulong drand48_next(drand48_state *st) {
    st->s = (st->s * 0x5DEECE66DUL + 0xBUL) & 0xFFFFFFFFFFFFUL;
    return st->s >> 17;
}

/* drand48(): one step, the whole 48-bit state times 2**-48 (exact in a double) */
#define drand48_HAS_DOUBLE 1
DEVICE double drand48_double(drand48_state *st) {
    st->s = (st->s * 0x5DEECE66DUL + 0xBUL) & 0xFFFFFFFFFFFFUL;
    return (double)st->s * (1.0 / 281474976710656.0);
}
