/* Numerical Recipes ranqd1: idum = 1664525*idum + 1013904223 (mod 2**32); raw = idum. */
typedef struct { uint s; } numerical_recipes_state;

DEVICE void numerical_recipes_seed(numerical_recipes_state *st, ulong seed) {
    st->s = (uint)seed;
}

DEVICE ulong numerical_recipes_next(numerical_recipes_state *st) {
    st->s = st->s * 1664525u + 1013904223u;
    return st->s;
}
