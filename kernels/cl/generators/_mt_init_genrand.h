/* The init_genrand MT19937 family made lazy, shared by mt19937, numpy_random_state, php_mt_rand
 * and php_mt_rand_legacy (each port includes it; kernels/sieve/kernel_source.py inlines it).
 * A port may define MTG_TWIST_KEY(a, y) first: the word whose low bit selects the matrix term
 * (y in the reference; a in PHP's legacy twist bug).
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
 *   ready: 398 multiply-xor-shift steps, no array.
 * - Outputs 1..623 come from walkers over the init chain (one step per walker per output: two
 *   before output 227, three, then four from output 454 on); the chains restart from I[397]
 *   at outputs 227 and 454 and T[623] needs T[0]: those few values are recomputed from the seed
 *   when needed rather than kept.
 * - Outputs 624 and beyond (a second twist) need the whole state: a separate, never-inlined
 *   function rebuilds the 624-word table in its own frame, from the seed, and returns the next 4
 *   outputs by value. The state itself stays small (pocl keeps one copy per work item of a work
 *   group on one thread's stack) and exact for any stream length (below 2**32 - 4 outputs), at
 *   about 624 (blocks + 1) steps per 4 outputs past the first block.
 *
 * On pocl's CPU devices, seeding calls barrier() every 3 steps: the code between two barriers is
 * one loop over the work items of the group, which pocl's vectorizer turns into SIMD across
 * seeds; without them each item runs a dependent 398-step chain at the latency of one multiply
 * per step, about 18 times slower. A barrier must be reached by every work item of the group or
 * by none: the sieve and draw_stream kernels seed every item whose gid < lanes and return early
 * only past lanes, in the last group (global size = lanes rounded up to the group size), so all
 * groups but the last take the barriers and the last one the plain loop. A launch with whole
 * groups past lanes would break this. Elsewhere (CUDA, other OpenCL devices) the SYNC macro is
 * empty and the same code runs as plain C. */
#if !defined(__CUDACC__) && !defined(__CUDACC_RTC__) && defined(POCL_DEVICE_ADDRESS_BITS) && \
    (defined(__x86_64__) || defined(__aarch64__))
#define mtg_VECTOR_SEEDING 1
#define mtg_SYNC() barrier(CLK_LOCAL_MEM_FENCE)
#else
#define mtg_SYNC()
#endif
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define mtg_NOINLINE __device__ static __noinline__
#else
#define mtg_NOINLINE static __attribute__((noinline))
#endif

typedef struct {
    uint k;      /* index of the next output */
    uint out;    /* output 0, tempered (seeding leaves it ready) */
    uint seed;
    uint a;      /* walkers, before output k (1 <= k < 624): I[k] */
    uint b;      /* I[k - 227], from output 227 on */
    uint c;      /* I[k - 454], from output 454 on */
    uint f;      /* I[(k mod 227) + 397] */
    uint tk;     /* past the first block: outputs tk, tk + 1, tk + 2 are q1, q2, q3 */
    uint q1, q2, q3;
} mtg_state;

typedef struct { uint w0, w1, w2, w3; } mtg_quad;

DEVICE uint mtg_init_step(uint prev, uint i) {
    return 1812433253u * (prev ^ (prev >> 30)) + i;
}

#ifndef MTG_TWIST_KEY
#define MTG_TWIST_KEY(a, y) (y)
#endif

DEVICE uint mtg_tw(uint a, uint b, uint far) {
    uint y = (a & 0x80000000u) | (b & 0x7FFFFFFFu);
    return far ^ (y >> 1) ^ ((0u - (MTG_TWIST_KEY(a, y) & 1u)) & 0x9908B0DFu);
}

DEVICE uint mtg_temper(uint y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    return y ^ (y >> 18);
}

/* outputs k .. k + 3 (k >= 624) from scratch: init_genrand into a table, then the reference's
 * in-place twist, word by word, block after block */
mtg_NOINLINE mtg_quad mtg_table(uint seed, uint k) {
    uint mt[624];
    uint x = seed;
    mt[0] = x;
    for (uint i = 1; i < 624u; i++) {
        x = mtg_init_step(x, i);
        mt[i] = x;
    }
    uint out[4];
    uint i = 0u, far = 397u;
    for (uint j = 0; j < k + 4u; j++) {
        uint next = i == 623u ? 0u : i + 1u;
        uint v = mtg_tw(mt[i], mt[next], mt[far]);
        mt[i] = v;
        if (j >= k) out[j - k] = mtg_temper(v);
        i = next;
        far = far == 623u ? 0u : far + 1u;
    }
    mtg_quad q;
    q.w0 = out[0]; q.w1 = out[1]; q.w2 = out[2]; q.w3 = out[3];
    return q;
}

#ifdef mtg_VECTOR_SEEDING
/* three init_genrand steps, then a barrier */
#define mtg_S(i) x = mtg_init_step(x, (i));
#define mtg_S3(i) \
    mtg_S(i) mtg_S((i) + 1u) mtg_S((i) + 2u) \
    mtg_SYNC();
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
    uint m0 = mtg_tw(seed, x, 0u);  /* T[0] = I[397] ^ m0 */
    mtg_S(2u) mtg_SYNC();
    mtg_S81(3u) mtg_S81(84u)        /* 3 .. 164 */
    mtg_S81(165u) mtg_S81(246u)     /* .. 326 */
    mtg_S27(327u) mtg_S27(354u)     /* .. 380 */
    mtg_S9(381u) mtg_S3(390u)       /* .. 392 */
    mtg_S3(393u) mtg_S(396u) mtg_S(397u)
    uint out = mtg_temper(x ^ m0);
    mtg_S(398u)
    mtg_SYNC();
    st->out = out;
    st->f = x;
}
#endif

DEVICE void mtg_seed(mtg_state *st, ulong seed) {
    uint s = (uint)(seed & 0xFFFFFFFFUL);
#ifdef mtg_VECTOR_SEEDING
    /* the barriers are legal where every item of the group is seeded: all groups but the last */
    if (get_group_id(0) + 1u < get_num_groups(0)) {
        mtg_walk_in(st, s);
    } else
#endif
    {
        uint x = s;
        x = mtg_init_step(x, 1u);
        uint i1 = x;
        for (uint i = 2u; i <= 397u; i++) x = mtg_init_step(x, i);
        st->out = mtg_temper(mtg_tw(s, i1, x));
        st->seed = s;
        st->a = i1;
        st->f = mtg_init_step(x, 398u);
    }
    st->k = 0u;
}

/* I[397] of init_genrand(seed) */
DEVICE uint mtg_i397(uint seed) {
    uint x = seed;
    for (uint i = 1u; i <= 397u; i++) x = mtg_init_step(x, i);
    return x;
}

/* output k >= 1: from the walkers below 624 (which then move on to k + 1), else from the table,
 * 4 outputs at a time. Out of line: the hot path is output 0, and a small next() inlines. */
mtg_NOINLINE uint mtg_later(mtg_state *st, uint k) {
    if (k >= 624u) {
        uint held = k - st->tk;  /* tk is set at k = 624, the first rebuild */
        if (k != 624u && held < 3u) return held == 0u ? st->q1 : held == 1u ? st->q2 : st->q3;
        mtg_quad q = mtg_table(st->seed, k);
        st->tk = k + 1u;
        st->q1 = q.w1; st->q2 = q.w2; st->q3 = q.w3;
        return q.w0;
    }
    uint p = k >= 454u ? k - 454u : k >= 227u ? k - 227u : k;  /* innermost word of the chain */
    uint v = st->f;                                               /* I[p + 397] */
    if (k >= 454u) {
        uint c1 = mtg_init_step(st->c, k - 453u);
        v = mtg_tw(st->c, c1, v);                              /* T[k - 454] */
        st->c = c1;
    }
    if (k >= 227u) {
        uint b1 = mtg_init_step(st->b, k - 226u);
        v = mtg_tw(st->b, b1, v);                              /* T[k - 227] */
        st->b = b1;
    }
    uint a1;                                                      /* I[k + 1], or T[0] */
    if (k == 623u) {
        uint s = st->seed;
        uint i1 = mtg_init_step(s, 1u);
        a1 = mtg_tw(s, i1, mtg_i397(s));
    } else {
        a1 = mtg_init_step(st->a, k + 1u);
    }
    v = mtg_tw(st->a, a1, v);                                  /* T[k] */
    st->a = a1;
    if (p == 226u) {  /* the next output's chain is one word longer and starts again at I[0] */
        st->f = mtg_i397(st->seed);
        if (k == 226u) st->b = st->seed; else st->c = st->seed;
    } else {
        st->f = mtg_init_step(st->f, p + 398u);
    }
    return mtg_temper(v);
}

DEVICE ulong mtg_next(mtg_state *st) {
    uint k = st->k;
    st->k = k + 1u;
    if (k == 0u) return st->out;
    return mtg_later(st, k);
}
