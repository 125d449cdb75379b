/* cpython_random: CPython random.seed(n) / random.Random(n) for 0 <= n < 2**64: init_by_array
 * over the 32-bit words of n, least significant first (key [low] below 2**32, [low, high] from
 * there on). Raw = getrandbits(32), the tempered word; doubles (genrand_res53) are the stream's
 * default.
 *
 * init_by_array starts from init_genrand(19650218) (B[i] below: the same for every seed) and
 * runs two passes over the table, each a chain of dependent steps:
 *     pass 1, s = 0..623:  C[s] = (B' ^ (C[s-1] ^ C[s-1] >> 30) * 1664525) + w(s)
 *                          (B' = B[s+1], C[-1] = B[0]; at s = 623 the index has wrapped: B' = C[0])
 *     pass 2, s = 0..622:  D[s] = (C[s+1] ^ (D[s-1] ^ D[s-1] >> 30) * 1566083941) - (s+2)
 *                          (D[-1] = C[623]; at s = 622 the index has wrapped: C[623] and -1)
 * with w(s) = low for even s, and for odd s: high + 1 with two words, low with one. The state is
 * then F[0] = 0x80000000, F[1] = D[622], F[i] = D[i-2], and output k < 227 tempers
 * tw(F[k], F[k+1], F[k+397]). F[1] is the last word computed: the first output needs both passes
 * whole, however lazy the port: 1247 chained steps per seed. (The loops below walk C again beside
 * D instead of storing it; in the unrolled SIMD form LLVM keeps the C words instead, about 160 KB
 * per work group of 64.)
 *
 * - Seeding computes outputs 0..3 (they need D[0..2], D[395..398] and D[622], kept on the way)
 *   and leaves two walkers, at F[4] and F[401] with the C and B words they continue from.
 * - Outputs 4..226 come from the walkers: 3 steps each (B, C, D) per output.
 * - Outputs 227 and beyond (whose twist reads twisted words) come from a separate, never-inlined
 *   function that runs init_by_array into a 624-word table in its own frame and twists it word
 *   by word, as the reference's loop does, block after block; it returns 4 outputs by value.
 *   The state stays small (pocl keeps one copy per work item of a work group on one thread's
 *   stack) and exact for any stream length (below 2**32 - 4 outputs), at about 1900 + 624
 *   (blocks + 1) steps per 4 outputs.
 *
 * On pocl's CPU devices, seeding is unrolled with a barrier every 3 steps (see _mt19937.h):
 * SIMD across seeds (B, the same for all, folds into constants), about 20 times faster than the
 * plain loops. */
#include "_mt19937.h"

typedef struct {
    uint k;               /* index of the next output */
    uint o0, o1, o2, o3;  /* outputs 0..3, tempered */
    uint low, high;       /* the key; high = 0 for a one-word key */
    uint bn, cn, fn;      /* walkers, before output k (4 <= k < 227): B[k], C[k-1], F[k] */
    uint bf, cf, ff;      /* B[k+397], C[k+396], F[k+397] */
    uint tk;              /* past output 226: outputs tk, tk + 1, tk + 2 are q1, q2, q3 */
    uint q1, q2, q3;
} cpython_random_state;

/* B[4] and B[401] of init_genrand(19650218), where the walkers start */
#define cpython_random_B4 0x2AE75DB7u
#define cpython_random_B401 0x12444C26u

/* outputs k .. k + 3 from scratch: init_by_array into a table, as the reference does, then its
 * in-place twist */
mt_NOINLINE mt_quad cpython_random_table(uint low, uint high, uint k) {
    uint mt[624];
    mt_init_by_array(mt, low, high ? high + 1u : low);
    return mt_twist_quad(mt, k);
}

DEVICE void cpython_random_finish(cpython_random_state *st, uint f1, uint f2, uint f3, uint f4,
                                  uint f397, uint f398, uint f399, uint f400) {
    st->o0 = mt_temper(mt_tw(0x80000000u, f1, f397));
    st->o1 = mt_temper(mt_tw(f1, f2, f398));
    st->o2 = mt_temper(mt_tw(f2, f3, f399));
    st->o3 = mt_temper(mt_tw(f3, f4, f400));
}

#ifdef mt_VECTOR_SEEDING
/* pass 1, step s: the B chain folds into constants once unrolled */
#define cpython_random_P1(s) \
    b = mt_init_step(b, (s) + 1u); \
    x = (b ^ mt_mix(x, 1664525u)) + (((s) & 1u) ? wodd : low);
/* pass 2, step s: C[s+1] again, then D[s] */
#define cpython_random_P2(s) \
    b = mt_init_step(b, (s) + 2u); \
    c = (b ^ mt_mix(c, 1664525u)) + (((s) & 1u) ? low : wodd); \
    d = (c ^ mt_mix(d, 1566083941u)) - ((s) + 2u);
/* groups of steps, a barrier after every 3 */
#define cpython_random_A3(s) \
    cpython_random_P1(s) cpython_random_P1((s) + 1u) cpython_random_P1((s) + 2u) \
    mt_SYNC();
#define cpython_random_A9(s) \
    cpython_random_A3(s) cpython_random_A3((s) + 3u) cpython_random_A3((s) + 6u)
#define cpython_random_A27(s) \
    cpython_random_A9(s) cpython_random_A9((s) + 9u) cpython_random_A9((s) + 18u)
#define cpython_random_A81(s) \
    cpython_random_A27(s) cpython_random_A27((s) + 27u) cpython_random_A27((s) + 54u)
#define cpython_random_B3(s) \
    cpython_random_P2(s) cpython_random_P2((s) + 1u) cpython_random_P2((s) + 2u) \
    mt_SYNC();
#define cpython_random_B9(s) \
    cpython_random_B3(s) cpython_random_B3((s) + 3u) cpython_random_B3((s) + 6u)
#define cpython_random_B27(s) \
    cpython_random_B9(s) cpython_random_B9((s) + 9u) cpython_random_B9((s) + 18u)
#define cpython_random_B81(s) \
    cpython_random_B27(s) cpython_random_B27((s) + 27u) cpython_random_B27((s) + 54u)

/* both passes unrolled, outputs 0..3; the state is written past the last barrier (strided
 * stores into it would keep the region before from vectorizing) */
DEVICE void cpython_random_walk_in(cpython_random_state *st, uint low_in, uint wodd_in) {
    /* the key words pass through a volatile once, in a region of their own: values computed
     * before the guard's branch would otherwise stay visible to LLVM's load PRE in every region
     * that reads them, and none of those regions would vectorize */
    mt_SYNC();
    volatile uint key_low = low_in, key_odd = wodd_in;
    uint low = key_low, wodd = key_odd;
    mt_SYNC();
    uint b = 19650218u, x = 19650218u;
    cpython_random_P1(0u)
    uint c0 = x;                                                 /* C[0] */
    cpython_random_P1(1u) cpython_random_P1(2u) mt_SYNC();
    cpython_random_A81(3u) cpython_random_A81(84u)               /* 3 .. 164 */
    cpython_random_A81(165u) cpython_random_A81(246u)            /* .. 326 */
    cpython_random_A81(327u) cpython_random_A81(408u)            /* .. 488 */
    cpython_random_A81(489u) cpython_random_A27(570u)            /* .. 596 */
    cpython_random_A9(597u) cpython_random_A9(606u)              /* .. 614 */
    cpython_random_A3(615u) cpython_random_A3(618u)              /* .. 620 */
    cpython_random_P1(621u) cpython_random_P1(622u)
    x = (c0 ^ mt_mix(x, 1664525u)) + wodd;           /* C[623] */
    uint c623 = x;
    mt_SYNC();
    uint c = c0, d = c623;
    b = mt_init_step(19650218u, 1u);
    cpython_random_P2(0u)
    uint f2 = d;
    cpython_random_P2(1u)
    uint f3 = d;
    cpython_random_P2(2u)
    uint f4 = d, c3 = c;
    mt_SYNC();
    cpython_random_B81(3u) cpython_random_B81(84u)               /* 3 .. 164 */
    cpython_random_B81(165u) cpython_random_B81(246u)            /* .. 326 */
    cpython_random_B27(327u) cpython_random_B27(354u)            /* .. 380 */
    cpython_random_B9(381u) cpython_random_B3(390u)              /* .. 392 */
    cpython_random_P2(393u) cpython_random_P2(394u) cpython_random_P2(395u)
    uint f397 = d;
    mt_SYNC();
    cpython_random_P2(396u)
    uint f398 = d;
    cpython_random_P2(397u)
    uint f399 = d;
    cpython_random_P2(398u)
    uint f400 = d;
    cpython_random_P2(399u)
    uint f401 = d, c400 = c;
    mt_SYNC();
    cpython_random_B81(400u) cpython_random_B81(481u)            /* 400 .. 561 */
    cpython_random_B27(562u) cpython_random_B27(589u)            /* .. 615 */
    cpython_random_B3(616u) cpython_random_B3(619u)              /* .. 621 */
    d = (c623 ^ mt_mix(d, 1566083941u)) - 1u;        /* D[622] = F[1] */
    uint o0 = mt_temper(mt_tw(0x80000000u, d, f397));
    uint o1 = mt_temper(mt_tw(d, f2, f398));
    uint o2 = mt_temper(mt_tw(f2, f3, f399));
    uint o3 = mt_temper(mt_tw(f3, f4, f400));
    mt_SYNC();
    st->o0 = o0; st->o1 = o1; st->o2 = o2; st->o3 = o3;
    st->cn = c3; st->fn = f4;
    st->cf = c400; st->ff = f401;
}
#endif

DEVICE void cpython_random_seed(cpython_random_state *st, ulong seed) {
    uint low = (uint)(seed & 0xFFFFFFFFUL);
    uint high = (uint)(seed >> 32);
    uint wodd = high ? high + 1u : low;
#ifdef mt_VECTOR_SEEDING
    /* the barriers are legal where every item of the group is seeded: all groups but the last */
    if (get_group_id(0) + 1u < get_num_groups(0)) {
        cpython_random_walk_in(st, low, wodd);
    } else
#endif
    {
        uint b = 19650218u, x = 19650218u, c0 = 0u;
        for (uint s = 0; s < 623u; s++) {
            b = mt_init_step(b, s + 1u);
            x = (b ^ mt_mix(x, 1664525u)) + ((s & 1u) ? wodd : low);
            if (s == 0u) c0 = x;
        }
        uint c623 = (c0 ^ mt_mix(x, 1664525u)) + wodd;
        uint c = c0, d = c623;
        uint f2 = 0u, f3 = 0u, f4 = 0u, f397 = 0u, f398 = 0u, f399 = 0u, f400 = 0u;
        uint c3 = 0u, c400 = 0u, f401 = 0u;
        b = mt_init_step(19650218u, 1u);
        for (uint s = 0; s < 622u; s++) {
            b = mt_init_step(b, s + 2u);
            c = (b ^ mt_mix(c, 1664525u)) + ((s & 1u) ? low : wodd);
            d = (c ^ mt_mix(d, 1566083941u)) - (s + 2u);
            if (s == 0u) f2 = d;
            if (s == 1u) f3 = d;
            if (s == 2u) { f4 = d; c3 = c; }
            if (s == 395u) f397 = d;
            if (s == 396u) f398 = d;
            if (s == 397u) f399 = d;
            if (s == 398u) f400 = d;
            if (s == 399u) { f401 = d; c400 = c; }
        }
        d = (c623 ^ mt_mix(d, 1566083941u)) - 1u;
        cpython_random_finish(st, d, f2, f3, f4, f397, f398, f399, f400);
        st->cn = c3; st->fn = f4;
        st->cf = c400; st->ff = f401;
    }
    st->bn = cpython_random_B4;
    st->bf = cpython_random_B401;
    st->low = low;
    st->high = high;
    st->k = 0u;
}

/* output k >= 4: from the walkers below 227 (which then move on to k + 1), else from the table,
 * 4 outputs at a time */
mt_NOINLINE uint cpython_random_later(cpython_random_state *st, uint k) {
    uint low = st->low, wodd = st->high ? st->high + 1u : low;
    if (k < 227u) {
        /* F[k+1] = D[k-1] from C[k], itself from C[k-1] and B[k+1] */
        uint bn = mt_init_step(st->bn, k + 1u);
        uint cn = (bn ^ mt_mix(st->cn, 1664525u)) + ((k & 1u) ? wodd : low);
        uint fn = (cn ^ mt_mix(st->fn, 1566083941u)) - (k + 1u);
        uint v = mt_tw(st->fn, fn, st->ff);
        st->bn = bn; st->cn = cn; st->fn = fn;
        if (k < 226u) {  /* F[k+398] = D[k+396] likewise */
            uint bf = mt_init_step(st->bf, k + 398u);
            uint cf = (bf ^ mt_mix(st->cf, 1664525u)) + ((k & 1u) ? low : wodd);
            st->ff = (cf ^ mt_mix(st->ff, 1566083941u)) - (k + 398u);
            st->bf = bf; st->cf = cf;
        }
        return mt_temper(v);
    }
    uint held = k - st->tk;  /* tk is set at k = 227, the first rebuild */
    if (k != 227u && held < 3u) return held == 0u ? st->q1 : held == 1u ? st->q2 : st->q3;
    mt_quad q = cpython_random_table(low, st->high, k);
    st->tk = k + 1u;
    st->q1 = q.w1; st->q2 = q.w2; st->q3 = q.w3;
    return q.w0;
}

DEVICE ulong cpython_random_next(cpython_random_state *st) {
    uint k = st->k;
    st->k = k + 1u;
    if (k == 0u) return st->o0;
    if (k < 4u) return k == 1u ? st->o1 : k == 2u ? st->o2 : st->o3;
    return cpython_random_later(st, k);
}
