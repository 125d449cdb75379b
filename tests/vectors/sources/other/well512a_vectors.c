/* well512a: the authors' WELL512a.c, its 16 seed words from glibc srand(seed); rand().
   Usage: well512a_vectors OUTDIR SOURCE-NOTE SEED... (reduced streams for the first two seeds) */
#include <math.h>
#include "WELL512a.h"
#include "vecio.h"

static void seed_well(unsigned int seed)
{
    unsigned int init[16];
    srand(seed);
    for (int i = 0; i < 16; i++) init[i] = (unsigned int) rand();
    InitWELLRNG512a(init);
}

int main(int argc, char **argv)
{
    unsigned long long v[N_VALUES];
    char src[1024];
    for (int a = 3; a < argc; a++) {
        unsigned int seed = (unsigned int) strtoull(argv[a], NULL, 10);
        seed_well(seed);
        /* WELLRNG512a() is STATE[i] * 2**-32 exactly: scaling back recovers the word */
        for (int i = 0; i < N_VALUES; i++) v[i] = (unsigned long long) (WELLRNG512a() * 4294967296.0);
        snprintf(src, sizeof src, "%s: srand(%u), 16 x rand() -> InitWELLRNG512a; WELLRNG512a() * 2**32, 1000 calls", argv[2], seed);
        write_vector(argv[1], "well512a", seed, "raw", src, v, N_VALUES);
        if (a >= 5) continue;
        for (int bound = 1000; bound >= 10; bound /= 100) {
            char stream[32];
            seed_well(seed);
            for (int i = 0; i < N_VALUES; i++) v[i] = (unsigned long long) floor(WELLRNG512a() * bound);
            snprintf(src, sizeof src, "%s: srand(%u), 16 x rand() -> InitWELLRNG512a; floor(WELLRNG512a() * %d), 1000 calls", argv[2], seed, bound);
            snprintf(stream, sizeof stream, "float_mul:%d", bound);
            write_vector(argv[1], "well512a", seed, stream, src, v, N_VALUES);
        }
    }
    return 0;
}
