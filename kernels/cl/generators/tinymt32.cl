/* tinymt32: TinyMT32 (Saito and Matsumoto) with the reference's default parameters
 * (mat1 = 0x8f7011ee, mat2 = 0xfc78ff1f, tmat = 0x3793fdff), seeded by tinymt32_init(seed):
 * 7 init_genrand-like steps over the 4 words, the period certification, then 8 state steps.
 * Raw = tinymt32_generate_uint32; doubles are tinymt32_generate_32double (one output times
 * 2**-32).
 *
 * The state is 4 words, so nothing is lazy here; seeding (15 dependent steps) is the hot path.
 * It runs as plain per-item code: about as fast as the SIMD seeding of the MT19937 ports on pocl
 * already, and an attempt at SIMD across items gained nothing. */
typedef struct { uint s0, s1, s2, s3; } tinymt32_state;

DEVICE void tinymt32_step(tinymt32_state *st) {
    uint x = (st->s0 & 0x7FFFFFFFu) ^ st->s1 ^ st->s2;
    x ^= x << 1;
    uint y = st->s3 ^ (st->s3 >> 1) ^ x;
    uint odd = 0u - (y & 1u);
    st->s0 = st->s1;
    st->s1 = st->s2 ^ (odd & 0x8F7011EEu);
    st->s2 = x ^ (y << 10) ^ (odd & 0xFC78FF1Fu);
    st->s3 = y;
}

DEVICE void tinymt32_seed(tinymt32_state *st, ulong seed) {
    uint s[4];
    s[0] = (uint)(seed & 0xFFFFFFFFUL);
    s[1] = 0x8F7011EEu;
    s[2] = 0xFC78FF1Fu;
    s[3] = 0x3793FDFFu;
    /* s[i & 3] ^= i + 1812433253 (s[(i - 1) & 3] ^ (s[(i - 1) & 3] >> 30)), i = 1..7 */
    uint p = s[0];
    p = s[1] ^= 1u + 1812433253u * (p ^ (p >> 30));
    p = s[2] ^= 2u + 1812433253u * (p ^ (p >> 30));
    p = s[3] ^= 3u + 1812433253u * (p ^ (p >> 30));
    p = s[0] ^= 4u + 1812433253u * (p ^ (p >> 30));
    p = s[1] ^= 5u + 1812433253u * (p ^ (p >> 30));
    p = s[2] ^= 6u + 1812433253u * (p ^ (p >> 30));
    s[3] ^= 7u + 1812433253u * (p ^ (p >> 30));
    if ((s[0] & 0x7FFFFFFFu) == 0u && s[1] == 0u && s[2] == 0u && s[3] == 0u) {
        s[0] = 'T'; s[1] = 'I'; s[2] = 'N'; s[3] = 'Y';  /* period certification */
    }
    st->s0 = s[0]; st->s1 = s[1]; st->s2 = s[2]; st->s3 = s[3];
    for (uint i = 0; i < 8u; i++) tinymt32_step(st);
}

DEVICE ulong tinymt32_next(tinymt32_state *st) {
    tinymt32_step(st);
    uint t1 = st->s0 + (st->s2 >> 8);
    return st->s3 ^ t1 ^ ((0u - (t1 & 1u)) & 0x3793FDFFu);
}

/* tinymt32_generate_32double: one output times 2**-32 */
#define tinymt32_HAS_DOUBLE 1
DEVICE double tinymt32_double(tinymt32_state *st) {
    return (double)tinymt32_next(st) * (1.0 / 4294967296.0);
}
