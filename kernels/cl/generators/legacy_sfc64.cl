/* legacy_sfc64 (sfc64_cpu): the SFC64 step seeded a = seed, b = 0x9E3779B97F4A7C15,
 * c = 0x6A09E667F3BCC908, counter = 1, with no discarded rounds; raw = a + b + counter. */
typedef struct { ulong a, b, c, counter; } legacy_sfc64_state;

DEVICE void legacy_sfc64_seed(legacy_sfc64_state *st, ulong seed) {
    st->a = seed;
    st->b = 0x9E3779B97F4A7C15UL;
    st->c = 0x6A09E667F3BCC908UL;
    st->counter = 1UL;
}

DEVICE ulong legacy_sfc64_next(legacy_sfc64_state *st) {
    ulong tmp = st->a + st->b + st->counter;
    st->counter += 1UL;
    st->a = st->b ^ (st->b >> 11);
    st->b = st->c + (st->c << 3);
    st->c = ((st->c << 24) | (st->c >> 40)) + tmp;
    return tmp;
}
