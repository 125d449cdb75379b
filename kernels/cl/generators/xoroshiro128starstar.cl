/* xoroshiro128** 1.0 (a, b, c = 24, 16, 37), output rotl(s[0] * 5, 7) * 9.
 * Seeding: s[0], s[1] = the first two outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). State and step: _xoroshiro128.h. */
#include "_xoroshiro128.h"

#define xoroshiro128starstar_state xoroshiro128_state
#define xoroshiro128starstar_seed xoroshiro128_seed_splitmix

DEVICE ulong xoroshiro128starstar_next(xoroshiro128_state *st) {
    ulong result = rotl64(st->s0 * 5UL, 7) * 9UL;
    xoroshiro128_step(st);
    return result;
}
