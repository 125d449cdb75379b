/* Known answers for xorshift32, xorshift64 and xorshift128 from the C code published in
 * G. Marsaglia, "Xorshift RNGs", Journal of Statistical Software 8(14), 2003, pp. 1-6.
 * No runtime or library ships these generators, so the paper's own code is the reference.
 *
 * The three functions below are the paper's xor32() (p. 4, shifts 13/17/5), xor64() (p. 4,
 * 13/7/17) and xor128() (p. 5, 11/8/19), with two changes that do not touch the arithmetic:
 * the paper's `unsigned long` (32 bits on the paper's machines) is spelled uint32_t, and
 * `unsigned long long` uint64_t; the paper's function-local static state is file-level so that
 * the driver can seed it (the paper's initial values are the defaults here).
 *
 * Seeding conventions (kernels/generators/xorshift.py): xorshift32 y = seed, xorshift64
 * x = seed, xorshift128 x = 123456789 ^ seed (other words the paper's).
 *
 * Usage: marsaglia OUTDIR
 */
#include "vectors_out.h"

#define N 1000

/* ---- the paper's code ---- */
static uint32_t y = 2463534242u;
static uint32_t xor32(void) { y ^= (y << 13); y ^= (y >> 17); return (y ^= (y << 5)); }

static uint64_t x64 = 88172645463325252ull;
static uint64_t xor64(void) { x64 ^= (x64 << 13); x64 ^= (x64 >> 7); return (x64 ^= (x64 << 17)); }

static uint32_t x = 123456789u, yy = 362436069u, z = 521288629u, w = 88675123u;
static uint32_t xor128(void) {
    uint32_t t;
    t = (x ^ (x << 11)); x = yy; yy = z; z = w;
    return (w = (w ^ (w >> 19)) ^ (t ^ (t >> 8)));
}
/* ---- end of the paper's code ---- */

int main(int argc, char **argv) {
    const char *dir = argv[1];
    uint64_t values[N];
    char source[1024];

    /* rand_xorshift (Rust) publishes xor128 outputs for x=0x0D0E0F10, y=0x090A0B0C,
       z=0x05060708, w=0x01020304: check the transcription against them first. */
    x = 0x0D0E0F10u; yy = 0x090A0B0Cu; z = 0x05060708u; w = 0x01020304u;
    static const uint32_t published[] = {2081028795u, 620940381u, 269070770u, 16943764u, 854422573u,
                                         29242889u, 1550291885u, 1227154591u, 271695242u};
    for (int i = 0; i < 9; i++) check(xor128() == published[i], "xor128 vs rand_xorshift test_xorshift_true_values");

    static const uint64_t seeds32[] = {1, 3735928495u, 2463534242u};
    for (int k = 0; k < 3; k++) {
        y = (uint32_t)seeds32[k];
        for (int i = 0; i < N; i++) values[i] = xor32();
        snprintf(source, sizeof source, "Marsaglia 2003 (J. Stat. Softw. 8(14)) published C xor32(), "
                 "shifts 13/17/5, y = %" PRIu64 ", compiled with gcc %s; %d calls", seeds32[k], __VERSION__, N);
        write_vector(dir, "xorshift32", seeds32[k], source, values, N);
    }

    static const uint64_t seeds64[] = {1, 3735928495u, 88172645463325252ull};
    for (int k = 0; k < 3; k++) {
        x64 = seeds64[k];
        for (int i = 0; i < N; i++) values[i] = xor64();
        snprintf(source, sizeof source, "Marsaglia 2003 (J. Stat. Softw. 8(14)) published C xor64(), "
                 "shifts 13/7/17, x = %" PRIu64 ", compiled with gcc %s; %d calls", seeds64[k], __VERSION__, N);
        write_vector(dir, "xorshift64", seeds64[k], source, values, N);
    }

    static const uint64_t seeds128[] = {0, 3735928495u, 42};
    for (int k = 0; k < 3; k++) {
        x = 123456789u ^ (uint32_t)seeds128[k]; yy = 362436069u; z = 521288629u; w = 88675123u;
        for (int i = 0; i < N; i++) values[i] = xor128();
        snprintf(source, sizeof source, "Marsaglia 2003 (J. Stat. Softw. 8(14)) published C xor128(), "
                 "shifts 11/8/19, the paper's state with x = 123456789 ^ %" PRIu64 ", compiled with gcc %s; %d calls",
                 seeds128[k], __VERSION__, N);
        write_vector(dir, "xorshift128", seeds128[k], source, values, N);
    }
    return 0;
}
