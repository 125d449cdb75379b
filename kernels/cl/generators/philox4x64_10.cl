/* numpy.random.Philox(seed): Philox4x64-10 with key = SeedSequence(seed).generate_state(2, uint64),
 * counter 0 and an empty buffer; each refill first increments the 256-bit counter, so block 0 is
 * philox4x64_R(10, ctr=1, key); raw outputs are the block words in order. The block is kept as a
 * shift register (b0 next out), so no private array is indexed at run time. */
DEVICE uint philox4x64_10_ss_hashmix(uint v, uint k, uint m) { v = (v ^ k) * m; return v ^ (v >> 16); }
DEVICE uint philox4x64_10_ss_mix(uint x, uint y) { uint r = 0xCA01F9DDu * x - 0x4973F715u * y; return r ^ (r >> 16); }
/* numpy SeedSequence(seed).generate_state(4, uint32) for 0 <= seed < 2**64: entropy words
 * (seed low, seed high), hashed into the 4-word pool (mix_entropy), then hashed out; the hash
 * constants do not depend on the data and are written out. Pool words 2 and 3 start as hashmix(0). */
DEVICE void philox4x64_10_seed_sequence(ulong seed, uint *out) {
    uint m0 = philox4x64_10_ss_hashmix((uint)seed, 0x43B0D7E5u, 0xAE5A53A9u);
    uint m1 = philox4x64_10_ss_hashmix((uint)(seed >> 32), 0xAE5A53A9u, 0x8488043Du);
    uint m2 = 0x894CFDD1u;
    uint m3 = 0x30409F75u;
    m1 = philox4x64_10_ss_mix(m1, philox4x64_10_ss_hashmix(m0, 0x9205B1D5u, 0xE9096E59u));
    m2 = philox4x64_10_ss_mix(m2, philox4x64_10_ss_hashmix(m0, 0xE9096E59u, 0x8D5CB6ADu));
    m3 = philox4x64_10_ss_mix(m3, philox4x64_10_ss_hashmix(m0, 0x8D5CB6ADu, 0x9BB16511u));
    m0 = philox4x64_10_ss_mix(m0, philox4x64_10_ss_hashmix(m1, 0x9BB16511u, 0x00C238C5u));
    m2 = philox4x64_10_ss_mix(m2, philox4x64_10_ss_hashmix(m1, 0x00C238C5u, 0x4D029A09u));
    m3 = philox4x64_10_ss_mix(m3, philox4x64_10_ss_hashmix(m1, 0x4D029A09u, 0xCC132E1Du));
    m0 = philox4x64_10_ss_mix(m0, philox4x64_10_ss_hashmix(m2, 0xCC132E1Du, 0x83A97B41u));
    m1 = philox4x64_10_ss_mix(m1, philox4x64_10_ss_hashmix(m2, 0x83A97B41u, 0xFA8DDCB5u));
    m3 = philox4x64_10_ss_mix(m3, philox4x64_10_ss_hashmix(m2, 0xFA8DDCB5u, 0xAC4C06B9u));
    m0 = philox4x64_10_ss_mix(m0, philox4x64_10_ss_hashmix(m3, 0xAC4C06B9u, 0x26FF5A8Du));
    m1 = philox4x64_10_ss_mix(m1, philox4x64_10_ss_hashmix(m3, 0x26FF5A8Du, 0x0E554A71u));
    m2 = philox4x64_10_ss_mix(m2, philox4x64_10_ss_hashmix(m3, 0x0E554A71u, 0x78C50DA5u));
    out[0] = philox4x64_10_ss_hashmix(m0, 0x8B51F9DDu, 0x464A0A99u);
    out[1] = philox4x64_10_ss_hashmix(m1, 0x464A0A99u, 0x819D14A5u);
    out[2] = philox4x64_10_ss_hashmix(m2, 0x819D14A5u, 0xD369FDC1u);
    out[3] = philox4x64_10_ss_hashmix(m3, 0xD369FDC1u, 0x501638ADu);
}

typedef struct { ulong k0, k1; ulong c0, c1, c2, c3; ulong b0, b1, b2, b3; uint left; } philox4x64_10_state;

DEVICE void philox4x64_10_block(philox4x64_10_state *st) {
    /* numpy's refill: increment the 256-bit counter first, then compute the block */
    st->c0 += 1UL;
    if (st->c0 == 0UL) { st->c1 += 1UL; if (st->c1 == 0UL) { st->c2 += 1UL; if (st->c2 == 0UL) st->c3 += 1UL; } }
    ulong x0 = st->c0, x1 = st->c1, x2 = st->c2, x3 = st->c3;
    ulong k0 = st->k0, k1 = st->k1;
    for (uint r = 0; r < 10u; r++) {
        if (r) { k0 += 0x9E3779B97F4A7C15UL; k1 += 0xBB67AE8584CAA73BUL; }
        ulong hi0 = MUL_HI64(x0, 0xD2E7470EE14C6C93UL), lo0 = x0 * 0xD2E7470EE14C6C93UL;
        ulong hi1 = MUL_HI64(x2, 0xCA5A826395121157UL), lo1 = x2 * 0xCA5A826395121157UL;
        x0 = hi1 ^ x1 ^ k0; x1 = lo1; x2 = hi0 ^ x3 ^ k1; x3 = lo0;
    }
    st->b0 = x0; st->b1 = x1; st->b2 = x2; st->b3 = x3;
}

DEVICE void philox4x64_10_seed(philox4x64_10_state *st, ulong seed) {
    uint w[4];
    philox4x64_10_seed_sequence(seed, w);
    st->k0 = (ulong)w[0] | ((ulong)w[1] << 32);
    st->k1 = (ulong)w[2] | ((ulong)w[3] << 32);
    st->c0 = 0UL; st->c1 = 0UL; st->c2 = 0UL; st->c3 = 0UL;
    st->b0 = 0UL; st->b1 = 0UL; st->b2 = 0UL; st->b3 = 0UL;
    st->left = 0u;
}

DEVICE ulong philox4x64_10_next(philox4x64_10_state *st) {
    if (st->left == 0u) { philox4x64_10_block(st); st->left = 4u; }
    ulong v = st->b0;
    st->b0 = st->b1; st->b1 = st->b2; st->b2 = st->b3;
    st->left -= 1u;
    return v;
}
