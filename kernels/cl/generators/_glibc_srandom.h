/* glibc's srandom(seed) and its first rand() outputs, shared by glibc_random and well512a (whose
 * seed words are srand(seed); rand() x 16); kernels/sieve/kernel_source.py inlines it.
 *
 * TYPE_3: with s[0..30] the srandom table (s[0] = seed, 0 becomes 1, as a signed int; s[i] =
 * 16807 s[i-1] mod 2**31 - 1 by glibc's Schrage arithmetic), s[31..33] = s[0..2] and s[i] =
 * s[i-3] + s[i-31] mod 2**32 after that, rand() number k is s[344 + k] >> 1 (310 outputs are
 * discarded by srandom).
 *
 * s[344 + k] is a fixed linear combination of s[0..30] mod 2**32, so each of the first
 * glibc_srandom_FAST outputs is a dot product with constant coefficients (31 multiply-adds
 * instead of the 310 discarded steps). Row k of the coefficients is row k-1 shifted right by one
 * with a new first entry, so one vector W holds them all: coefficient j of output k is
 * W[j + glibc_srandom_FAST - 1 - k]. The table is only ever indexed by loop counters of
 * constant-bound loops: unrolled (CUDA here; OpenCL GPU compilers do it on their own), it stays
 * in registers; pocl runs these loops faster rolled (measured). */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define glibc_srandom_CONSTANT __constant__
#define glibc_srandom_UNROLL _Pragma("unroll")
#else
#define glibc_srandom_CONSTANT __constant
#define glibc_srandom_UNROLL
#endif

#define glibc_srandom_FAST 16

glibc_srandom_CONSTANT uint glibc_srandom_W[31 + glibc_srandom_FAST - 1] = {
    0x02588C1Au, 0x017EC750u, 0x0177D7ABu, 0x01FA9303u, 0x014BD9D9u, 0x012EB123u,
    0x01A9AA02u, 0x01207A82u, 0x00F3E418u, 0x01643E88u, 0x00FB3945u, 0x00C4D224u,
    0x0128E83Bu, 0x00DAFA31u, 0x009F4828u, 0x00F66443u, 0x00BEE24Du, 0x00817005u,
    0x00CB918Fu, 0x00A64845u, 0x0069C3CFu, 0x00A76DBDu, 0x0090A848u, 0x0057025Fu,
    0x0089126Cu, 0x007D9A8Fu, 0x0048252Au, 0x006FB2D4u, 0x006CCC15u, 0x003C5744u,
    0x005A998Fu, 0x005DF917u, 0x0032ED77u, 0x00492688u, 0x0050E901u, 0x002B5F57u,
    0x003ACD0Bu, 0x00456B7Au, 0x0025413Du, 0x002F11F4u, 0x003B564Du, 0x00203F14u,
    0x002589FCu, 0x003283F8u, 0x001C17E4u, 0x001DD823u,
};

/* 16807 x mod 2**31 - 1 for 0 <= x <= 2**31 - 1: Schrage's method is exactly this there */
DEVICE uint glibc_srandom_minstd(uint x) {
    ulong p = (ulong)x * 16807UL;
    p = (p & 0x7FFFFFFFUL) + (p >> 31);
    if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
    return (uint)p;
}

/* the srandom table s[0..30] of seed (its low 32 bits, as glibc's unsigned int) into a */
DEVICE void glibc_srandom_table(uint *a, ulong seed) {
    uint u = (uint)seed;
    if (u == 0u) u = 1u;
    a[0] = u;
    uint x;
    if (u >= 0x80000000u) {
        /* a negative int32 word: glibc's Schrage step with C's truncating division, on the
         * magnitude n = -word; the result lies in [0, 2**31 - 1) */
        uint n = 0u - u;
        int r = 2836 * (int)(n / 127773u) - 16807 * (int)(n % 127773u);
        if (r < 0) r += 2147483647;
        x = (uint)r;
    } else {
        x = glibc_srandom_minstd(u);
    }
    a[1] = x;
    glibc_srandom_UNROLL
    for (uint j = 2; j < 31; j++) {
        x = glibc_srandom_minstd(x);
        a[j] = x;
    }
}

/* rand() number k < glibc_srandom_FAST after srandom, from the table a */
DEVICE uint glibc_srandom_rand(const uint *a, uint k) {
    uint acc = 0u;
    uint base = glibc_srandom_FAST - 1u - k;
    glibc_srandom_UNROLL
    for (uint j = 0; j < 31; j++) acc += glibc_srandom_W[base + j] * a[j];
    return acc >> 1;
}
