/* std::ranlux24_base (libstdc++): subtract_with_carry_engine<w = 24, s = 10, r = 24>,
 * x_i = x_{i-10} - x_{i-24} - carry mod 2**24; raw = the new word. seed(value): the LCG
 * x -> 40014 x mod 2147483563 started at value (0 means 19780503; a multiple of the modulus starts
 * at 1); word j is the (j + 1)-th LCG output mod 2**24.
 *
 * Hot path: the initial words are never filled in bulk. The LCG's n-th output is
 * start * 40014**n mod 2147483563, one multiplication by a constant power, so each initial word
 * can be computed on its own: the seeding computes the words that the first ranlux24_base_FAST
 * outputs read (x[0..FAST-1] and x[14..14+FAST-1]); any other initial word is computed the first
 * time an output reads it (bit j of have: x[j] holds a word). Every word is written by the output
 * at its position, so the ring is complete after 24 outputs and any stream length is exact. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define ranlux24_base_CONSTANT __constant__
#else
#define ranlux24_base_CONSTANT __constant
#endif

#define ranlux24_base_FAST 4

/* 40014**(n + 1) mod 2147483563 */
ranlux24_base_CONSTANT uint ranlux24_base_POW[24] = {
    40014u, 1601120196u, 1346387765u, 439883729u, 732249858u, 2127568003u,
    1962667596u, 707287434u, 1860990862u, 1695805043u, 1904850491u, 53445315u,
    1814689225u, 112933431u, 612891482u, 2124954851u, 479214492u, 407948861u,
    643161691u, 28884682u, 445508654u, 322224693u, 7553450u, 1596049480u,
};

typedef struct {
    uint x[24];
    uint have;   /* bit j: x[j] is valid */
    uint lcg;    /* the LCG's starting state, in [1, 2147483562] */
    uint carry;
    uint p;      /* ring position of x_{i-24} */
} ranlux24_base_state;

/* start * power mod 2147483563 (= 2**31 - 85): fold 2**31 = 85 twice, subtract at most once */
DEVICE ulong ranlux24_base_lcg(const ranlux24_base_state *st, uint power) {
    ulong v = (ulong)st->lcg * (ulong)power;           /* < 2**62 */
    v = (v >> 31) * 85UL + (v & 0x7FFFFFFFUL);         /* < 2**38 + 2**31 */
    v = (v >> 31) * 85UL + (v & 0x7FFFFFFFUL);         /* < 2**31 + 2**14 */
    if (v >= 2147483563UL) v -= 2147483563UL;
    return v;
}

DEVICE uint ranlux24_base_word(const ranlux24_base_state *st, uint j) {
    return (uint)ranlux24_base_lcg(st, ranlux24_base_POW[j]) & 0xFFFFFFu;
}

DEVICE void ranlux24_base_seed(ranlux24_base_state *st, ulong seed) {
    uint s = (uint)seed;
    if (s == 0u) s = 19780503u;
    s %= 2147483563u;
    st->lcg = s == 0u ? 1u : s;
    st->p = 0u;
#pragma unroll
    for (uint j = 0; j < ranlux24_base_FAST; j++) {
        st->x[j] = ranlux24_base_word(st, j);
        st->x[14u + j] = ranlux24_base_word(st, 14u + j);
    }
    st->have = ((1u << ranlux24_base_FAST) - 1u) * (1u | (1u << 14));
    /* the carry starts as x[23] == 0 */
    st->x[23] = ranlux24_base_word(st, 23u);
    st->have |= 1u << 23;
    st->carry = st->x[23] == 0u ? 1u : 0u;
}

DEVICE ulong ranlux24_base_next(ranlux24_base_state *st) {
    uint p = st->p;
    uint sp = p >= 10u ? p - 10u : p + 14u;   /* (p - 10) mod 24 */
    uint xs = (st->have >> sp) & 1u ? st->x[sp] : ranlux24_base_word(st, sp);
    uint xp = (st->have >> p) & 1u ? st->x[p] : ranlux24_base_word(st, p);
    uint value;
    if (xs >= xp + st->carry) {
        value = xs - xp - st->carry;
        st->carry = 0u;
    } else {
        value = (xs - xp - st->carry) & 0xFFFFFFu;  /* + 2**24, wrapped */
        st->carry = 1u;
    }
    st->x[p] = value;
    st->have |= 1u << p;
    st->p = p + 1u < 24u ? p + 1u : 0u;
    return (ulong)value;
}

/* std::generate_canonical<double, 53> (std::uniform_real_distribution<double>): 3 calls,
 * sum (r_i - min()) R**i / R**3, clamped below 1 (CanonicalDouble in kernels/generators/lcg.py) */
#define ranlux24_base_HAS_DOUBLE 1
DEVICE double ranlux24_base_double(ranlux24_base_state *st) {
    /* R = 2**24, three words: every term is exact, the sum rounds as on the host */
    double first = (double)ranlux24_base_next(st);
    double second = (double)ranlux24_base_next(st) * 16777216.0;
    double third = (double)ranlux24_base_next(st) * 281474976710656.0;
    double value = (first + second + third) * (1.0 / 4722366482869645213696.0);
    return value < 1.0 ? value : 0.99999999999999988898;
}
