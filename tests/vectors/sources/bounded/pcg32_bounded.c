/* pcg32_boundedrand_r(&rng, N) from the PCG reference (pcg_basic.c) -> stream pcg_bounded:N.
 * Build: gcc -O2 -I$PCG_C_BASIC pcg32_bounded.c $PCG_C_BASIC/pcg_basic.c
 * Usage: ./pcg32_bounded OUTDIR */
#include <stdio.h>
#include <inttypes.h>
#include "pcg_basic.h"

int main(int argc, char** argv) {
    uint64_t seeds[] = {0, 3735928495ULL};
    uint32_t bounds[] = {1000, 10};
    for (int s = 0; s < 2; s++) for (int b = 0; b < 2; b++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/pcg32/seed-%" PRIu64 ".pcg_bounded-%u.csv", argv[1], seeds[s], bounds[b]);
        FILE* f = fopen(path, "w");
        pcg32_random_t rng;
        pcg32_srandom_r(&rng, seeds[s], 54u);
        fprintf(f, "# generator: pcg32\n# seed: %" PRIu64 "\n# stream: pcg_bounded:%u\n", seeds[s], bounds[b]);
        fprintf(f, "# source: PCG reference pcg_basic.c: pcg32_srandom_r(&rng, %" PRIu64 ", 54); pcg32_boundedrand_r(&rng, %u), 1000 calls\n", seeds[s], bounds[b]);
        fprintf(f, "# made by: tests/vectors/sources/bounded/make.sh\nvalue\n");
        for (int i = 0; i < 1000; i++) fprintf(f, "%u\n", pcg32_boundedrand_r(&rng, bounds[b]));
        fclose(f);
    }
    return 0;
}
