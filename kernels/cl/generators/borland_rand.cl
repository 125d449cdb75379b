/* Borland C/C++ rand(): Seed = 22695477*Seed + 1 (mod 2**32); srand(seed): Seed = seed;
 * raw = (Seed >> 16) & 0x7fff. */
typedef struct { uint s; } borland_rand_state;

DEVICE void borland_rand_seed(borland_rand_state *st, ulong seed) {
    st->s = (uint)seed;
}

DEVICE ulong borland_rand_next(borland_rand_state *st) {
    st->s = st->s * 22695477u + 1u;
    return (st->s >> 16) & 0x7FFFu;
}
