/* Random123 philox4x32_R(10, ctr, key) with key = {seed & 0xffffffff, seed >> 32}, ctr = 0, 1, 2...
 * (128-bit counter, four little-endian words), the four words of each block in order (cuRAND's
 * curand_init(seed, 0, 0) layout). The current block is kept as a shift register (b0 next out)
 * so that no private array is indexed at run time. */
typedef struct { uint k0, k1; uint c0, c1, c2, c3; uint b0, b1, b2, b3; uint left; } philox4x32_10_state;

/* the round multipliers and the key's Weyl increments (also read by the native backend's SIMD
 * form of a block) */
#define PHILOX4X32_M0 0xD2511F53u
#define PHILOX4X32_M1 0xCD9E8D57u
#define PHILOX4X32_W0 0x9E3779B9u
#define PHILOX4X32_W1 0xBB67AE85u

DEVICE void philox4x32_10_block(philox4x32_10_state *st) {
    uint x0 = st->c0, x1 = st->c1, x2 = st->c2, x3 = st->c3;
    uint k0 = st->k0, k1 = st->k1;
    for (uint r = 0; r < 10u; r++) {
        if (r) { k0 += PHILOX4X32_W0; k1 += PHILOX4X32_W1; }
        ulong p0 = (ulong)PHILOX4X32_M0 * x0, p1 = (ulong)PHILOX4X32_M1 * x2;
        uint y0 = (uint)(p1 >> 32) ^ x1 ^ k0, y2 = (uint)(p0 >> 32) ^ x3 ^ k1;
        x0 = y0; x1 = (uint)p1; x2 = y2; x3 = (uint)p0;
    }
    st->b0 = x0; st->b1 = x1; st->b2 = x2; st->b3 = x3;
    /* next counter, with carries through the 128 bits */
    st->c0 += 1u;
    if (st->c0 == 0u) { st->c1 += 1u; if (st->c1 == 0u) { st->c2 += 1u; if (st->c2 == 0u) st->c3 += 1u; } }
}

DEVICE void philox4x32_10_seed(philox4x32_10_state *st, ulong seed) {
    st->k0 = (uint)seed; st->k1 = (uint)(seed >> 32);
    st->c0 = 0u; st->c1 = 0u; st->c2 = 0u; st->c3 = 0u;
    st->b0 = 0u; st->b1 = 0u; st->b2 = 0u; st->b3 = 0u;
    st->left = 0u;
}

DEVICE ulong philox4x32_10_next(philox4x32_10_state *st) {
    if (st->left == 0u) { philox4x32_10_block(st); st->left = 4u; }
    uint v = st->b0;
    st->b0 = st->b1; st->b1 = st->b2; st->b2 = st->b3;
    st->left -= 1u;
    return v;
}
