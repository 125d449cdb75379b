/* SFC32 as PractRand 0.94 seeds it (sfc32::seed(Uint64 s)): a = 0, b = s low word, c = s high
 * word, counter = 1, 12 discarded outputs; shifts {21, 9, 3}. */
typedef struct { uint a, b, c, counter; } sfc32_state;

DEVICE ulong sfc32_next(sfc32_state *st) {
    uint tmp = st->a + st->b + st->counter;
    st->counter += 1u;
    st->a = st->b ^ (st->b >> 9);
    st->b = st->c + (st->c << 3);
    st->c = ((st->c << 21) | (st->c >> 11)) + tmp;
    return tmp;
}

DEVICE void sfc32_seed(sfc32_state *st, ulong seed) {
    st->a = 0u; st->b = (uint)seed; st->c = (uint)(seed >> 32); st->counter = 1u;
    for (uint i = 0; i < 12u; i++) sfc32_next(st);
}
