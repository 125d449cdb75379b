/* splitmix64 (Vigna's splitmix64.c; java.util.SplittableRandom(seed).nextLong()): state = seed. */
#include "_bits64.h"

typedef struct { ulong state; } splitmix64_state;

DEVICE void splitmix64_seed(splitmix64_state *st, ulong seed) {
    st->state = seed;
}

DEVICE ulong splitmix64_next(splitmix64_state *st) {
    st->state += GOLDEN_GAMMA;
    return splitmix64_mix(st->state);
}
