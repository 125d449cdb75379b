/* php_mt_rand_legacy: PHP 5.2.1..7.0 mt_srand(seed) / mt_rand (PHP 7.1+ with MT_RAND_PHP):
 * init_genrand(seed mod 2**32) and PHP's twist bug; raw = the tempered word.
 *
 * The bug: the matrix term is keyed on the low bit of the *current* word (a below), not
 * of the mixed word y. Doubles: mt_rand() / mt_getrandmax() (below).
 * The lazy seeding and twisting are shared: see _mt_init_genrand.h. */
#define MT_TWIST_KEY(a, y) (a)
#include "_mt_init_genrand.h"

#define php_mt_rand_legacy_state mtg_state
#define php_mt_rand_legacy_seed mtg_seed
#define php_mt_rand_legacy_next mtg_next

/* PHP's float idiom before 8.3, mt_rand() / mt_getrandmax() (_PhpMtDouble in
 * kernels/generators/mersenne_twister.py): one correctly rounded division, as on the host */
#define php_mt_rand_legacy_HAS_DOUBLE 1
DEVICE double php_mt_rand_legacy_double(php_mt_rand_legacy_state *st) {
    return (double)(php_mt_rand_legacy_next(st) >> 1) / 2147483647.0;
}
