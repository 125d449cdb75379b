/* Writing one known-answer file in the format of tests/vectors/README.md. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static void write_vector(const char *dir, const char *gen, uint64_t seed, const char *source,
                         const uint64_t *values, int n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, gen);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/seed-%" PRIu64 ".raw.csv", dir, gen, seed);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    fprintf(f, "# generator: %s\n# seed: %" PRIu64 "\n# stream: raw\n# source: %s\n", gen, seed, source);
    fprintf(f, "# made by: tests/vectors/sources/xorshift/make.sh\nvalue\n");
    for (int i = 0; i < n; i++) fprintf(f, "%" PRIu64 "\n", values[i]);
    fclose(f);
}

static void check(int ok, const char *what) {
    if (!ok) { fprintf(stderr, "published known answer mismatch: %s\n", what); exit(1); }
}
