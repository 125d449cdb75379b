/* Marsaglia's CMWC4096 (a = 18782, base 2**32 - 1, c = 362436, index from 4095) with Q[] filled as
 * his SUPER KISS code does: Q[i] = CNG + XS, xcng = 69069 xcng + 123 (xcng = seed), xs = 521288629,
 * xs ^= xs << 13, xs ^= xs >> 17, xs ^= xs << 5. double = raw / 2**32.
 *
 * No table. Write V(k) for output k and c_k for the carry before it: V(k) = f(Q, c_k) with Q the
 * k-th fill word for k < 4096 and Q = V(k - 4096) after that. So output k < 4096 needs only the
 * fill generator, run alongside the outputs (the hot path: a few registers, nothing else). In
 * block m (outputs 4096 m + p, p < 4096), V(4096 (m-1) + p) is recomputed by lagging copies:
 * level j < m replays block j in step with the main stream, from the carry c_{4096 j} recorded
 * when the main stream entered that block, taking its table word from level j - 1 (level 0 from
 * the fill generator, restarted at each block). Output k costs k / 4096 + 1 CMWC steps and the
 * state stays small (a 4096-word private table breaks pocl, which runs thousands of work items
 * per group). Exact for the first (cmwc4096_LEVELS + 1) * 4096 outputs; past that the table
 * words are wrong (raise cmwc4096_LEVELS for longer streams). */
#define cmwc4096_LEVELS 64
/* the host never asks this port for more raw outputs per seed than this (kernel_source.py) */
#define cmwc4096_MAX_OUTPUTS 266240

typedef struct {
    uint xcng, xs;                    /* the table fill generator, restarted at each block */
    uint c;                           /* the main stream's carry */
    uint seed;                        /* initial xcng */
    uint p;                           /* position in the block */
    uint m;                           /* block number = lagging levels in use */
    uint start[cmwc4096_LEVELS + 1];  /* c_{4096 j}: carry at the start of block j */
    uint cur[cmwc4096_LEVELS];        /* carries of the lagging levels */
} cmwc4096_state;

DEVICE void cmwc4096_seed(cmwc4096_state *st, ulong seed) {
    st->xcng = (uint)seed;
    st->xs = 521288629u;
    st->c = 362436u;
    st->seed = (uint)seed;
    st->p = 0u;
    st->m = 0u;
    st->start[0] = 362436u;
}

/* one CMWC step on table word q with carry *c: returns the new table word (= the output) */
DEVICE uint cmwc4096_step(uint q, uint *c) {
    ulong t = 18782UL * (ulong)q + (ulong)*c;
    uint cc = (uint)(t >> 32);
    uint x = (uint)t + cc;
    if (x < cc) { x += 1u; cc += 1u; }
    *c = cc;
    return 0xFFFFFFFEu - x;
}

DEVICE ulong cmwc4096_next(cmwc4096_state *st) {
    /* the next fill word Q[p] = CNG + XS */
    uint xcng = 69069u * st->xcng + 123u, xs = st->xs;
    xs ^= xs << 13;
    xs ^= xs >> 17;
    xs ^= xs << 5;
    st->xcng = xcng;
    st->xs = xs;
    uint q = xcng + xs;
    uint m = st->m;
    for (uint j = 0; j < m; j++) {
        uint cj = st->cur[j];
        q = cmwc4096_step(q, &cj);
        st->cur[j] = cj;
    }
    uint c = st->c;
    uint v = cmwc4096_step(q, &c);
    st->c = c;
    uint p = st->p + 1u;
    if (p == 4096u) {
        p = 0u;
        if (m < cmwc4096_LEVELS) {
            m += 1u;
            st->start[m] = c;
            st->m = m;
        }
        for (uint j = 0; j < m; j++) st->cur[j] = st->start[j];
        st->xcng = st->seed;
        st->xs = 521288629u;
    }
    st->p = p;
    return (ulong)v;
}

#define cmwc4096_HAS_DOUBLE 1
DEVICE double cmwc4096_double(cmwc4096_state *st) {
    return (double)cmwc4096_next(st) * (1.0 / 4294967296.0);
}
