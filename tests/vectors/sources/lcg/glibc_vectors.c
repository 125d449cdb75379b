/* Known answers from glibc itself: rand/srand, rand_r, the *rand48 family, and random() in its
 * TYPE_0 mode (initstate with an 8-byte state), which is the C standard's example generator
 * kept to 31 bits.
 * Usage: glibc_vectors FUNCTION SEED COUNT   (prints one value per line)
 * FUNCTION: rand | rand_mod1000 | rand_r | rand_r_mod1000 | lrand48 | lrand48_mod1000 |
 *           mrand48 | drand48_mul1000 | type0_high15                                         */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FUNCTION SEED COUNT\n", argv[0]); return 2; }
    const char *fn = argv[1];
    unsigned long long seed = strtoull(argv[2], NULL, 0);
    long count = strtol(argv[3], NULL, 0);
    unsigned int r_seed = (unsigned int) seed;
    static char type0_state[8];

    if (!strncmp(fn, "rand", 4) && strncmp(fn, "rand_r", 6)) srand((unsigned int) seed);
    else if (strstr(fn, "48")) srand48((long) seed);
    else if (!strcmp(fn, "type0_high15")) initstate((unsigned int) seed, type0_state, sizeof type0_state);

    for (long i = 0; i < count; i++) {
        if (!strcmp(fn, "rand")) printf("%d\n", rand());
        else if (!strcmp(fn, "rand_mod1000")) printf("%d\n", rand() % 1000);
        else if (!strcmp(fn, "rand_r")) printf("%d\n", rand_r(&r_seed));
        else if (!strcmp(fn, "rand_r_mod1000")) printf("%d\n", rand_r(&r_seed) % 1000);
        else if (!strcmp(fn, "lrand48")) printf("%ld\n", lrand48());
        else if (!strcmp(fn, "lrand48_mod1000")) printf("%ld\n", lrand48() % 1000);
        else if (!strcmp(fn, "mrand48")) printf("%ld\n", mrand48());
        else if (!strcmp(fn, "drand48_mul1000")) printf("%.0f\n", floor(drand48() * 1000));
        else if (!strcmp(fn, "type0_high15")) printf("%ld\n", random() >> 16);
        else { fprintf(stderr, "unknown function %s\n", fn); return 2; }
    }
    return 0;
}
