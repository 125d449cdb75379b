/* Marsaglia's xor32 (shifts 13, 17, 5), y = seed (nonzero); the output is the new state. */
typedef struct { uint y; } xorshift32_state;

DEVICE void xorshift32_seed(xorshift32_state *st, ulong seed) {
    st->y = (uint)seed;
}

DEVICE ulong xorshift32_next(xorshift32_state *st) {
    uint y = st->y;
    y ^= y << 13;
    y ^= y >> 17;
    y ^= y << 5;
    st->y = y;
    return y;
}
