/* Delphi System.Random: RandSeed := RandSeed * $08088405 + 1 (mod 2**32); raw = the new RandSeed. */
typedef struct { uint s; } delphi_random_state;

DEVICE void delphi_random_seed(delphi_random_state *st, ulong seed) {
    st->s = (uint)seed;
}

DEVICE ulong delphi_random_next(delphi_random_state *st) {
    st->s = st->s * 134775813u + 1u;
    return st->s;
}

/* the float Random: RandSeed / 2**32 (exact in a double) */
#define delphi_random_HAS_DOUBLE 1
DEVICE double delphi_random_double(delphi_random_state *st) {
    st->s = st->s * 134775813u + 1u;
    return (double)st->s * (1.0 / 4294967296.0);
}
