/* cmwc4096: Marsaglia's CMWC4096 as he posted it (comp.lang.c / sci.math, 2003), with only the
   integer types spelled for LP64 (his unsigned long is 32-bit, unsigned long long 64-bit), and
   Q[] filled as his SUPRKISS32 code (Nov 2009) fills its CMWC table, Q[i] = CNG + XS, with the
   seed as the initial xcng. No reference file of these posts can be compiled as is, so this is
   a transcription of the posted code, not an independent implementation.
   Usage: cmwc4096_vectors OUTDIR NOTE SEED STREAM (one fresh process per stream) */
#include <stdint.h>
#include <math.h>
#include "vecio.h"

static uint32_t Q[4096], c = 362436;
uint32_t CMWC4096(void)
{
    uint64_t t, a = 18782LL;
    static uint32_t i = 4095;
    uint32_t x, r = 0xfffffffe;
    i = (i + 1) & 4095;
    t = a * Q[i] + c;
    c = (t >> 32); x = t + c; if (x < c) { x++; c++; }
    return (Q[i] = r - x);
}

static uint32_t xcng = 1236789, xs = 521288629;
#define CNG (xcng = 69069 * xcng + 123)
#define XS (xs ^= (xs << 13), xs ^= (xs >> 17), xs ^= (xs << 5))

int main(int argc, char **argv)
{
    unsigned long long v[N_VALUES], seed = strtoull(argv[3], NULL, 10);
    char src[1024];
    xcng = (uint32_t) seed;
    for (int k = 0; k < 4096; k++) Q[k] = CNG + XS;
    if (strcmp(argv[4], "raw") == 0) {
        for (int k = 0; k < N_VALUES; k++) v[k] = CMWC4096();
        snprintf(src, sizeof src, "%s: xcng=%llu, Q[i]=CNG+XS; CMWC4096(), 1000 calls", argv[2], seed);
    } else if (strcmp(argv[4], "mod:1000") == 0) {
        for (int k = 0; k < N_VALUES; k++) v[k] = CMWC4096() % 1000;
        snprintf(src, sizeof src, "%s: xcng=%llu, Q[i]=CNG+XS; CMWC4096() %% 1000, 1000 calls", argv[2], seed);
    } else if (strcmp(argv[4], "float_mul:1000") == 0) {
        for (int k = 0; k < N_VALUES; k++) v[k] = (unsigned long long) floor(CMWC4096() / 4294967296.0 * 1000.0);
        snprintf(src, sizeof src, "%s: xcng=%llu, Q[i]=CNG+XS; floor(CMWC4096() / 4294967296.0 * 1000), 1000 calls", argv[2], seed);
    } else {
        fprintf(stderr, "unknown stream %s\n", argv[4]);
        return 1;
    }
    write_vector(argv[1], "cmwc4096", seed, argv[4], src, v, N_VALUES);
    return 0;
}
