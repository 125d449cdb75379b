/* std::minstd_rand0 (libstdc++): x = 16807 x mod 2**31 - 1 (Park and Miller 1988);
 * seed(s): x = s mod (2**31 - 1),
 * 0 becomes 1; raw = the new x. */
typedef struct { uint s; } minstd_rand0_state;

DEVICE void minstd_rand0_seed(minstd_rand0_state *st, ulong seed) {
    /* seeds are < 2**32: one fold of 2**31 = 1 (mod 2**31 - 1) leaves at most 2**31 */
    ulong x = (seed & 0xFFFFFFFFUL);
    x = (x & 0x7FFFFFFFUL) + (x >> 31);
    if (x >= 0x7FFFFFFFUL) x -= 0x7FFFFFFFUL;
    st->s = x == 0 ? 1u : (uint)x;
}

DEVICE ulong minstd_rand0_next(minstd_rand0_state *st) {
    /* x < 2**31 and a < 2**16: the product is < 2**47, one fold leaves < 2 (2**31 - 1) */
    ulong p = (ulong)st->s * 16807UL;
    p = (p & 0x7FFFFFFFUL) + (p >> 31);
    if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
    st->s = (uint)p;
    return p;
}

/* std::generate_canonical<double, 53> (std::uniform_real_distribution<double>): 2 calls,
 * sum (r_i - min()) R**i / R**2, clamped below 1 (CanonicalDouble in kernels/generators/lcg.py) */
#define minstd_rand0_HAS_DOUBLE 1
DEVICE double minstd_rand0_double(minstd_rand0_state *st) {
    /* R = 2**31 - 2: the first word counts 1, the second R; (r2 - 1) R < 2**62 is an exact
     * integer rounded once on conversion, as g++ rounds the double product (no fused multiply-add) */
    double first = (double)(minstd_rand0_next(st) - 1UL);
    double second = (double)((minstd_rand0_next(st) - 1UL) * 2147483646UL);
    double value = (first + second) / 4611686009837453316.0;  /* (double)(R * R) */
    return value < 1.0 ? value : 0.99999999999999988898;
}
