/* Just enough of GSL's gsl_rng.h for rng/taus.c and rng/taus113.c to compile unchanged:
   gsl_rng_type has the same fields, in the same order, as GSL's own. */
#include <stddef.h>
typedef struct {
    const char *name;
    unsigned long int max;
    unsigned long int min;
    size_t size;
    void (*set)(void *state, unsigned long int seed);
    unsigned long int (*get)(void *state);
    double (*get_double)(void *state);
} gsl_rng_type;
