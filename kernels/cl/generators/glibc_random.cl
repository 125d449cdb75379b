/* glibc srand(seed)/rand() (= srandom/random), TYPE_3: with s[0..30] the srandom table
 * (s[0] = seed, 0 becomes 1, as a signed int; s[i] = 16807 s[i-1] mod 2**31 - 1 by glibc's Schrage
 * arithmetic), s[31..33] = s[0..2] and s[i] = s[i-3] + s[i-31] mod 2**32 after that, rand() number k
 * is s[344 + k] >> 1 (310 outputs are discarded by srandom).
 *
 * Hot path: s[344 + k] is a fixed linear combination of s[0..30] mod 2**32, so the first
 * glibc_random_FAST outputs are dot products with constant coefficients (31 multiply-adds each
 * instead of the 310 discarded steps). Row k of the coefficients is row k-1 shifted right by one
 * with a new first entry, so one vector W holds them all: coefficient j of output k is
 * W[j + glibc_random_FAST - 1 - k]. The table a is only ever indexed by
 * loop counters of constant-bound loops: unrolled (CUDA here; OpenCL GPU compilers do it on their
 * own), it stays in registers; pocl runs these loops faster rolled (measured). Past the fast
 * outputs, the table is copied into r and advanced in place the ordinary way (r[i mod 31] holds
 * s[i], one addition per step), which is exact for any stream length. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define glibc_random_CONSTANT __constant__
#define glibc_random_UNROLL _Pragma("unroll")
#else
#define glibc_random_CONSTANT __constant
#define glibc_random_UNROLL
#endif

#define glibc_random_FAST 8

glibc_random_CONSTANT uint glibc_random_W[31 + glibc_random_FAST - 1] = {
    0x00F3E418u, 0x01643E88u, 0x00FB3945u, 0x00C4D224u, 0x0128E83Bu, 0x00DAFA31u,
    0x009F4828u, 0x00F66443u, 0x00BEE24Du, 0x00817005u, 0x00CB918Fu, 0x00A64845u,
    0x0069C3CFu, 0x00A76DBDu, 0x0090A848u, 0x0057025Fu, 0x0089126Cu, 0x007D9A8Fu,
    0x0048252Au, 0x006FB2D4u, 0x006CCC15u, 0x003C5744u, 0x005A998Fu, 0x005DF917u,
    0x0032ED77u, 0x00492688u, 0x0050E901u, 0x002B5F57u, 0x003ACD0Bu, 0x00456B7Au,
    0x0025413Du, 0x002F11F4u, 0x003B564Du, 0x00203F14u, 0x002589FCu, 0x003283F8u,
    0x001C17E4u, 0x001DD823u,
};

typedef struct {
    uint a[31];  /* s[0..30], the srandom table; constant indices only */
    uint r[31];  /* past the fast outputs: s[i - 31 .. i - 1], s[j] at r[j mod 31] */
    uint k;      /* outputs taken */
    uint i;      /* next sequence index to compute in r */
    uint p, q;   /* i mod 31 and (i - 3) mod 31 */
} glibc_random_state;

DEVICE void glibc_random_seed(glibc_random_state *st, ulong seed) {
    uint u = (uint)seed;
    if (u == 0u) u = 1u;
    st->a[0] = u;
    uint x;
    if (u >= 0x80000000u) {
        /* a negative int32 word: glibc's Schrage step with C's truncating division, on the
         * magnitude n = -word; the result lies in [0, 2**31 - 1) */
        uint n = 0u - u;
        int r = 2836 * (int)(n / 127773u) - 16807 * (int)(n % 127773u);
        if (r < 0) r += 2147483647;
        x = (uint)r;
    } else {
        /* for 0 <= word <= 2**31 - 1, Schrage's method is exactly 16807 word mod 2**31 - 1 */
        ulong p = (ulong)u * 16807UL;
        p = (p & 0x7FFFFFFFUL) + (p >> 31);
        if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
        x = (uint)p;
    }
    st->a[1] = x;
    glibc_random_UNROLL
    for (uint j = 2; j < 31; j++) {
        ulong p = (ulong)x * 16807UL;
        p = (p & 0x7FFFFFFFUL) + (p >> 31);
        if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
        x = (uint)p;
        st->a[j] = x;
    }
    st->k = 0u;
}

DEVICE ulong glibc_random_next(glibc_random_state *st) {
    uint k = st->k++;
    if (k < glibc_random_FAST) {
        uint acc = 0u;
        uint base = glibc_random_FAST - 1u - k;
        glibc_random_UNROLL
        for (uint j = 0; j < 31; j++) acc += glibc_random_W[base + j] * st->a[j];
        return acc >> 1;
    }
    if (k == glibc_random_FAST) {
        glibc_random_UNROLL
        for (uint j = 0; j < 31; j++) st->r[j] = st->a[j];
        st->i = 34u;  /* s[31..33] = s[0..2] are already in place */
        st->p = 3u;
        st->q = 0u;
    }
    uint target = 344u + k, v = 0u, p = st->p, q = st->q;
    for (uint i = st->i; i <= target; i++) {
        v = st->r[p] + st->r[q];
        st->r[p] = v;
        p = p == 30u ? 0u : p + 1u;
        q = q == 30u ? 0u : q + 1u;
    }
    st->i = target + 1u;
    st->p = p;
    st->q = q;
    return v >> 1;
}
