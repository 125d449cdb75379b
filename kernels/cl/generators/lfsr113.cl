/* L'Ecuyer's LFSR113 seeded as GSL's gsl_rng_taus113: seed 0 -> 1; the 69069 LCG chain from the
 * seed with z1 > 1, z2 > 7, z3 > 15, z4 > 127 enforced (a word below its minimum is raised by it,
 * and the chain goes on from the raised word); ten warm-up steps.
 * double = gsl_rng_uniform = raw / 2**32. */
typedef struct { uint z1, z2, z3, z4; } lfsr113_state;

DEVICE ulong lfsr113_next(lfsr113_state *st) {
    uint z1 = st->z1, z2 = st->z2, z3 = st->z3, z4 = st->z4;
    z1 = ((z1 & 0xFFFFFFFEu) << 18) ^ (((z1 << 6) ^ z1) >> 13);
    z2 = ((z2 & 0xFFFFFFF8u) << 2) ^ (((z2 << 2) ^ z2) >> 27);
    z3 = ((z3 & 0xFFFFFFF0u) << 7) ^ (((z3 << 13) ^ z3) >> 21);
    z4 = ((z4 & 0xFFFFFF80u) << 13) ^ (((z4 << 3) ^ z4) >> 12);
    st->z1 = z1; st->z2 = z2; st->z3 = z3; st->z4 = z4;
    return (ulong)(z1 ^ z2 ^ z3 ^ z4);
}

DEVICE void lfsr113_seed(lfsr113_state *st, ulong seed) {
    uint w = (uint)seed;
    if (w == 0u) w = 1u;
    w *= 69069u; if (w < 2u) w += 2u; st->z1 = w;
    w *= 69069u; if (w < 8u) w += 8u; st->z2 = w;
    w *= 69069u; if (w < 16u) w += 16u; st->z3 = w;
    w *= 69069u; if (w < 128u) w += 128u; st->z4 = w;
    for (uint i = 0; i < 10u; i++) lfsr113_next(st);
}

#define lfsr113_HAS_DOUBLE 1
DEVICE double lfsr113_double(lfsr113_state *st) {
    return (double)lfsr113_next(st) * (1.0 / 4294967296.0);
}
