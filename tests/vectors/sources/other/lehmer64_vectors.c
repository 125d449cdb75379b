/* lehmer64 from Lemire's testingRNG lehmer64.h (with its splitmix64.h).
   Usage: lehmer64_vectors OUTDIR SOURCE-NOTE SEED...
   Also prints "seed state-high state-low" after lehmer64_seed, for the randomgen cross-check. */
#include "lehmer64.h"
#include "vecio.h"

int main(int argc, char **argv)
{
    unsigned long long v[N_VALUES];
    char src[1024];
    for (int a = 3; a < argc; a++) {
        unsigned long long seed = strtoull(argv[a], NULL, 10);
        lehmer64_seed(seed);
        printf("%llu %llu %llu\n", seed, (unsigned long long) (g_lehmer64_state >> 64),
               (unsigned long long) g_lehmer64_state);
        for (int i = 0; i < N_VALUES; i++) v[i] = lehmer64();
        snprintf(src, sizeof src, "%s: lehmer64_seed(%llu); lehmer64(), 1000 calls", argv[2], seed);
        write_vector(argv[1], "lehmer64", seed, "raw", src, v, N_VALUES);
        if (a >= 5) continue;
        lehmer64_seed(seed);
        for (int i = 0; i < N_VALUES; i++) v[i] = lehmer64() % 1000;
        snprintf(src, sizeof src, "%s: lehmer64_seed(%llu); lehmer64() %% 1000, 1000 calls", argv[2], seed);
        write_vector(argv[1], "lehmer64", seed, "mod:1000", src, v, N_VALUES);
    }
    return 0;
}
