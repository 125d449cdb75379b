/* mt19937_64: C++11 std::mt19937_64(seed) (libstdc++): MT19937-64 seeded with
 * init_genrand64(seed); raw = the tempered 64-bit word.
 *
 * Doubles are std::generate_canonical<double, 53>: one output, double(x) / 2**64 rounded to
 * nearest, clamped below 1.
 *
 * MT19937-64 made lazy, as in the 32-bit ports. I[0..311] are the init_genrand64 words (I[0] =
 * seed, I[i] = 6364136223846793005 (I[i-1] ^ (I[i-1] >> 62)) + i) and T[k] the word output k
 * tempers; twisting word by word in index order, as the reference's loop does, gives
 *     T[k] = tw(I[k], I[k+1], I[k+156])   k < 156
 *     T[k] = tw(I[k], I[k+1], T[k-156])   156 <= k < 311
 *     T[311] = tw(I[311], T[0], T[155])
 * where tw(a, b, far) = far ^ (y >> 1) ^ (y odd ? 0xB5026F5AA96619E9 : 0), y = upper 33 bits of
 * a | lower 31 bits of b. Output k < 312 is a chain over the words k and k-156 (if >= 0) ending
 * in I[(k mod 156) + 156]: nothing but these few words is ever stored.
 *
 * - Seeding (the hot path of a seed search) walks init_genrand64 to I[157] and leaves output 0
 *   ready: 157 multiply-xor-shift steps, no array.
 * - Outputs 1..311 come from walkers over the init chain (one step per walker per output: two
 *   before output 156, then three); the chain restarts from I[156] at output 156 and T[311] needs
 *   T[0]: those are recomputed from the seed when needed rather than kept.
 * - Outputs 312 and beyond (a second twist) need the whole state: a separate, never-inlined
 *   function rebuilds the 312-word table in its own frame, from the seed, and returns the next 4
 *   outputs by value. The state itself stays small (pocl keeps one copy per work item of a work
 *   group on one thread's stack) and exact for any stream length (below 2**32 - 4 outputs), at
 *   about 312 (blocks + 1) steps per 4 outputs past the first block.
 *
 * On pocl's CPU devices, seeding calls barrier() every 3 steps: the code between two barriers is
 * one loop over the work items of the group, which pocl's vectorizer turns into SIMD across seeds
 * (about 7 times faster than each item running its dependent chain alone). A
 * barrier must be reached by every work item of the group or by none: the sieve and draw_stream
 * kernels seed every item whose gid < lanes and return early only past lanes, in the last group
 * (global size = lanes rounded up to the group size), so all groups but the last take the
 * barriers and the last one the plain loop. A launch with whole groups past lanes would break
 * this. Elsewhere (CUDA, other OpenCL devices) the SYNC macro is empty and the same code runs as
 * plain C. */
#if !defined(__CUDACC__) && !defined(__CUDACC_RTC__) && defined(POCL_DEVICE_ADDRESS_BITS) && \
    (defined(__x86_64__) || defined(__aarch64__))
#define mt19937_64_VECTOR_SEEDING 1
#define mt19937_64_SYNC() barrier(CLK_LOCAL_MEM_FENCE)
#else
#define mt19937_64_SYNC()
#endif
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define mt19937_64_NOINLINE __device__ static __noinline__
#else
#define mt19937_64_NOINLINE static __attribute__((noinline))
#endif

typedef struct {
    ulong out;   /* output 0, tempered (seeding leaves it ready) */
    ulong seed;
    ulong a;     /* walkers, before output k (1 <= k < 312): I[k] */
    ulong b;     /* I[k - 156], from output 156 on */
    ulong f;     /* I[(k mod 156) + 156] */
    ulong q1, q2, q3;  /* past the first block: outputs tk, tk + 1, tk + 2 */
    uint k;      /* index of the next output */
    uint tk;
} mt19937_64_state;

typedef struct { ulong w0, w1, w2, w3; } mt19937_64_quad;

DEVICE ulong mt19937_64_init_step(ulong prev, ulong i) {
    return 6364136223846793005UL * (prev ^ (prev >> 62)) + i;
}

DEVICE ulong mt19937_64_tw(ulong a, ulong b, ulong far) {
    ulong y = (a & 0xFFFFFFFF80000000UL) | (b & 0x7FFFFFFFUL);
    return far ^ (y >> 1) ^ ((0UL - (y & 1UL)) & 0xB5026F5AA96619E9UL);
}

DEVICE ulong mt19937_64_temper(ulong y) {
    y ^= (y >> 29) & 0x5555555555555555UL;
    y ^= (y << 17) & 0x71D67FFFEDA60000UL;
    y ^= (y << 37) & 0xFFF7EEE000000000UL;
    return y ^ (y >> 43);
}

/* outputs k .. k + 3 (k >= 312) from scratch: init_genrand64 into a table, then the reference's
 * in-place twist, word by word, block after block */
mt19937_64_NOINLINE mt19937_64_quad mt19937_64_table(ulong seed, uint k) {
    ulong mt[312];
    ulong x = seed;
    mt[0] = x;
    for (uint i = 1; i < 312u; i++) {
        x = mt19937_64_init_step(x, i);
        mt[i] = x;
    }
    ulong out[4];
    uint i = 0u, far = 156u;
    for (uint j = 0; j < k + 4u; j++) {
        uint next = i == 311u ? 0u : i + 1u;
        ulong v = mt19937_64_tw(mt[i], mt[next], mt[far]);
        mt[i] = v;
        if (j >= k) out[j - k] = mt19937_64_temper(v);
        i = next;
        far = far == 311u ? 0u : far + 1u;
    }
    mt19937_64_quad q;
    q.w0 = out[0]; q.w1 = out[1]; q.w2 = out[2]; q.w3 = out[3];
    return q;
}

#ifdef mt19937_64_VECTOR_SEEDING
/* three init_genrand64 steps, then a barrier */
#define mt19937_64_S(i) x = mt19937_64_init_step(x, (i));
#define mt19937_64_S3(i) \
    mt19937_64_S(i) mt19937_64_S((i) + 1UL) mt19937_64_S((i) + 2UL) mt19937_64_SYNC();
#define mt19937_64_S9(i) \
    mt19937_64_S3(i) mt19937_64_S3((i) + 3UL) mt19937_64_S3((i) + 6UL)
#define mt19937_64_S27(i) \
    mt19937_64_S9(i) mt19937_64_S9((i) + 9UL) mt19937_64_S9((i) + 18UL)

/* I[1], I[156], I[157] and output 0 of init_genrand64(seed). The first region (before the first
 * barrier) stores what it computes at once; the last one stores past the last barrier: loads of
 * the same value in two regions, or strided stores into the state, would keep the regions in
 * between from vectorizing */
DEVICE void mt19937_64_walk_in(mt19937_64_state *st, ulong seed) {
    ulong x = seed;
    mt19937_64_S(1UL)
    st->seed = seed;
    st->a = x;
    ulong m0 = mt19937_64_tw(seed, x, 0UL);  /* T[0] = I[156] ^ m0 */
    mt19937_64_S(2UL) mt19937_64_SYNC();
    mt19937_64_S27(3UL) mt19937_64_S27(30UL) mt19937_64_S27(57UL)  /* 3 .. 83 */
    mt19937_64_S27(84UL) mt19937_64_S27(111UL) mt19937_64_S9(138UL)  /* .. 146 */
    mt19937_64_S9(147UL) mt19937_64_S(156UL)
    ulong out = mt19937_64_temper(x ^ m0);
    mt19937_64_S(157UL)
    mt19937_64_SYNC();
    st->out = out;
    st->f = x;
}
#endif

DEVICE void mt19937_64_seed(mt19937_64_state *st, ulong seed) {
#ifdef mt19937_64_VECTOR_SEEDING
    /* the barriers are legal where every item of the group is seeded: all groups but the last */
    if (get_group_id(0) + 1u < get_num_groups(0)) {
        mt19937_64_walk_in(st, seed);
    } else
#endif
    {
        ulong x = mt19937_64_init_step(seed, 1UL);
        ulong i1 = x;
        for (uint i = 2u; i <= 156u; i++) x = mt19937_64_init_step(x, i);
        st->out = mt19937_64_temper(mt19937_64_tw(seed, i1, x));
        st->seed = seed;
        st->a = i1;
        st->f = mt19937_64_init_step(x, 157UL);
    }
    st->k = 0u;
}

/* I[156] of init_genrand64(seed) */
DEVICE ulong mt19937_64_i156(ulong seed) {
    ulong x = seed;
    for (uint i = 1u; i <= 156u; i++) x = mt19937_64_init_step(x, i);
    return x;
}

/* output k >= 1: from the walkers below 312 (which then move on to k + 1), else from the table,
 * 4 outputs at a time. Out of line: the hot path is output 0, and a small next() inlines. */
mt19937_64_NOINLINE ulong mt19937_64_later(mt19937_64_state *st, uint k) {
    if (k >= 312u) {
        uint held = k - st->tk;  /* tk is set at k = 312, the first rebuild */
        if (k != 312u && held < 3u) return held == 0u ? st->q1 : held == 1u ? st->q2 : st->q3;
        mt19937_64_quad q = mt19937_64_table(st->seed, k);
        st->tk = k + 1u;
        st->q1 = q.w1; st->q2 = q.w2; st->q3 = q.w3;
        return q.w0;
    }
    uint p = k >= 156u ? k - 156u : k;                     /* innermost word of the chain */
    ulong v = st->f;                                       /* I[p + 156] */
    if (k >= 156u) {
        ulong b1 = mt19937_64_init_step(st->b, k - 155u);
        v = mt19937_64_tw(st->b, b1, v);                   /* T[k - 156] */
        st->b = b1;
    }
    ulong a1;                                              /* I[k + 1], or T[0] */
    if (k == 311u) {
        ulong s = st->seed;
        ulong i1 = mt19937_64_init_step(s, 1UL);
        a1 = mt19937_64_tw(s, i1, mt19937_64_i156(s));
    } else {
        a1 = mt19937_64_init_step(st->a, k + 1u);
    }
    v = mt19937_64_tw(st->a, a1, v);                       /* T[k] */
    st->a = a1;
    if (p == 155u) {  /* the next output's chain is one word longer and starts again at I[0] */
        st->f = mt19937_64_i156(st->seed);
        st->b = st->seed;
    } else {
        st->f = mt19937_64_init_step(st->f, p + 157u);
    }
    return mt19937_64_temper(v);
}

DEVICE ulong mt19937_64_next(mt19937_64_state *st) {
    uint k = st->k;
    st->k = k + 1u;
    if (k == 0u) return st->out;
    return mt19937_64_later(st, k);
}

/* std::generate_canonical<double, 53>: double(x) / 2**64, rounded to nearest; 1.0 becomes the
 * largest double below 1 (libstdc++'s clamp) */
#define mt19937_64_HAS_DOUBLE 1
DEVICE double mt19937_64_double(mt19937_64_state *st) {
    double value = (double)mt19937_64_next(st) * (1.0 / 18446744073709551616.0);
    return value < 1.0 ? value : 0.99999999999999988898;
}
