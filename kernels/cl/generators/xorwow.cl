/* Marsaglia's xorwow as cuRAND's default generator: curand_init(seed, 0, 0) then curand().
 * Seeding (curand_kernel.h, _curand_init_scratch, no skip-ahead): the seed's 32-bit halves are
 * salted and multiplied, then added or xor'ed onto Marsaglia's default words; d is the Weyl
 * counter (d += 362437 per step) and the output is v[4] + d. */
typedef struct { uint v0, v1, v2, v3, v4, d; } xorwow_state;

DEVICE void xorwow_seed(xorwow_state *st, ulong seed) {
    uint s0 = (uint)seed ^ 0xAAD26B49u;
    uint s1 = (uint)(seed >> 32) ^ 0xF7DCEFDDu;
    uint t0 = 1099087573u * s0;
    uint t1 = 2591861531u * s1;
    st->d = 6615241u + t1 + t0;
    st->v0 = 123456789u + t0;
    st->v1 = 362436069u ^ t0;
    st->v2 = 521288629u + t1;
    st->v3 = 88675123u ^ t1;
    st->v4 = 5783321u + t0;
}

DEVICE ulong xorwow_next(xorwow_state *st) {
    uint t = st->v0 ^ (st->v0 >> 2);
    uint v4 = st->v4;
    st->v0 = st->v1;
    st->v1 = st->v2;
    st->v2 = st->v3;
    st->v3 = v4;
    v4 = (v4 ^ (v4 << 4)) ^ (t ^ (t << 1));
    st->v4 = v4;
    st->d += 362437u;
    return v4 + st->d;
}

/* curand_uniform_double: two words, (x ^ (y << 21)) * 2**-53 + 2**-54, in (0, 1] (the product
 * by a power of two is exact, so contraction into an fma cannot change it). */
#define xorwow_HAS_DOUBLE 1
DEVICE double xorwow_double(xorwow_state *st) {
    ulong x = xorwow_next(st);
    ulong y = xorwow_next(st);
    return (double)(x ^ (y << 21)) * (1.0 / 9007199254740992.0) + (1.0 / 18014398509481984.0);
}
