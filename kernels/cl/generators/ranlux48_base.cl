/* std::ranlux48_base (libstdc++): subtract_with_carry_engine<w = 48, s = 5, r = 12>,
 * x_i = x_{i-5} - x_{i-12} - carry mod 2**48; raw = the new word. seed(value): the LCG
 * x -> 40014 x mod 2147483563 started at value (0 means 19780503; a multiple of the modulus starts
 * at 1); word j is LCG outputs 2j + 1 (low) and 2j + 2 (shifted by 32) mod 2**48.
 *
 * Hot path: the initial words are never filled in bulk. The LCG's n-th output is
 * start * 40014**n mod 2147483563, one multiplication by a constant power, so each initial word
 * can be computed on its own: the seeding computes the words that the first ranlux48_base_FAST
 * outputs read (x[0..FAST-1] and x[7..7+FAST-1]); any other initial word is computed the first
 * time an output reads it (bit j of have: x[j] holds a word). Every word is written by the output
 * at its position, so the ring is complete after 12 outputs and any stream length is exact. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define ranlux48_base_CONSTANT __constant__
#else
#define ranlux48_base_CONSTANT __constant
#endif

#define ranlux48_base_FAST 4

/* 40014**(n + 1) mod 2147483563 */
ranlux48_base_CONSTANT uint ranlux48_base_POW[24] = {
    40014u, 1601120196u, 1346387765u, 439883729u, 732249858u, 2127568003u,
    1962667596u, 707287434u, 1860990862u, 1695805043u, 1904850491u, 53445315u,
    1814689225u, 112933431u, 612891482u, 2124954851u, 479214492u, 407948861u,
    643161691u, 28884682u, 445508654u, 322224693u, 7553450u, 1596049480u,
};

typedef struct {
    ulong x[12];
    uint have;   /* bit j: x[j] is valid */
    uint lcg;    /* the LCG's starting state, in [1, 2147483562] */
    uint carry;
    uint p;      /* ring position of x_{i-12} */
} ranlux48_base_state;

/* start * power mod 2147483563 (= 2**31 - 85): fold 2**31 = 85 twice, subtract at most once */
DEVICE ulong ranlux48_base_lcg(const ranlux48_base_state *st, uint power) {
    ulong v = (ulong)st->lcg * (ulong)power;           /* < 2**62 */
    v = (v >> 31) * 85UL + (v & 0x7FFFFFFFUL);         /* < 2**38 + 2**31 */
    v = (v >> 31) * 85UL + (v & 0x7FFFFFFFUL);         /* < 2**31 + 2**14 */
    if (v >= 2147483563UL) v -= 2147483563UL;
    return v;
}

DEVICE ulong ranlux48_base_word(const ranlux48_base_state *st, uint j) {
    ulong low = ranlux48_base_lcg(st, ranlux48_base_POW[2u * j]);
    ulong high = ranlux48_base_lcg(st, ranlux48_base_POW[2u * j + 1u]);
    return (low + (high << 32)) & 0xFFFFFFFFFFFFUL;
}

DEVICE void ranlux48_base_seed(ranlux48_base_state *st, ulong seed) {
    uint s = (uint)seed;
    if (s == 0u) s = 19780503u;
    s %= 2147483563u;
    st->lcg = s == 0u ? 1u : s;
    st->p = 0u;
#pragma unroll
    for (uint j = 0; j < ranlux48_base_FAST; j++) {
        st->x[j] = ranlux48_base_word(st, j);
        st->x[7u + j] = ranlux48_base_word(st, 7u + j);
    }
    st->have = ((1u << ranlux48_base_FAST) - 1u) * (1u | (1u << 7));
    /* the carry starts as x[11] == 0, which never happens: the low 32 bits of x[11] are an LCG
     * state, nonzero because the LCG runs on the nonzero residues of a prime modulus */
    st->carry = 0u;
}

DEVICE ulong ranlux48_base_next(ranlux48_base_state *st) {
    uint p = st->p;
    uint sp = p >= 5u ? p - 5u : p + 7u;   /* (p - 5) mod 12 */
    ulong xs = (st->have >> sp) & 1u ? st->x[sp] : ranlux48_base_word(st, sp);
    ulong xp = (st->have >> p) & 1u ? st->x[p] : ranlux48_base_word(st, p);
    ulong value;
    if (xs >= xp + st->carry) {
        value = xs - xp - st->carry;
        st->carry = 0u;
    } else {
        value = (xs - xp - st->carry) & 0xFFFFFFFFFFFFUL;  /* + 2**48, wrapped */
        st->carry = 1u;
    }
    st->x[p] = value;
    st->have |= 1u << p;
    st->p = p + 1u < 12u ? p + 1u : 0u;
    return value;
}

/* std::generate_canonical<double, 53> (std::uniform_real_distribution<double>): 2 calls,
 * sum (r_i - min()) R**i / R**2, clamped below 1 (CanonicalDouble in kernels/generators/lcg.py) */
#define ranlux48_base_HAS_DOUBLE 1
DEVICE double ranlux48_base_double(ranlux48_base_state *st) {
    /* R = 2**48, two words: both terms are exact, the sum rounds as on the host */
    double first = (double)ranlux48_base_next(st);
    double second = (double)ranlux48_base_next(st) * 281474976710656.0;
    double value = (first + second) * (1.0 / 79228162514264337593543950336.0);
    return value < 1.0 ? value : 0.99999999999999988898;
}
