/* Wang Yi's wyrand (wyhash.h, 2020-2023 constants): state = seed; state += 0xa0761d6478bd642f;
 * raw = hi ^ lo of the 128-bit product state * (state ^ 0xe7037ed1a0b428db);
 * double = wy2u01 = (raw >> 12) * 2**-52. */
typedef struct { ulong s; } wyrand_state;

DEVICE void wyrand_seed(wyrand_state *st, ulong seed) { st->s = seed; }

DEVICE ulong wyrand_next(wyrand_state *st) {
    ulong a = st->s + 0xA0761D6478BD642FUL;
    st->s = a;
    ulong b = a ^ 0xE7037ED1A0B428DBUL;
    return MUL_HI64(a, b) ^ (a * b);
}

#define wyrand_HAS_DOUBLE 1
DEVICE double wyrand_double(wyrand_state *st) {
    return (double)(wyrand_next(st) >> 12) * (1.0 / 4503599627370496.0);
}
