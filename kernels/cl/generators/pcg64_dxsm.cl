/* numpy.random.PCG64DXSM(seed): seeded exactly like PCG64 (SeedSequence(seed).generate_state(4,
 * uint64) = [s_hi, s_lo, i_hi, i_lo], pcg_setseq_128_srandom_r with the *default* 128-bit
 * multiplier), then steps with the 64-bit cheap multiplier; raw output = DXSM of the state before
 * the step. 128-bit values as (hi, lo) ulong pairs. */
DEVICE uint pcg64_dxsm_ss_hashmix(uint v, uint k, uint m) { v = (v ^ k) * m; return v ^ (v >> 16); }
DEVICE uint pcg64_dxsm_ss_mix(uint x, uint y) { uint r = 0xCA01F9DDu * x - 0x4973F715u * y; return r ^ (r >> 16); }
/* numpy SeedSequence(seed).generate_state(8, uint32) for 0 <= seed < 2**64: entropy words
 * (seed low, seed high), hashed into the 4-word pool (mix_entropy), then hashed out; the hash
 * constants do not depend on the data and are written out. Pool words 2 and 3 start as hashmix(0). */
DEVICE void pcg64_dxsm_seed_sequence(ulong seed, uint *out) {
    uint m0 = pcg64_dxsm_ss_hashmix((uint)seed, 0x43B0D7E5u, 0xAE5A53A9u);
    uint m1 = pcg64_dxsm_ss_hashmix((uint)(seed >> 32), 0xAE5A53A9u, 0x8488043Du);
    uint m2 = 0x894CFDD1u;
    uint m3 = 0x30409F75u;
    m1 = pcg64_dxsm_ss_mix(m1, pcg64_dxsm_ss_hashmix(m0, 0x9205B1D5u, 0xE9096E59u));
    m2 = pcg64_dxsm_ss_mix(m2, pcg64_dxsm_ss_hashmix(m0, 0xE9096E59u, 0x8D5CB6ADu));
    m3 = pcg64_dxsm_ss_mix(m3, pcg64_dxsm_ss_hashmix(m0, 0x8D5CB6ADu, 0x9BB16511u));
    m0 = pcg64_dxsm_ss_mix(m0, pcg64_dxsm_ss_hashmix(m1, 0x9BB16511u, 0x00C238C5u));
    m2 = pcg64_dxsm_ss_mix(m2, pcg64_dxsm_ss_hashmix(m1, 0x00C238C5u, 0x4D029A09u));
    m3 = pcg64_dxsm_ss_mix(m3, pcg64_dxsm_ss_hashmix(m1, 0x4D029A09u, 0xCC132E1Du));
    m0 = pcg64_dxsm_ss_mix(m0, pcg64_dxsm_ss_hashmix(m2, 0xCC132E1Du, 0x83A97B41u));
    m1 = pcg64_dxsm_ss_mix(m1, pcg64_dxsm_ss_hashmix(m2, 0x83A97B41u, 0xFA8DDCB5u));
    m3 = pcg64_dxsm_ss_mix(m3, pcg64_dxsm_ss_hashmix(m2, 0xFA8DDCB5u, 0xAC4C06B9u));
    m0 = pcg64_dxsm_ss_mix(m0, pcg64_dxsm_ss_hashmix(m3, 0xAC4C06B9u, 0x26FF5A8Du));
    m1 = pcg64_dxsm_ss_mix(m1, pcg64_dxsm_ss_hashmix(m3, 0x26FF5A8Du, 0x0E554A71u));
    m2 = pcg64_dxsm_ss_mix(m2, pcg64_dxsm_ss_hashmix(m3, 0x0E554A71u, 0x78C50DA5u));
    out[0] = pcg64_dxsm_ss_hashmix(m0, 0x8B51F9DDu, 0x464A0A99u);
    out[1] = pcg64_dxsm_ss_hashmix(m1, 0x464A0A99u, 0x819D14A5u);
    out[2] = pcg64_dxsm_ss_hashmix(m2, 0x819D14A5u, 0xD369FDC1u);
    out[3] = pcg64_dxsm_ss_hashmix(m3, 0xD369FDC1u, 0x501638ADu);
    out[4] = pcg64_dxsm_ss_hashmix(m0, 0x501638ADu, 0xA600C129u);
    out[5] = pcg64_dxsm_ss_hashmix(m1, 0xA600C129u, 0x8B0167F5u);
    out[6] = pcg64_dxsm_ss_hashmix(m2, 0x8B0167F5u, 0x5C1E2ED1u);
    out[7] = pcg64_dxsm_ss_hashmix(m3, 0x5C1E2ED1u, 0x301D747Du);
}

typedef struct { ulong hi, lo, inc_hi, inc_lo; } pcg64_dxsm_state;

#define pcg64_dxsm_SEED_MULT_HI 0x2360ED051FC65DA4UL
#define pcg64_dxsm_SEED_MULT_LO 0x4385DF649FCCF645UL
#define pcg64_dxsm_CHEAP_MULT 0xDA942042E4DD58B5UL

DEVICE void pcg64_dxsm_seed(pcg64_dxsm_state *st, ulong seed) {
    uint w[8];
    pcg64_dxsm_seed_sequence(seed, w);
    ulong s_hi = (ulong)w[0] | ((ulong)w[1] << 32), s_lo = (ulong)w[2] | ((ulong)w[3] << 32);
    ulong i_hi = (ulong)w[4] | ((ulong)w[5] << 32), i_lo = (ulong)w[6] | ((ulong)w[7] << 32);
    ulong inc_hi = (i_hi << 1) | (i_lo >> 63), inc_lo = (i_lo << 1) | 1UL;
    st->inc_hi = inc_hi;
    st->inc_lo = inc_lo;
    /* state = inc + initstate, then state * SEED_MULT + inc */
    ulong lo = inc_lo + s_lo;
    ulong hi = inc_hi + s_hi + (lo < s_lo ? 1UL : 0UL);
    ulong p_lo = lo * pcg64_dxsm_SEED_MULT_LO;
    ulong p_hi = MUL_HI64(lo, pcg64_dxsm_SEED_MULT_LO) + lo * pcg64_dxsm_SEED_MULT_HI
                 + hi * pcg64_dxsm_SEED_MULT_LO;
    st->lo = p_lo + inc_lo;
    st->hi = p_hi + inc_hi + (st->lo < p_lo ? 1UL : 0UL);
}

DEVICE ulong pcg64_dxsm_next(pcg64_dxsm_state *st) {
    ulong hi = st->hi, lo = st->lo;
    /* step: state * CHEAP_MULT + inc */
    ulong p_lo = lo * pcg64_dxsm_CHEAP_MULT;
    ulong p_hi = MUL_HI64(lo, pcg64_dxsm_CHEAP_MULT) + hi * pcg64_dxsm_CHEAP_MULT;
    st->lo = p_lo + st->inc_lo;
    st->hi = p_hi + st->inc_hi + (st->lo < p_lo ? 1UL : 0UL);
    hi ^= hi >> 32;
    hi *= pcg64_dxsm_CHEAP_MULT;
    hi ^= hi >> 48;
    return hi * (lo | 1UL);
}
