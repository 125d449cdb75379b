/* Marsaglia's xor128 (shifts 11, 8, 19): the paper's state (123456789, 362436069, 521288629,
 * 88675123) with x ^= seed (32-bit seed); the output is the new w. Step: _xor128.h. */
#include "_xor128.h"

#define xorshift128_state xor128_state
#define xorshift128_next xor128_next

DEVICE void xorshift128_seed(xor128_state *st, ulong seed) {
    xor128_start(st, 123456789u ^ (uint)seed);
}
