/* wyrand from wyhash.h (Wang Yi), cross-checked against Lemire's testingRNG wyrand.h.
   Usage: wyrand_vectors OUTDIR SOURCE-NOTE SEED... */
#include <math.h>
/* both headers name a function wyrand: keep Lemire's under another name */
#define wyrand lemire_wyrand
#include "lemire_wyrand.h"
#undef wyrand
#include "wyhash.h"
#include "vecio.h"

int main(int argc, char **argv)
{
    unsigned long long v[N_VALUES];
    char src[1024];
    for (int a = 3; a < argc; a++) {
        unsigned long long seed = strtoull(argv[a], NULL, 10);
        uint64_t s = seed;
        wyrand_seed(seed);
        for (int i = 0; i < N_VALUES; i++) {
            v[i] = wyrand(&s);
            if (v[i] != wyrand_stateless(&wyrand_x)) { fprintf(stderr, "wyhash.h and testingRNG disagree\n"); return 1; }
        }
        snprintf(src, sizeof src, "%s: uint64_t s = %llu; wyrand(&s), 1000 calls", argv[2], seed);
        write_vector(argv[1], "wyrand", seed, "raw", src, v, N_VALUES);
        if (a >= 5) continue;
        s = seed;
        for (int i = 0; i < N_VALUES; i++) v[i] = wyrand(&s) % 1000;
        snprintf(src, sizeof src, "%s: uint64_t s = %llu; wyrand(&s) %% 1000, 1000 calls", argv[2], seed);
        write_vector(argv[1], "wyrand", seed, "mod:1000", src, v, N_VALUES);
        s = seed;
        for (int i = 0; i < N_VALUES; i++) v[i] = (unsigned long long) floor(wy2u01(wyrand(&s)) * 1000.0);
        snprintf(src, sizeof src, "%s: uint64_t s = %llu; floor(wy2u01(wyrand(&s)) * 1000), 1000 calls", argv[2], seed);
        write_vector(argv[1], "wyrand", seed, "float_mul:1000", src, v, N_VALUES);
    }
    return 0;
}
