/* Lua 5.4's math.random: xoshiro256** (_xoshiro256.h) seeded as math.randomseed(seed) seeds it
 * (lmathlib.c setseed): s = {seed, 0xff, 0, 0}, then 16 outputs discarded. */
#include "_xoshiro256.h"

#define lua54_random_state xoshiro256_state

DEVICE ulong lua54_random_next(xoshiro256_state *st) {
    ulong result = xoshiro256_starstar_output(st);
    xoshiro256_step(st);
    return result;
}

DEVICE void lua54_random_seed(xoshiro256_state *st, ulong seed) {
    st->s0 = seed; st->s1 = 0xFFUL; st->s2 = 0UL; st->s3 = 0UL;
    for (int i = 0; i < 16; i++) xoshiro256_step(st);
}
