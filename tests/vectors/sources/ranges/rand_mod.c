/* glibc srand(S); rand() % 6 + 1: c_rand_mod:6 plus 1. */
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    char path[4096];
    unsigned seeds[] = {1234u, 3735928495u};
    int n = 200;
    snprintf(path, sizeof path, "%s/glibc_random", argv[1]);
    mkdir(path, 0777);
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/glibc_random/seed-%u.c_rand_mod-6+1.csv", argv[1], seeds[k]);
        FILE *f = fopen(path, "w");
        if (!f) return 1;
        fprintf(f, "# generator: glibc_random\n# seed: %u\n# stream: c_rand_mod:6\n# add: 1\n"
                   "# source: glibc %s: srand(%u); rand() %% 6 + 1, %d calls\n"
                   "# made by: tests/vectors/sources/ranges/make.sh\nvalue\n",
                seeds[k], gnu_get_libc_version(), seeds[k], n);
        srand(seeds[k]);
        for (int i = 0; i < n; i++) fprintf(f, "%d\n", rand() % 6 + 1);
        fclose(f);
    }
    return 0;
}
