/* Marsaglia's xor128 (2003; shifts 11, 8, 19), shared by xorshift128 and legacy_xorshift128,
 * which differ only in how the seed reaches x: y, z, w start at his defaults, the output is the
 * new w. */
typedef struct { uint x, y, z, w; } xor128_state;

DEVICE void xor128_start(xor128_state *st, uint x) {
    st->x = x;
    st->y = 362436069u;
    st->z = 521288629u;
    st->w = 88675123u;
}

DEVICE ulong xor128_next(xor128_state *st) {
    uint t = st->x ^ (st->x << 11);
    uint w = st->w;
    st->x = st->y;
    st->y = st->z;
    st->z = w;
    w = w ^ (w >> 19) ^ t ^ (t >> 8);
    st->w = w;
    return w;
}
