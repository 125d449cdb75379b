/* legacy_xorshift64 (xorshift64_cpu): xorshift (12, 25, 27) whose 0x2545F4914F6CDD1D multiply is
 * applied to the *state* (state = xorshift(state) * M mod 2**64); raw = state & 0xFFFFFFFF. */
typedef struct { ulong s; } legacy_xorshift64_state;

DEVICE void legacy_xorshift64_seed(legacy_xorshift64_state *st, ulong seed) {
    st->s = seed;
}

DEVICE ulong legacy_xorshift64_next(legacy_xorshift64_state *st) {
    ulong s = st->s;
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    s *= 0x2545F4914F6CDD1DUL;
    st->s = s;
    return s & 0xFFFFFFFFUL;
}
