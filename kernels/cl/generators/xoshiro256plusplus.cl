/* xoshiro256++ 1.0 (shift 17, rotation 45), output rotl(s[0] + s[3], 23) + s[0].
 * Seeding: s[0..3] = the first four outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). State and step: _xoshiro256.h. */
#include "_xoshiro256.h"

#define xoshiro256plusplus_state xoshiro256_state
#define xoshiro256plusplus_seed xoshiro256_seed_splitmix

DEVICE ulong xoshiro256plusplus_next(xoshiro256_state *st) {
    ulong result = rotl64(st->s0 + st->s3, 23) + st->s0;
    xoshiro256_step(st);
    return result;
}
