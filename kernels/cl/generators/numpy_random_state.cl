/* numpy_random_state: numpy.random.RandomState(seed): init_genrand(seed), raw = the tempered word.
 *
 * Doubles are genrand_res53, the stream's default double: no _double here.
 * The lazy seeding and twisting are shared: see _mt_init_genrand.h. */
#include "_mt_init_genrand.h"

#define numpy_random_state_state mtg_state
#define numpy_random_state_seed mtg_seed
#define numpy_random_state_next mtg_next
