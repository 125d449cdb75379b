/* Marsaglia's xor128 (shifts 11, 8, 19): the paper's state (123456789, 362436069, 521288629,
 * 88675123) with x ^= seed (32-bit seed); the output is the new w. */
typedef struct { uint x, y, z, w; } xorshift128_state;

DEVICE void xorshift128_seed(xorshift128_state *st, ulong seed) {
    st->x = 123456789u ^ (uint)seed;
    st->y = 362436069u;
    st->z = 521288629u;
    st->w = 88675123u;
}

DEVICE ulong xorshift128_next(xorshift128_state *st) {
    uint t = st->x ^ (st->x << 11);
    uint w = st->w;
    st->x = st->y;
    st->y = st->z;
    st->z = w;
    w = w ^ (w >> 19) ^ t ^ (t >> 8);
    st->w = w;
    return w;
}
