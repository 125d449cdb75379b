/* xoroshiro128+ 1.0 (a, b, c = 24, 16, 37), output s[0] + s[1].
 * Seeding: s[0], s[1] = the first two outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). State and step: _xoroshiro128.h. */
#include "_xoroshiro128.h"

#define xoroshiro128plus_state xoroshiro128_state
#define xoroshiro128plus_seed xoroshiro128_seed_splitmix

DEVICE ulong xoroshiro128plus_next(xoroshiro128_state *st) {
    ulong result = st->s0 + st->s1;
    xoroshiro128_step(st);
    return result;
}
