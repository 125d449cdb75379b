/* numpy.random.SFC64(seed): a, b, c = SeedSequence(seed).generate_state(3, uint64), counter = 1,
 * 12 discarded outputs (sfc64_set_seed); shifts {24, 11, 3}. */
DEVICE uint sfc64_ss_hashmix(uint v, uint k, uint m) { v = (v ^ k) * m; return v ^ (v >> 16); }
DEVICE uint sfc64_ss_mix(uint x, uint y) { uint r = 0xCA01F9DDu * x - 0x4973F715u * y; return r ^ (r >> 16); }
/* numpy SeedSequence(seed).generate_state(6, uint32) for 0 <= seed < 2**64: entropy words
 * (seed low, seed high), hashed into the 4-word pool (mix_entropy), then hashed out; the hash
 * constants do not depend on the data and are written out. Pool words 2 and 3 start as hashmix(0). */
DEVICE void sfc64_seed_sequence(ulong seed, uint *out) {
    uint m0 = sfc64_ss_hashmix((uint)seed, 0x43B0D7E5u, 0xAE5A53A9u);
    uint m1 = sfc64_ss_hashmix((uint)(seed >> 32), 0xAE5A53A9u, 0x8488043Du);
    uint m2 = 0x894CFDD1u;
    uint m3 = 0x30409F75u;
    m1 = sfc64_ss_mix(m1, sfc64_ss_hashmix(m0, 0x9205B1D5u, 0xE9096E59u));
    m2 = sfc64_ss_mix(m2, sfc64_ss_hashmix(m0, 0xE9096E59u, 0x8D5CB6ADu));
    m3 = sfc64_ss_mix(m3, sfc64_ss_hashmix(m0, 0x8D5CB6ADu, 0x9BB16511u));
    m0 = sfc64_ss_mix(m0, sfc64_ss_hashmix(m1, 0x9BB16511u, 0x00C238C5u));
    m2 = sfc64_ss_mix(m2, sfc64_ss_hashmix(m1, 0x00C238C5u, 0x4D029A09u));
    m3 = sfc64_ss_mix(m3, sfc64_ss_hashmix(m1, 0x4D029A09u, 0xCC132E1Du));
    m0 = sfc64_ss_mix(m0, sfc64_ss_hashmix(m2, 0xCC132E1Du, 0x83A97B41u));
    m1 = sfc64_ss_mix(m1, sfc64_ss_hashmix(m2, 0x83A97B41u, 0xFA8DDCB5u));
    m3 = sfc64_ss_mix(m3, sfc64_ss_hashmix(m2, 0xFA8DDCB5u, 0xAC4C06B9u));
    m0 = sfc64_ss_mix(m0, sfc64_ss_hashmix(m3, 0xAC4C06B9u, 0x26FF5A8Du));
    m1 = sfc64_ss_mix(m1, sfc64_ss_hashmix(m3, 0x26FF5A8Du, 0x0E554A71u));
    m2 = sfc64_ss_mix(m2, sfc64_ss_hashmix(m3, 0x0E554A71u, 0x78C50DA5u));
    out[0] = sfc64_ss_hashmix(m0, 0x8B51F9DDu, 0x464A0A99u);
    out[1] = sfc64_ss_hashmix(m1, 0x464A0A99u, 0x819D14A5u);
    out[2] = sfc64_ss_hashmix(m2, 0x819D14A5u, 0xD369FDC1u);
    out[3] = sfc64_ss_hashmix(m3, 0xD369FDC1u, 0x501638ADu);
    out[4] = sfc64_ss_hashmix(m0, 0x501638ADu, 0xA600C129u);
    out[5] = sfc64_ss_hashmix(m1, 0xA600C129u, 0x8B0167F5u);
}

#include "_sfc64_core.h"

#define sfc64_state sfc64_core_state
#define sfc64_next sfc64_core_next

DEVICE void sfc64_seed(sfc64_state *st, ulong seed) {
    uint w[6];
    sfc64_seed_sequence(seed, w);
    st->a = (ulong)w[0] | ((ulong)w[1] << 32);
    st->b = (ulong)w[2] | ((ulong)w[3] << 32);
    st->c = (ulong)w[4] | ((ulong)w[5] << 32);
    st->counter = 1UL;
    for (uint i = 0; i < 12u; i++) sfc64_next(st);
}
