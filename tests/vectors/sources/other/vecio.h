/* Writes one known-answer file in the format of tests/vectors/README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_vector(const char *dir, const char *gen, unsigned long long seed,
                         const char *stream, const char *source,
                         const unsigned long long *values, int n)
{
    char path[4096], name[256];
    snprintf(path, sizeof path, "%s/%s", dir, gen);
    mkdir(path, 0777);
    snprintf(name, sizeof name, "%s", stream);
    for (char *p = name; *p; p++)
        if (*p == ':') *p = '-';
    snprintf(path, sizeof path, "%s/%s/seed-%llu.%s.csv", dir, gen, seed, name);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    fprintf(f, "# generator: %s\n# seed: %llu\n# stream: %s\n# source: %s\n", gen, seed, stream, source);
    fprintf(f, "# made by: tests/vectors/sources/other/make.sh\nvalue\n");
    for (int i = 0; i < n; i++) fprintf(f, "%llu\n", values[i]);
    fclose(f);
}

#define N_VALUES 1000
