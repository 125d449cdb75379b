/* Generators that no runtime on these machines ships, written out from their published
 * definitions (one line of arithmetic each) so that their vectors come from code independent of
 * the Python under test. These are NOT runtime outputs; the tests also pin the published values
 * quoted beside each one.
 * Usage: published_lcgs GENERATOR SEED COUNT
 *   borland_rand       Borland C/C++ RTL rand(): Seed = Seed * 0x015A4E35 + 1;
 *                      return (Seed >> 16) & 0x7FFF  (W. L. Maier, r250.c, DDJ #176, 1991:
 *                      srand(1) gives 346, 130, 10982, 1090, ..., output 10001 = 23369)
 *   delphi_random      Delphi System._RandInt: IMUL EDX,RandSeed,08088405H; INC EDX;
 *                      RandSeed := EDX  (printed: the new RandSeed as unsigned)
 *   randu              IBM SSP RANDU: IY = IX * 65539, made positive mod 2**31
 *                      (OEIS A096555: 1, 65539, 393225, 1769499, ...)
 *   numerical_recipes  Numerical Recipes in C (2nd ed.) 7.1 ranqd1: idum = 1664525L*idum + 1013904223L
 *   knuth_mmix         Knuth MMIX: x = 6364136223846793005 x + 1442695040888963407; print x >> 32 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s GENERATOR SEED COUNT\n", argv[0]); return 2; }
    const char *g = argv[1];
    uint64_t seed = strtoull(argv[2], NULL, 0);
    long count = strtol(argv[3], NULL, 0);
    uint32_t s32 = (uint32_t) seed;
    int32_t ix = (int32_t) seed;
    uint64_t s64 = seed;
    for (long i = 0; i < count; i++) {
        if (!strcmp(g, "borland_rand")) {
            s32 = s32 * 0x015A4E35u + 1u;
            printf("%" PRIu32 "\n", (s32 >> 16) & 0x7FFFu);
        } else if (!strcmp(g, "delphi_random")) {
            s32 = s32 * 0x08088405u + 1u;
            printf("%" PRIu32 "\n", s32);
        } else if (!strcmp(g, "randu")) {
            /* the Fortran: IY = IX*65539 overflows a 32-bit INTEGER; IF (IY) 5,6,6;
               5 IY = IY + 2147483647 + 1 */
            int32_t iy = (int32_t) ((uint32_t) ix * 65539u);
            if (iy < 0) iy = (int32_t) ((uint32_t) iy + 2147483647u + 1u);
            ix = iy;
            printf("%" PRId32 "\n", iy);
        } else if (!strcmp(g, "numerical_recipes")) {
            s32 = 1664525u * s32 + 1013904223u;
            printf("%" PRIu32 "\n", s32);
        } else if (!strcmp(g, "knuth_mmix")) {
            s64 = 6364136223846793005u * s64 + 1442695040888963407u;
            printf("%" PRIu64 "\n", s64 >> 32);
        } else { fprintf(stderr, "unknown generator %s\n", g); return 2; }
    }
    return 0;
}
