/* IBM SSP RANDU: IX = IX * 65539 mod 2**31 (seed 0 is refused by the reference); raw = the new IX. */
typedef struct { uint s; } randu_state;

DEVICE void randu_seed(randu_state *st, ulong seed) {
    st->s = (uint)seed & 0x7FFFFFFFu;
}

DEVICE ulong randu_next(randu_state *st) {
    st->s = (st->s * 65539u) & 0x7FFFFFFFu;
    return st->s;
}
