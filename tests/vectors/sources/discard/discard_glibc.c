/* discard_glibc SEED K N: srand(SEED); before each of N draws of rand() % 1000, K calls of rand(). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    unsigned seed = (unsigned)strtoul(argv[1], NULL, 10);
    int k = atoi(argv[2]), n = atoi(argv[3]);
    srand(seed);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) rand();
        printf("%d\n", rand() % 1000);
    }
    return 0;
}
