/* legacy_xorshift128 (xorshift128_cpu): Marsaglia xor128 with x = seed & 0xFFFFFFFF and his
 * defaults y = 362436069, z = 521288629, w = 88675123; raw = the new w. Step: _xor128.h. */
#include "_xor128.h"

#define legacy_xorshift128_state xor128_state
#define legacy_xorshift128_next xor128_next

DEVICE void legacy_xorshift128_seed(xor128_state *st, ulong seed) {
    xor128_start(st, (uint)(seed & 0xFFFFFFFFUL));
}
