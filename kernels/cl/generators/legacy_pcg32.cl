/* legacy_pcg32 (pcg32_cpu): PCG-XSH-RR, state = seed (no srandom bumps), increment
 * 1442695040888963407; the output permutes the pre-step state. */
typedef struct { ulong s; } legacy_pcg32_state;

DEVICE void legacy_pcg32_seed(legacy_pcg32_state *st, ulong seed) {
    st->s = seed;
}

DEVICE ulong legacy_pcg32_next(legacy_pcg32_state *st) {
    ulong old = st->s;
    st->s = old * 6364136223846793005UL + 1442695040888963407UL;
    uint xorshifted = (uint)(((old >> 18) ^ old) >> 27);
    uint rot = (uint)(old >> 59);
    return (ulong)((xorshifted >> rot) | (xorshifted << ((0u - rot) & 31u)));
}
