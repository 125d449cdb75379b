/* WELL512a (reference WELL512a.c) with its 16 seed words filled the common C way: srand(seed);
 * init[i] = rand() with glibc's rand() (srandom and the dot-product form of its first outputs
 * are shared with glibc_random, see _glibc_srandom.h). double = WELLRNG512a() = raw * 2**-32.
 *
 * Lazy seeding: seeding only builds the srandom table; a seed word is computed (a 31-term dot
 * product) the first time WELL reads it (4 outputs read 11 of the 16 words, and a word written
 * by WELL is never computed). Exact for any length. */
#include "_glibc_srandom.h"

typedef struct {
    uint a[31];    /* the srandom table s[0..30]; constant indices only */
    uint s[16];    /* WELL state words; word p valid once bit p of loaded is set */
    uint loaded;
    uint i;        /* state_i of the reference */
} well512a_state;

DEVICE void well512a_seed(well512a_state *st, ulong seed) {
    glibc_srandom_table(st->a, seed);
    st->loaded = 0u;
    st->i = 0u;
}

/* WELL word p, computing the seed word rand() number p on first use */
DEVICE uint well512a_word(well512a_state *st, uint p) {
    if (!((st->loaded >> p) & 1u)) {
        st->s[p] = glibc_srandom_rand(st->a, p);
        st->loaded |= 1u << p;
    }
    return st->s[p];
}

DEVICE ulong well512a_next(well512a_state *st) {
    uint i = st->i;
    uint v0 = well512a_word(st, i), vm1 = well512a_word(st, (i + 13u) & 15u);
    uint vm2 = well512a_word(st, (i + 9u) & 15u);
    uint j = (i + 15u) & 15u;
    uint z0 = well512a_word(st, j);
    uint z1 = v0 ^ (v0 << 16) ^ vm1 ^ (vm1 << 15);
    uint z2 = vm2 ^ (vm2 >> 11);
    uint new1 = z1 ^ z2;
    uint new0 = z0 ^ (z0 << 2) ^ z1 ^ (z1 << 18) ^ (z2 << 28) ^ new1 ^ ((new1 << 5) & 0xDA442D24u);
    st->s[i] = new1;
    st->s[j] = new0;  /* both already loaded: read above */
    st->i = j;
    return (ulong)new0;
}

#define well512a_HAS_DOUBLE 1
DEVICE double well512a_double(well512a_state *st) {
    return (double)well512a_next(st) * (1.0 / 4294967296.0);
}
