/* php_mt_rand_legacy: PHP 5.2.1..7.0 mt_srand(seed) / mt_rand (PHP 7.1+ with MT_RAND_PHP):
 * init_genrand(seed mod 2**32) and PHP's twist bug; raw = the tempered word.
 *
 * The bug: the matrix term is keyed on the low bit of the *current* word (a below), not
 * of the mixed word y. Doubles: the stream's default.
 * The lazy seeding and twisting are shared: see _mt_init_genrand.h. */
#define MT_TWIST_KEY(a, y) (a)
#include "_mt_init_genrand.h"

#define php_mt_rand_legacy_state mtg_state
#define php_mt_rand_legacy_seed mtg_seed
#define php_mt_rand_legacy_next mtg_next
