/* WELL512a (reference WELL512a.c) with its 16 seed words filled the common C way: srand(seed);
 * init[i] = rand() with glibc's rand() (TYPE_3: with s[0..30] the srandom table, s[0] = seed, 0
 * becomes 1, s[i] = 16807 s[i-1] mod 2**31 - 1 by glibc's Schrage arithmetic on a signed int,
 * s[31..33] = s[0..2], s[i] = s[i-3] + s[i-31] mod 2**32, rand() number k is s[344 + k] >> 1).
 * double = WELLRNG512a() = raw * 2**-32.
 *
 * Lazy seeding: s[344 + k] is a fixed linear combination of s[0..30] mod 2**32, so seed word k is a
 * 31-term dot product with constant coefficients, and row k of the coefficients is row k-1 shifted
 * right by one with a new first entry: coefficient j of word k is well512a_W[j + 15 - k]. Seeding
 * only builds the srandom table; a seed word is computed the first time WELL reads it (4 outputs
 * read 11 of the 16 words, and a word written by WELL is never computed). Exact for any length. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define well512a_CONSTANT __constant__
#define well512a_UNROLL _Pragma("unroll")
#else
#define well512a_CONSTANT __constant
#define well512a_UNROLL
#endif

well512a_CONSTANT uint well512a_W[31 + 15] = {
    0x02588C1Au, 0x017EC750u, 0x0177D7ABu, 0x01FA9303u, 0x014BD9D9u, 0x012EB123u, 0x01A9AA02u, 0x01207A82u, 0x00F3E418u, 0x01643E88u, 0x00FB3945u, 0x00C4D224u, 0x0128E83Bu, 0x00DAFA31u, 0x009F4828u, 0x00F66443u, 0x00BEE24Du, 0x00817005u, 0x00CB918Fu, 0x00A64845u, 0x0069C3CFu, 0x00A76DBDu, 0x0090A848u, 0x0057025Fu, 0x0089126Cu, 0x007D9A8Fu, 0x0048252Au, 0x006FB2D4u, 0x006CCC15u, 0x003C5744u, 0x005A998Fu, 0x005DF917u, 0x0032ED77u, 0x00492688u, 0x0050E901u, 0x002B5F57u, 0x003ACD0Bu, 0x00456B7Au, 0x0025413Du, 0x002F11F4u, 0x003B564Du, 0x00203F14u, 0x002589FCu, 0x003283F8u, 0x001C17E4u, 0x001DD823u
};

typedef struct {
    uint a[31];    /* the srandom table s[0..30]; constant indices only */
    uint s[16];    /* WELL state words; word p valid once bit p of loaded is set */
    uint loaded;
    uint i;        /* state_i of the reference */
} well512a_state;

DEVICE void well512a_seed(well512a_state *st, ulong seed) {
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
    well512a_UNROLL
    for (uint j = 2; j < 31; j++) {
        ulong p = (ulong)x * 16807UL;
        p = (p & 0x7FFFFFFFUL) + (p >> 31);
        if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
        x = (uint)p;
        st->a[j] = x;
    }
    st->loaded = 0u;
    st->i = 0u;
}

/* WELL word p, computing the seed word rand() number p on first use */
DEVICE uint well512a_word(well512a_state *st, uint p) {
    if (!((st->loaded >> p) & 1u)) {
        uint acc = 0u;
        uint base = 15u - p;
        well512a_UNROLL
        for (uint j = 0; j < 31; j++) acc += well512a_W[base + j] * st->a[j];
        st->s[p] = acc >> 1;
        st->loaded |= 1u << p;
    }
    return st->s[p];
}

DEVICE ulong well512a_next(well512a_state *st) {
    uint i = st->i;
    uint v0 = well512a_word(st, i), vm1 = well512a_word(st, (i + 13u) & 15u);
    uint vm2 = well512a_word(st, (i + 9u) & 15u);
    uint j = (i + 15u) & 15u;
    uint z0 = well512a_word(st, j);
    uint z1 = v0 ^ (v0 << 16) ^ vm1 ^ (vm1 << 15);
    uint z2 = vm2 ^ (vm2 >> 11);
    uint new1 = z1 ^ z2;
    uint new0 = z0 ^ (z0 << 2) ^ z1 ^ (z1 << 18) ^ (z2 << 28) ^ new1 ^ ((new1 << 5) & 0xDA442D24u);
    st->s[i] = new1;
    st->s[j] = new0;  /* both already loaded: read above */
    st->i = j;
    return (ulong)new0;
}

#define well512a_HAS_DOUBLE 1
DEVICE double well512a_double(well512a_state *st) {
    return (double)well512a_next(st) * (1.0 / 4294967296.0);
}
