/* Marsaglia's xor64 (shifts 13, 7, 17), x = seed (nonzero); the output is the new state. */
typedef struct { ulong x; } xorshift64_state;

DEVICE void xorshift64_seed(xorshift64_state *st, ulong seed) {
    st->x = seed;
}

DEVICE ulong xorshift64_next(xorshift64_state *st) {
    ulong x = st->x;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    st->x = x;
    return x;
}
