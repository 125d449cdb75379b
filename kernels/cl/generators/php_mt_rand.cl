/* php_mt_rand: PHP 7.1+ mt_srand(seed) / mt_rand: init_genrand(seed mod 2**32), raw = the tempered
 * word (mt_rand() is raw >> 1).
 *
 * PHP has no MT-based double before 8.3: the stream's default double.
 * The lazy seeding and twisting are shared: see _mt_init_genrand.h. */
#include "_mt_init_genrand.h"

#define php_mt_rand_state mtg_state
#define php_mt_rand_seed mtg_seed
#define php_mt_rand_next mtg_next
