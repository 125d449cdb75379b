/* legacy_sfc64 (sfc64_cpu): the SFC64 step seeded a = seed, b = 0x9E3779B97F4A7C15,
 * c = 0x6A09E667F3BCC908, counter = 1, with no discarded rounds; raw = a + b + counter. */
#include "_sfc64_core.h"

#define legacy_sfc64_state sfc64_core_state
#define legacy_sfc64_next sfc64_core_next

DEVICE void legacy_sfc64_seed(sfc64_core_state *st, ulong seed) {
    st->a = seed;
    st->b = 0x9E3779B97F4A7C15UL;
    st->c = 0x6A09E667F3BCC908UL;
    st->counter = 1UL;
}
