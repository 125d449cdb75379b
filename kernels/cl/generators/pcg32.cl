/* PCG reference pcg32 (pcg_basic.c): pcg32_srandom_r(&rng, seed, 54), XSH-RR output of the state
 * before the LCG step. inc = 54 << 1 | 1 = 109; seeding is state = inc, += seed, one step. */
typedef struct { ulong s; } pcg32_state;

#define pcg32_MULT 6364136223846793005UL
#define pcg32_INC 109UL

DEVICE void pcg32_seed(pcg32_state *st, ulong seed) {
    st->s = (pcg32_INC + seed) * pcg32_MULT + pcg32_INC;
}

DEVICE ulong pcg32_next(pcg32_state *st) {
    ulong old = st->s;
    st->s = old * pcg32_MULT + pcg32_INC;
    uint xorshifted = (uint)(((old >> 18) ^ old) >> 27);
    uint rot = (uint)(old >> 59);
    return (ulong)((xorshifted >> rot) | (xorshifted << ((0u - rot) & 31u)));
}
