/* legacy_xorshift128 (xorshift128_cpu): Marsaglia xor128 with x = seed & 0xFFFFFFFF and his
 * defaults y = 362436069, z = 521288629, w = 88675123; raw = the new w. */
typedef struct { uint x, y, z, w; } legacy_xorshift128_state;

DEVICE void legacy_xorshift128_seed(legacy_xorshift128_state *st, ulong seed) {
    st->x = (uint)(seed & 0xFFFFFFFFUL);
    st->y = 362436069u;
    st->z = 521288629u;
    st->w = 88675123u;
}

DEVICE ulong legacy_xorshift128_next(legacy_xorshift128_state *st) {
    uint t = st->x ^ (st->x << 11);
    uint w = st->w;
    st->x = st->y;
    st->y = st->z;
    st->z = w;
    w = w ^ (w >> 19) ^ t ^ (t >> 8);
    st->w = w;
    return w;
}
