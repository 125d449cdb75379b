/* MT19937's pieces, shared by the 32-bit Mersenne Twister ports (cpython_random directly, the
 * init_genrand ports through _mt_init_genrand.h): the init_genrand step, the twist of one word,
 * tempering, the two seedings into a full 624-word table and the reference's in-place twist over
 * that table. kernels/sieve/kernel_source.py inlines it into each port, once.
 *
 * A port may define MT_TWIST_KEY(a, y) before including this file: the word whose low bit
 * selects the matrix term (y in the reference; a in PHP's legacy twist bug).
 *
 * The table functions are for the cold paths (outputs past the lazy walkers): a port calls them
 * from a never-inlined function (mt_NOINLINE) that holds the table in its own frame, so that the
 * state stays small (pocl keeps one copy of it per work item of a work group on one thread's
 * stack) and the hot path inlines.
 *
 * On pocl's CPU devices (mt_VECTOR_SEEDING), seeding calls mt_SYNC(), a barrier, every 3 steps:
 * the code between two barriers is one loop over the work items of the group, which pocl's
 * vectorizer turns into SIMD across seeds; without them each item runs its dependent chain of
 * seeding steps at the latency of one multiply per step, many times slower. A barrier must be
 * reached by every work item of the group or by none: the sieve and draw_stream kernels seed
 * every item whose gid < lanes and return early only past lanes, in the last group (global size
 * = lanes rounded up to the group size), so all groups but the last take the barriers and the
 * last one the plain loop. A launch with whole groups past lanes would break this. Elsewhere
 * (CUDA, other OpenCL devices) mt_SYNC() is empty and only the plain loops are compiled. */
#if !defined(__CUDACC__) && !defined(__CUDACC_RTC__) && defined(POCL_DEVICE_ADDRESS_BITS) && \
    (defined(__x86_64__) || defined(__aarch64__))
#define mt_VECTOR_SEEDING 1
#define mt_SYNC() barrier(CLK_LOCAL_MEM_FENCE)
#else
#define mt_SYNC()
#endif
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define mt_NOINLINE __device__ static __noinline__
#else
#define mt_NOINLINE static __attribute__((noinline))
#endif

#define mt_N 624u
#define mt_M 397u

typedef struct { uint w0, w1, w2, w3; } mt_quad;

/* init_genrand: I[i] = 1812433253 (I[i-1] ^ (I[i-1] >> 30)) + i */
DEVICE uint mt_init_step(uint prev, uint i) {
    return 1812433253u * (prev ^ (prev >> 30)) + i;
}

/* init_by_array's mixing of the previous word (multiplier 1664525 in its first pass,
 * 1566083941 in its second) */
DEVICE uint mt_mix(uint prev, uint mul) {
    return (prev ^ (prev >> 30)) * mul;
}

#ifndef MT_TWIST_KEY
#define MT_TWIST_KEY(a, y) (y)
#endif

/* the twisted word from the word a being replaced, the next word b and the word M ahead */
DEVICE uint mt_tw(uint a, uint b, uint far) {
    uint y = (a & 0x80000000u) | (b & 0x7FFFFFFFu);
    return far ^ (y >> 1) ^ ((0u - (MT_TWIST_KEY(a, y) & 1u)) & 0x9908B0DFu);
}

DEVICE uint mt_temper(uint y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    return y ^ (y >> 18);
}

/* the table of init_genrand(seed) */
DEVICE void mt_init_genrand(uint *mt, uint seed) {
    uint x = seed;
    mt[0] = x;
    for (uint i = 1; i < mt_N; i++) {
        x = mt_init_step(x, i);
        mt[i] = x;
    }
}

/* the table of init_by_array(key): key [low] (wodd = low) or [low, high] (wodd = high + 1); the
 * key word added at step s of the first pass is low for even s and wodd for odd s */
DEVICE void mt_init_by_array(uint *mt, uint low, uint wodd) {
    mt_init_genrand(mt, 19650218u);
    uint i = 1u;
    for (uint s = 0; s < mt_N; s++) {
        mt[i] = (mt[i] ^ mt_mix(mt[i - 1u], 1664525u)) + ((s & 1u) ? wodd : low);
        if (++i == mt_N) { mt[0] = mt[mt_N - 1u]; i = 1u; }
    }
    for (uint s = 0; s < mt_N - 1u; s++) {
        mt[i] = (mt[i] ^ mt_mix(mt[i - 1u], 1566083941u)) - i;
        if (++i == mt_N) { mt[0] = mt[mt_N - 1u]; i = 1u; }
    }
    mt[0] = 0x80000000u;
}

/* outputs start .. start + count - 1 of a freshly seeded table into out: the reference's
 * in-place twist, word by word, block after block (output j twists word j mod 624: word j + 1
 * is still untwisted in its round, word 0 for j = 623 already is, and the word 397 ahead is
 * twisted from output 227 of the round on) */
DEVICE void mt_twist_outputs(uint *mt, uint start, uint *out, uint count) {
    uint i = 0u, far = mt_M;
    for (uint j = 0; j < start + count; j++) {
        uint next = i == mt_N - 1u ? 0u : i + 1u;
        uint v = mt_tw(mt[i], mt[next], mt[far]);
        mt[i] = v;
        if (j >= start) out[j - start] = mt_temper(v);
        i = next;
        far = far == mt_N - 1u ? 0u : far + 1u;
    }
}

/* outputs k .. k + 3 of a freshly seeded table, by value */
DEVICE mt_quad mt_twist_quad(uint *mt, uint k) {
    uint out[4];
    mt_twist_outputs(mt, k, out, 4u);
    mt_quad q;
    q.w0 = out[0]; q.w1 = out[1]; q.w2 = out[2]; q.w3 = out[3];
    return q;
}
