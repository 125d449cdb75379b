/* glibc srand(seed)/rand() (= srandom/random), TYPE_3: rand() number k is s[344 + k] >> 1;
 * srandom and the dot-product form of the first outputs are shared with well512a, see
 * _glibc_srandom.h.
 *
 * Hot path: the first glibc_random_FAST outputs are dot products of the srandom table with
 * constant coefficients (31 multiply-adds each instead of the 310 discarded steps). Past them,
 * the table is copied into r and advanced in place the ordinary way (r[i mod 31] holds s[i], one
 * addition per step), which is exact for any stream length. */
#include "_glibc_srandom.h"

#define glibc_random_FAST 8

typedef struct {
    uint a[31];  /* s[0..30], the srandom table; constant indices only */
    uint r[31];  /* past the fast outputs: s[i - 31 .. i - 1], s[j] at r[j mod 31] */
    uint k;      /* outputs taken */
    uint i;      /* next sequence index to compute in r */
    uint p, q;   /* i mod 31 and (i - 3) mod 31 */
} glibc_random_state;

DEVICE void glibc_random_seed(glibc_random_state *st, ulong seed) {
    glibc_srandom_table(st->a, seed);
    st->k = 0u;
}

DEVICE ulong glibc_random_next(glibc_random_state *st) {
    uint k = st->k++;
    if (k < glibc_random_FAST) return glibc_srandom_rand(st->a, k);
    if (k == glibc_random_FAST) {
        glibc_srandom_UNROLL
        for (uint j = 0; j < 31; j++) st->r[j] = st->a[j];
        st->i = 34u;  /* s[31..33] = s[0..2] are already in place */
        st->p = 3u;
        st->q = 0u;
    }
    uint target = 344u + k, v = 0u, p = st->p, q = st->q;
    for (uint i = st->i; i <= target; i++) {
        v = st->r[p] + st->r[q];
        st->r[p] = v;
        p = p == 30u ? 0u : p + 1u;
        q = q == 30u ? 0u : q + 1u;
    }
    st->i = target + 1u;
    st->p = p;
    st->q = q;
    return v >> 1;
}
