/* kiss99: Marsaglia's own code from his 1999-01-20 post (cut out by extract_marsaglia.py).
   Usage: kiss99_vectors --check            (his test main: prints seven 0 lines)
          kiss99_vectors OUTDIR NOTE SEED STREAM   (one fresh process per stream, so z, w, jsr
          keep the post's static initial values; the seed is jcong) */
#include "marsaglia1999.h"
#include "vecio.h"
#include <math.h>

int main(int argc, char **argv)
{
    unsigned long long v[N_VALUES], seed;
    char src[1024];
    if (argc == 2 && strcmp(argv[1], "--check") == 0) {
        marsaglia_test_main();
        return 0;
    }
    seed = strtoull(argv[3], NULL, 10);
    jcong = (UL) seed;
    if (strcmp(argv[4], "raw") == 0) {
        for (int i = 0; i < N_VALUES; i++) v[i] = KISS;
        snprintf(src, sizeof src, "%s: jcong=%llu; KISS, 1000 calls", argv[2], seed);
    } else if (strcmp(argv[4], "mod:1000") == 0) {
        for (int i = 0; i < N_VALUES; i++) v[i] = KISS % 1000;
        snprintf(src, sizeof src, "%s: jcong=%llu; KISS %% 1000, 1000 calls", argv[2], seed);
    } else if (strcmp(argv[4], "float_mul:1000") == 0) {
        for (int i = 0; i < N_VALUES; i++) v[i] = (unsigned long long) floor(UNI * 1000.0);
        snprintf(src, sizeof src, "%s: jcong=%llu; floor(UNI * 1000), UNI = KISS*2.328306e-10, 1000 calls", argv[2], seed);
    } else {
        fprintf(stderr, "unknown stream %s\n", argv[4]);
        return 1;
    }
    write_vector(argv[1], "kiss99", seed, argv[4], src, v, N_VALUES);
    return 0;
}
