/* php_mt_rand: PHP 7.1+ mt_srand(seed) / mt_rand: init_genrand(seed mod 2**32), raw = the tempered
 * word (mt_rand() is raw >> 1).
 *
 * The double: mt_rand() / mt_getrandmax(), PHP's float idiom before 8.3 (below).
 * The lazy seeding and twisting are shared: see _mt_init_genrand.h. */
#include "_mt_init_genrand.h"

#define php_mt_rand_state mtg_state
#define php_mt_rand_seed mtg_seed
#define php_mt_rand_next mtg_next

/* PHP's float idiom before 8.3, mt_rand() / mt_getrandmax() (_PhpMtDouble in
 * kernels/generators/mersenne_twister.py): one correctly rounded division, as on the host */
#define php_mt_rand_HAS_DOUBLE 1
DEVICE double php_mt_rand_double(php_mt_rand_state *st) {
    return (double)(php_mt_rand_next(st) >> 1) / 2147483647.0;
}
