/* srand() of a seed from /dev/urandom, then rand(): {"seed": S, "draws": [...]}. The seed is
   printed but not compared: glibc's seeding is not inverted, only its state recovered. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    unsigned int seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&seed, sizeof seed, 1, f) != 1) return 1;
    fclose(f);
    srand(seed);
    int count = atoi(argv[1]);
    printf("{\"seed\": null, \"os_seed\": %u, \"draws\": [", seed);
    for (int i = 0; i < count; i++) printf(i ? ", %d" : "%d", rand());
    printf("]}\n");
    return 0;
}
