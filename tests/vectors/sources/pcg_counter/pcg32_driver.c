/* pcg32 known answers from the PCG reference (pcg-c-basic): pcg32_srandom_r(&rng, seed, 54u),
 * then pcg32_random_r. Usage: pcg32_driver SEED COUNT -> one decimal value per line. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "pcg_basic.h"

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    uint64_t seed = strtoull(argv[1], NULL, 10);
    long count = strtol(argv[2], NULL, 10);
    pcg32_random_t rng;
    pcg32_srandom_r(&rng, seed, 54u);
    for (long i = 0; i < count; i++) printf("%" PRIu32 "\n", pcg32_random_r(&rng));
    return 0;
}
