/* Known answers for msvc_rand from a Microsoft C runtime: built with MinGW-w64 against
 * msvcrt.dll and run under Wine (whose msvcrt.dll reimplements Microsoft's rand()).
 * Usage: wine msvcrt_vectors.exe FUNCTION SEED COUNT   FUNCTION: rand | rand_mod1000 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FUNCTION SEED COUNT\n", argv[0]); return 2; }
    int mod = !strcmp(argv[1], "rand_mod1000");
    long count = strtol(argv[3], NULL, 0);
    srand((unsigned int) strtoul(argv[2], NULL, 0));
    for (long i = 0; i < count; i++) printf("%d\n", mod ? rand() % 1000 : rand());
    return 0;
}
