/* L'Ecuyer's taus88 seeded as GSL's gsl_rng_taus2: seed 0 -> 1; s1 = 69069 seed, s2 = 69069 s1,
 * s3 = 69069 s2 (mod 2**32), each raised by 2, 8, 16 if below (the chain goes on from the raised
 * word); six warm-up steps. double = gsl_rng_uniform = raw / 2**32. */
typedef struct { uint s1, s2, s3; } taus88_state;

DEVICE ulong taus88_next(taus88_state *st) {
    uint s1 = st->s1, s2 = st->s2, s3 = st->s3;
    s1 = ((s1 & 0xFFFFFFFEu) << 12) ^ (((s1 << 13) ^ s1) >> 19);
    s2 = ((s2 & 0xFFFFFFF8u) << 4) ^ (((s2 << 2) ^ s2) >> 25);
    s3 = ((s3 & 0xFFFFFFF0u) << 17) ^ (((s3 << 3) ^ s3) >> 11);
    st->s1 = s1; st->s2 = s2; st->s3 = s3;
    return (ulong)(s1 ^ s2 ^ s3);
}

DEVICE void taus88_seed(taus88_state *st, ulong seed) {
    uint w = (uint)seed;
    if (w == 0u) w = 1u;
    w *= 69069u; if (w < 2u) w += 2u; st->s1 = w;
    w *= 69069u; if (w < 8u) w += 8u; st->s2 = w;
    w *= 69069u; if (w < 16u) w += 16u; st->s3 = w;
    for (uint i = 0; i < 6u; i++) taus88_next(st);
}

#define taus88_HAS_DOUBLE 1
DEVICE double taus88_double(taus88_state *st) {
    return (double)taus88_next(st) * (1.0 / 4294967296.0);
}
