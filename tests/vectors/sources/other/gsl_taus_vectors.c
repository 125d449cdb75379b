/* taus88 and lfsr113 from GSL's own rng/taus.c and rng/taus113.c, driven the way
   gsl_rng_set / gsl_rng_get / gsl_rng_uniform drive them (type->set, ->get, ->get_double).
   Usage: gsl_taus_vectors OUTDIR SOURCE-NOTE SEED... */
#include <math.h>
#include "gsl/gsl_rng.h"
#include "vecio.h"

extern const gsl_rng_type *gsl_rng_taus2, *gsl_rng_taus113;

static void check(const gsl_rng_type *t, unsigned long seed, int n, unsigned long expect)
{
    /* rng/test.c: rng_test(T, seed, n, result), the n-th output after gsl_rng_set */
    void *state = calloc(1, t->size);
    unsigned long k = 0;
    t->set(state, seed);
    for (int i = 0; i < n; i++) k = t->get(state);
    if (k != expect) { fprintf(stderr, "%s: GSL check value %lu != %lu\n", t->name, k, expect); exit(1); }
    free(state);
}

static void one(const char *dir, const char *gen, const gsl_rng_type *t, unsigned long long seed,
                const char *note, int reduced)
{
    unsigned long long v[N_VALUES];
    char src[1024];
    void *state = calloc(1, t->size);
    t->set(state, seed);
    for (int i = 0; i < N_VALUES; i++) v[i] = t->get(state);
    snprintf(src, sizeof src, "%s: gsl_rng_set(gsl_rng_%s, %llu); gsl_rng_get(), 1000 calls", note, t->name, seed);
    write_vector(dir, gen, seed, "raw", src, v, N_VALUES);
    if (reduced) {
        t->set(state, seed);
        for (int i = 0; i < N_VALUES; i++) v[i] = (unsigned long long) floor(t->get_double(state) * 1000.0);
        snprintf(src, sizeof src, "%s: floor(gsl_rng_uniform(r) * 1000) after gsl_rng_set(gsl_rng_%s, %llu), 1000 calls", note, t->name, seed);
        write_vector(dir, gen, seed, "float_mul:1000", src, v, N_VALUES);
        t->set(state, seed);
        for (int i = 0; i < N_VALUES; i++) v[i] = t->get(state) % 1000;
        snprintf(src, sizeof src, "%s: gsl_rng_get(r) %% 1000 after gsl_rng_set(gsl_rng_%s, %llu), 1000 calls", note, t->name, seed);
        write_vector(dir, gen, seed, "mod:1000", src, v, N_VALUES);
    }
    free(state);
}

int main(int argc, char **argv)
{
    check(gsl_rng_taus2, 1, 10000, 2733957125UL);   /* GSL rng/test.c */
    check(gsl_rng_taus113, 1, 1000, 1925420673UL);  /* GSL rng/test.c */
    for (int a = 3; a < argc; a++) {
        unsigned long long seed = strtoull(argv[a], NULL, 10);
        one(argv[1], "taus88", gsl_rng_taus2, seed, argv[2], a < 5);
        one(argv[1], "lfsr113", gsl_rng_taus113, seed, argv[2], a < 5);
    }
    return 0;
}
