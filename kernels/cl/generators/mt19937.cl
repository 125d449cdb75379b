/* mt19937: C++11 std::mt19937(seed) (libstdc++): init_genrand(seed mod 2**32); raw = the
 * tempered word.
 *
 * Doubles are std::generate_canonical<double, 53> (std::uniform_real_distribution):
 * two outputs a, b, (a + b * 2**32) / 2**64 rounded once, clamped below 1.
 * The lazy seeding and twisting are shared: see _mt_init_genrand.h. */
#include "_mt_init_genrand.h"

#define mt19937_state mtg_state
#define mt19937_seed mtg_seed
#define mt19937_next mtg_next

/* std::generate_canonical<double, 53>: (a + b 2**32) / 2**64, rounded once; 1.0 becomes the
 * largest double below 1 (libstdc++'s clamp) */
#define mt19937_HAS_DOUBLE 1
DEVICE double mt19937_double(mt19937_state *st) {
    double low = (double)mt19937_next(st);
    double value = (low + (double)mt19937_next(st) * 4294967296.0) * (1.0 / 18446744073709551616.0);
    return value < 1.0 ? value : 0.99999999999999988898;
}
