/* .NET System.Random(int seed) (Net5CompatSeedImpl, Mono): Knuth's subtractive generator as
 * Numerical Recipes wrote it, 55 words, inext/inextp from 0 and 21. C#'s unchecked int arithmetic
 * is reproduced on uint bit patterns (sign = bit 31), overflow corners of large seeds included.
 * raw = InternalSample() & 0x7fffffff.
 *
 * Hot path: output k < 21 is a function of table[1 + k] and table[22 + k] as the seeding leaves
 * them, so the seeding runs in a scratch table indexed by constants only (registers on a GPU),
 * computes only the mixing subtractions that the first dotnet_random_FAST outputs depend on (one
 * bit per (pass, i) in the masks below: 156 of 220 for 8 outputs) and keeps just those outputs.
 * Output number dotnet_random_FAST redoes the seeding in full in the state's table and replays
 * the outputs already given, so any stream length stays exact. */
#define dotnet_random_FAST 8
/* bit i of pass p: the subtraction table[i] -= table[1 + (i + 30) % 55] is needed by outputs 0..7 */
#define dotnet_random_NEED0 0x00FFFFFFFFFFFFFEUL
#define dotnet_random_NEED1 0x00E07FFFFFFFFFFEUL
#define dotnet_random_NEED2 0x00E000FFFFC0FFFEUL
#define dotnet_random_NEED3 0x000000003FC001FEUL

typedef struct {
    uint fast[dotnet_random_FAST];  /* the first outputs */
    uint t[56];                      /* the full table, once past them */
    uint inext, inextp;
    uint seed;
    uint k;                          /* outputs taken */
} dotnet_random_state;

/* the fill loop (mj, mk) and the mixing subtraction, on C#'s int bit patterns */
DEVICE uint dotnet_random_sub(uint a, uint b) {
    uint v = a - b;
    return (v & 0x80000000u) ? v + 2147483647u : v;
}

DEVICE uint dotnet_random_sample_of(uint a, uint b) {
    uint v = a - b;
    if (v == 2147483647u) v -= 1u;
    if (v & 0x80000000u) v += 2147483647u;
    return v;
}

DEVICE void dotnet_random_seed(dotnet_random_state *st, ulong seed) {
    uint t[56];
    uint mj = 161803398u - (uint)seed;  /* MSEED - seed */
    t[55] = mj;
    uint mk = 1u;
    #pragma unroll
    for (uint i = 1; i < 55; i++) {
        t[(21u * i) % 55u] = mk;
        uint next = dotnet_random_sub(mj, mk);
        mj = mk;
        mk = next;
    }
    #pragma unroll
    for (uint pass = 0; pass < 4; pass++) {
        ulong need = pass == 0 ? dotnet_random_NEED0 : pass == 1 ? dotnet_random_NEED1
                   : pass == 2 ? dotnet_random_NEED2 : dotnet_random_NEED3;
        #pragma unroll
        for (uint i = 1; i < 56; i++) {
            if ((need >> i) & 1UL) t[i] = dotnet_random_sub(t[i], t[i < 25u ? i + 31u : i - 24u]);
        }
    }
    #pragma unroll
    for (uint k = 0; k < dotnet_random_FAST; k++) st->fast[k] = dotnet_random_sample_of(t[1 + k], t[22 + k]);
    st->seed = (uint)seed;
    st->k = 0u;
}

DEVICE uint dotnet_random_sample(dotnet_random_state *st) {
    uint inext = st->inext < 55u ? st->inext + 1u : 1u;
    uint inextp = st->inextp < 55u ? st->inextp + 1u : 1u;
    uint v = dotnet_random_sample_of(st->t[inext], st->t[inextp]);
    st->t[inext] = v;
    st->inext = inext;
    st->inextp = inextp;
    return v;
}

/* the whole seeding in the state's table, then replay the outputs given so far */
DEVICE void dotnet_random_full(dotnet_random_state *st) {
    uint mj = 161803398u - st->seed;
    st->t[55] = mj;
    uint mk = 1u, ii = 0u;
    for (uint i = 1; i < 55; i++) {
        ii += 21u;
        if (ii >= 55u) ii -= 55u;  /* 21 i mod 55 */
        st->t[ii] = mk;
        uint next = dotnet_random_sub(mj, mk);
        mj = mk;
        mk = next;
    }
    for (uint pass = 0; pass < 4; pass++)
        for (uint i = 1; i < 56; i++) st->t[i] = dotnet_random_sub(st->t[i], st->t[i < 25u ? i + 31u : i - 24u]);
    st->inext = 0u;
    st->inextp = 21u;
    for (uint r = 0; r < dotnet_random_FAST; r++) dotnet_random_sample(st);
}

DEVICE ulong dotnet_random_next(dotnet_random_state *st) {
    uint k = st->k++;
    if (k < dotnet_random_FAST) return st->fast[k] & 0x7FFFFFFFu;
    if (k == dotnet_random_FAST) dotnet_random_full(st);
    return dotnet_random_sample(st) & 0x7FFFFFFFu;
}

/* Sample(): InternalSample() * (1.0 / int.MaxValue); the raw 0x7fffffff stands for -1 */
#define dotnet_random_HAS_DOUBLE 1
DEVICE double dotnet_random_double(dotnet_random_state *st) {
    uint raw = (uint)dotnet_random_next(st);
    double sample = raw == 0x7FFFFFFFu ? -1.0 : (double)raw;
    return sample * (1.0 / 2147483647.0);
}
