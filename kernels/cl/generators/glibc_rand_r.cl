/* glibc rand_r(&seed): three steps of next*1103515245 + 12345 (mod 2**32) per call; the result
 * packs bits 16..26, 16..25 and 16..25 of the three states into 31 bits. */
typedef struct { uint s; } glibc_rand_r_state;

DEVICE void glibc_rand_r_seed(glibc_rand_r_state *st, ulong seed) {
    st->s = (uint)seed;
}

DEVICE ulong glibc_rand_r_next(glibc_rand_r_state *st) {
    uint s1 = st->s * 1103515245u + 12345u;
    uint s2 = s1 * 1103515245u + 12345u;
    uint s3 = s2 * 1103515245u + 12345u;
    st->s = s3;
    return (ulong)((((s1 >> 16) & 0x7FFu) << 20) ^ (((s2 >> 16) & 0x3FFu) << 10) ^ ((s3 >> 16) & 0x3FFu));
}
