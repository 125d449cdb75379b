/* srand48(time(NULL) - ago); drand48() printed with printf("%f") (six decimals), as a JSON
 * object: {"seed": s, "draws": [...]} */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long seed = (long)time(NULL) - atol(argv[1]);
    int count = atoi(argv[2]);
    srand48(seed);
    printf("{\"seed\": %ld, \"draws\": [", seed);
    for (int i = 0; i < count; i++) printf("%s%f", i ? ", " : "", drand48());
    printf("]}\n");
    return 0;
}
