/* Marsaglia's KISS of 1999-01-20: z = 362436069, w = 521288629, jsr = 123456789 (his static
 * initial values), jcong = seed; raw = ((MWC ^ CONG) + SHR3), double = the post's
 * UNI = KISS * 2.328306e-10. */
typedef struct { uint z, w, jsr, jcong; } kiss99_state;

DEVICE void kiss99_seed(kiss99_state *st, ulong seed) {
    st->z = 362436069u; st->w = 521288629u; st->jsr = 123456789u; st->jcong = (uint)seed;
}

DEVICE ulong kiss99_next(kiss99_state *st) {
    uint z = 36969u * (st->z & 0xFFFFu) + (st->z >> 16);
    uint w = 18000u * (st->w & 0xFFFFu) + (st->w >> 16);
    uint jcong = 69069u * st->jcong + 1234567u;
    uint jsr = st->jsr;
    jsr ^= jsr << 17;
    jsr ^= jsr >> 13;
    jsr ^= jsr << 5;
    st->z = z; st->w = w; st->jcong = jcong; st->jsr = jsr;
    return (ulong)((((z << 16) + w) ^ jcong) + jsr);
}

#define kiss99_HAS_DOUBLE 1
DEVICE double kiss99_double(kiss99_state *st) {
    return (double)kiss99_next(st) * 2.328306e-10;
}
