/* Bob Jenkins' small fast generator (32-bit): raninit(seed): a = 0xf1ea5eed, b = c = d = seed,
 * 20 discarded outputs; ranval returns d. */
typedef struct { uint a, b, c, d; } jsf32_state;

DEVICE ulong jsf32_next(jsf32_state *st) {
    uint e = st->a - ((st->b << 27) | (st->b >> 5));
    st->a = st->b ^ ((st->c << 17) | (st->c >> 15));
    st->b = st->c + st->d;
    st->c = st->d + e;
    st->d = e + st->a;
    return st->d;
}

DEVICE void jsf32_seed(jsf32_state *st, ulong seed) {
    uint s = (uint)seed;
    st->a = 0xF1EA5EEDu; st->b = s; st->c = s; st->d = s;
    for (uint i = 0; i < 20u; i++) jsf32_next(st);
}
