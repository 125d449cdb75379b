/* ISO C example rand(): next = next*1103515245 + 12345 (mod 2**32; only bits 16..30 are read,
 * so a 32-bit state is exact for any width of unsigned long); srand(seed): next = seed;
 * raw = (next >> 16) & 0x7fff. */
typedef struct { uint s; } ansi_c_rand_state;

DEVICE void ansi_c_rand_seed(ansi_c_rand_state *st, ulong seed) {
    st->s = (uint)seed;
}

DEVICE ulong ansi_c_rand_next(ansi_c_rand_state *st) {
    st->s = st->s * 1103515245u + 12345u;
    return (st->s >> 16) & 0x7FFFu;
}
