/* Lemire's lehmer64 (testingRNG): 128-bit state (hi, lo) multiplied by 0xda942042e4dd58b5, output
 * the high word after the multiply; lehmer64_seed(seed): hi = splitmix64 mix of seed + gamma,
 * lo = mix of seed + 2 gamma. */
#include "_bits64.h"

typedef struct { ulong hi, lo; } lehmer64_state;

DEVICE void lehmer64_seed(lehmer64_state *st, ulong seed) {
    st->hi = splitmix64_output(seed, 1UL);
    st->lo = splitmix64_output(seed, 2UL);
}

DEVICE ulong lehmer64_next(lehmer64_state *st) {
    ulong lo = st->lo;
    st->hi = MUL_HI64(lo, 0xDA942042E4DD58B5UL) + st->hi * 0xDA942042E4DD58B5UL;
    st->lo = lo * 0xDA942042E4DD58B5UL;
    return st->hi;
}
