/* Microsoft CRT rand(): holdrand = holdrand*214013 + 2531011 (mod 2**32); srand(seed): holdrand = seed;
 * raw = (holdrand >> 16) & 0x7fff. */
typedef struct { uint s; } msvc_rand_state;

DEVICE void msvc_rand_seed(msvc_rand_state *st, ulong seed) {
    st->s = (uint)seed;
}

DEVICE ulong msvc_rand_next(msvc_rand_state *st) {
    st->s = st->s * 214013u + 2531011u;
    return (st->s >> 16) & 0x7FFFu;
}
