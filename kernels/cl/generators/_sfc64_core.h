/* Chris Doty-Humphrey's SFC64 step (shifts {24, 11, 3}), shared by sfc64 (numpy's seeding) and
 * legacy_sfc64 (the original system's); the output is a + b + counter before the step. */
#include "_bits64.h"

typedef struct { ulong a, b, c, counter; } sfc64_core_state;

DEVICE ulong sfc64_core_next(sfc64_core_state *st) {
    ulong tmp = st->a + st->b + st->counter;
    st->counter += 1UL;
    st->a = st->b ^ (st->b >> 11);
    st->b = st->c + (st->c << 3);
    st->c = rotl64(st->c, 24) + tmp;
    return tmp;
}
