/* srand() of a seed from /dev/urandom, then rand(): {"seed": S, "draws": [...]}. The recovered
   state walks back to this seed (glibc's recurrence steps back exactly). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    unsigned int seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&seed, sizeof seed, 1, f) != 1) return 1;
    fclose(f);
    srand(seed);
    int count = atoi(argv[1]);
    printf("{\"seed\": %u, \"draws\": [", seed ? seed : 1u);  /* srand(0) is srand(1) */
    for (int i = 0; i < count; i++) printf(i ? ", %d" : "%d", rand());
    printf("]}\n");
    return 0;
}
