/* xoshiro256** 1.0 (shift 17, rotation 45), output rotl(s[1] * 5, 7) * 9.
 * Seeding: s[0..3] = the first four outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). State and step: _xoshiro256.h. */
#include "_xoshiro256.h"

#define xoshiro256starstar_state xoshiro256_state
#define xoshiro256starstar_seed xoshiro256_seed_splitmix

DEVICE ulong xoshiro256starstar_next(xoshiro256_state *st) {
    ulong result = rotl64(st->s1 * 5UL, 7) * 9UL;
    xoshiro256_step(st);
    return result;
}
