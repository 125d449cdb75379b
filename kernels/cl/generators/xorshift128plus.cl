/* Vigna's xorshift128+ (shifts 23, 18, 5; the current version, returning s0 + s1 before the
 * step), s0, s1 = the first two outputs of splitmix64 started at the seed. */
#include "_bits64.h"

typedef struct { ulong s0, s1; } xorshift128plus_state;

DEVICE void xorshift128plus_seed(xorshift128plus_state *st, ulong seed) {
    st->s0 = splitmix64_output(seed, 1UL);
    st->s1 = splitmix64_output(seed, 2UL);
}

DEVICE ulong xorshift128plus_next(xorshift128plus_state *st) {
    ulong a = st->s0, b = st->s1;
    ulong result = a + b;
    a ^= a << 23;
    st->s0 = b;
    st->s1 = a ^ b ^ (a >> 18) ^ (b >> 5);
    return result;
}
