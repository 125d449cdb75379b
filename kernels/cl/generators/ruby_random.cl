/* ruby_random: Ruby 3.x Random.new(n) for 0 <= n < 2**64: the 32-bit words of n, least
 * significant first, a top word equal to 1 dropped (Ruby's leading-zero guard: 2**32 + k seeds
 * like k); one word left means init_genrand(word), two mean init_by_array([low, high]). Raw =
 * rand(2**32), the tempered word; doubles (genrand_res53) are the stream's default.
 *
 * One-word seeds (n < 2**33) are what a seed search meets: they take the lazy init_genrand
 * path of _mt_init_genrand.h. Two-word seeds (n >= 2**33) take its table path from output 0 on
 * (init_by_array into the never-inlined table function), 4 outputs per rebuild: exact, far
 * slower (about 2500 scalar steps per seed). */
#define MTG_TWO_WORD_KEYS 1
#include "_mt_init_genrand.h"

#define ruby_random_state mtg_state
#define ruby_random_next mtg_next

DEVICE void ruby_random_seed(mtg_state *st, ulong seed) {
    uint high = (uint)(seed >> 32);
    mtg_seed(st, seed);                       /* init_genrand of the low word */
    mtg_set_high(st, high > 1u ? high : 0u);  /* high == 1: the dropped top word */
}
