/* Vigna's xorshift64* (shifts 12, 25, 27), x = seed (nonzero); output x * 0x2545F4914F6CDD1D. */
typedef struct { ulong x; } xorshift64star_state;

DEVICE void xorshift64star_seed(xorshift64star_state *st, ulong seed) {
    st->x = seed;
}

DEVICE ulong xorshift64star_next(xorshift64star_state *st) {
    ulong x = st->x;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    st->x = x;
    return x * 0x2545F4914F6CDD1DUL;
}
