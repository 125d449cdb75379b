/* The init_genrand MT19937 family made lazy, shared by mt19937, numpy_random_state, php_mt_rand,
 * php_mt_rand_legacy and ruby_random (each port includes it; kernels/sieve/kernel_source.py
 * inlines it, and the MT19937 pieces of _mt19937.h with it). A port may define
 * MT_TWIST_KEY(a, y) first (see _mt19937.h), and MTG_TWO_WORD_KEYS where a seed may be a
 * two-word init_by_array key (mtg_set_high below).
 *
 * MT19937 made lazy (the way php_mt_seed searches seeds). I[0..623] are the init_genrand words
 * (I[0] = seed, I[i] = 1812433253 (I[i-1] ^ (I[i-1] >> 30)) + i) and T[k] the word output k
 * tempers; twisting word by word in index order, as the reference's loop does, gives
 *     T[k] = tw(I[k], I[k+1], I[k+397])   k < 227
 *     T[k] = tw(I[k], I[k+1], T[k-227])   227 <= k < 623
 *     T[623] = tw(I[623], T[0], T[396])
 * where tw(a, b, far) = far ^ (y >> 1) ^ (y odd ? 0x9908B0DF : 0), y = upper bit of a |
 * lower 31 bits of b. Unrolling the T[k-227] terms, output k < 624 is a chain over the words
 * k, k-227, k-454 (those >= 0) ending in I[(k mod 227) + 397]: nothing but these few words is
 * ever stored.
 *
 * - Seeding (the hot path of a seed search) walks init_genrand to I[398] and leaves output 0
 *   ready: 398 multiply-xor-shift steps, no array; on pocl's CPU devices unrolled with a barrier
 *   every 3 steps (SIMD across seeds, about 18 times faster; see _mt19937.h).
 * - Outputs 1..623 come from walkers over the init chain (one step per walker per output: two
 *   before output 227, three, then four from output 454 on); the chains restart from I[397]
 *   at outputs 227 and 454 and T[623] needs T[0]: those few values are recomputed from the seed
 *   when needed rather than kept.
 * - Outputs 624 and beyond (a second twist) need the whole state: a separate, never-inlined
 *   function rebuilds the 624-word table in its own frame, from the seed, and returns the next 4
 *   outputs by value. The state itself stays small and exact for any stream length (below
 *   2**32 - 4 outputs), at about 624 (blocks + 1) steps per 4 outputs past the first block. */
#include "_mt19937.h"

typedef struct {
    uint k;      /* index of the next output */
    uint out;    /* output 0, tempered (seeding leaves it ready) */
    uint seed;
    uint a;      /* walkers, before output k (1 <= k < 624): I[k] */
    uint b;      /* I[k - 227], from output 227 on */
    uint c;      /* I[k - 454], from output 454 on */
    uint f;      /* I[(k mod 227) + 397] */
    uint tk;     /* table path: outputs tk, tk + 1, tk + 2 are q1, q2, q3 */
    uint q1, q2, q3;
#ifdef MTG_TWO_WORD_KEYS
    uint high;   /* the high word of a two-word key, else 0 */
#endif
} mtg_state;

#ifdef MTG_TWO_WORD_KEYS
#define mtg_HIGH(st) ((st)->high)
#else
#define mtg_HIGH(st) 0u
#endif

/* outputs k .. k + 3 from scratch: init_genrand(seed) (high = 0) or init_by_array([seed, high])
 * into a table, then the reference's in-place twist */
mt_NOINLINE mt_quad mtg_table(uint seed, uint high, uint k) {
    uint mt[624];
#ifdef MTG_TWO_WORD_KEYS
    if (high)
        mt_init_by_array(mt, seed, high + 1u);
    else
#endif
        mt_init_genrand(mt, seed);
    return mt_twist_quad(mt, k);
}

#ifdef mt_VECTOR_SEEDING
/* three init_genrand steps, then a barrier */
#define mtg_S(i) x = mt_init_step(x, (i));
#define mtg_S3(i) \
    mtg_S(i) mtg_S((i) + 1u) mtg_S((i) + 2u) \
    mt_SYNC();
#define mtg_S9(i) \
    mtg_S3(i) mtg_S3((i) + 3u) mtg_S3((i) + 6u)
#define mtg_S27(i) \
    mtg_S9(i) mtg_S9((i) + 9u) mtg_S9((i) + 18u)
#define mtg_S81(i) \
    mtg_S27(i) mtg_S27((i) + 27u) mtg_S27((i) + 54u)

/* I[1], I[397], I[398] and output 0 of init_genrand(seed). What the first region (before the
 * first barrier) computes is stored at once; what the last one computes is stored past the last
 * barrier: loads of the same value in two regions, or strided stores into the state, would keep
 * the regions in between from vectorizing */
DEVICE void mtg_walk_in(mtg_state *st, uint seed) {
    uint x = seed;
    mtg_S(1u)
    st->seed = seed;
    st->a = x;
    uint m0 = mt_tw(seed, x, 0u);  /* T[0] = I[397] ^ m0 */
    mtg_S(2u) mt_SYNC();
    mtg_S81(3u) mtg_S81(84u)        /* 3 .. 164 */
    mtg_S81(165u) mtg_S81(246u)     /* .. 326 */
    mtg_S27(327u) mtg_S27(354u)     /* .. 380 */
    mtg_S9(381u) mtg_S3(390u)       /* .. 392 */
    mtg_S3(393u) mtg_S(396u) mtg_S(397u)
    uint out = mt_temper(x ^ m0);
    mtg_S(398u)
    mt_SYNC();
    st->out = out;
    st->f = x;
}
#endif

DEVICE void mtg_seed(mtg_state *st, ulong seed) {
    uint s = (uint)(seed & 0xFFFFFFFFUL);
#ifdef mt_VECTOR_SEEDING
    /* the barriers are legal where every item of the group is seeded: all groups but the last */
    if (get_group_id(0) + 1u < get_num_groups(0)) {
        mtg_walk_in(st, s);
    } else
#endif
    {
        uint x = s;
        x = mt_init_step(x, 1u);
        uint i1 = x;
        for (uint i = 2u; i <= 397u; i++) x = mt_init_step(x, i);
        st->out = mt_temper(mt_tw(s, i1, x));
        st->seed = s;
        st->a = i1;
        st->f = mt_init_step(x, 398u);
    }
    st->k = 0u;
}

/* I[397] of init_genrand(seed) */
DEVICE uint mtg_i397(uint seed) {
    uint x = seed;
    for (uint i = 1u; i <= 397u; i++) x = mt_init_step(x, i);
    return x;
}

/* output k >= 1: from the walkers below 624 (which then move on to k + 1), else (and for
 * two-word keys) from the table, 4 outputs at a time. Out of line: the hot path is output 0,
 * and a small next() inlines. */
mt_NOINLINE uint mtg_later(mtg_state *st, uint k) {
    if (k >= 624u || mtg_HIGH(st)) {
        uint held = k - st->tk;  /* tk is set at k = 624 (the first rebuild) or by mtg_set_high */
        if ((mtg_HIGH(st) || k != 624u) && held < 3u)
            return held == 0u ? st->q1 : held == 1u ? st->q2 : st->q3;
        mt_quad q = mtg_table(st->seed, mtg_HIGH(st), k);
        st->tk = k + 1u;
        st->q1 = q.w1; st->q2 = q.w2; st->q3 = q.w3;
        return q.w0;
    }
    uint p = k >= 454u ? k - 454u : k >= 227u ? k - 227u : k;  /* innermost word of the chain */
    uint v = st->f;                                               /* I[p + 397] */
    if (k >= 454u) {
        uint c1 = mt_init_step(st->c, k - 453u);
        v = mt_tw(st->c, c1, v);                              /* T[k - 454] */
        st->c = c1;
    }
    if (k >= 227u) {
        uint b1 = mt_init_step(st->b, k - 226u);
        v = mt_tw(st->b, b1, v);                              /* T[k - 227] */
        st->b = b1;
    }
    uint a1;                                                      /* I[k + 1], or T[0] */
    if (k == 623u) {
        uint s = st->seed;
        uint i1 = mt_init_step(s, 1u);
        a1 = mt_tw(s, i1, mtg_i397(s));
    } else {
        a1 = mt_init_step(st->a, k + 1u);
    }
    v = mt_tw(st->a, a1, v);                                  /* T[k] */
    st->a = a1;
    if (p == 226u) {  /* the next output's chain is one word longer and starts again at I[0] */
        st->f = mtg_i397(st->seed);
        if (k == 226u) st->b = st->seed; else st->c = st->seed;
    } else {
        st->f = mt_init_step(st->f, p + 398u);
    }
    return mt_temper(v);
}

#ifdef MTG_TWO_WORD_KEYS
/* after mtg_seed(st, seed): make the key [seed, high] if high != 0 (every output then comes
 * from the table, init_by_array into it, from output 0 on), else keep init_genrand(seed). On
 * pocl the group has run the SIMD init_genrand of the low word for every item either way,
 * which keeps the barriers uniform: whether a key has two words is per work item. */
DEVICE void mtg_set_high(mtg_state *st, uint high) {
    st->high = high;
    if (high) {
        mt_quad q = mtg_table(st->seed, high, 0u);
        st->out = q.w0;
        st->tk = 1u;
        st->q1 = q.w1; st->q2 = q.w2; st->q3 = q.w3;
    }
}
#endif

DEVICE ulong mtg_next(mtg_state *st) {
    uint k = st->k;
    st->k = k + 1u;
    if (k == 0u) return st->out;
    return mtg_later(st, k);
}
