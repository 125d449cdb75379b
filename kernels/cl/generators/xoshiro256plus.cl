/* xoshiro256+ 1.0 (shift 17, rotation 45), output s[0] + s[3].
 * Seeding: s[0..3] = the first four outputs of splitmix64 started at the seed (the authors'
 * recommendation; rand_xoshiro seed_from_u64). State and step: _xoshiro256.h. */
#include "_xoshiro256.h"

#define xoshiro256plus_state xoshiro256_state
#define xoshiro256plus_seed xoshiro256_seed_splitmix

DEVICE ulong xoshiro256plus_next(xoshiro256_state *st) {
    ulong result = st->s0 + st->s3;
    xoshiro256_step(st);
    return result;
}
