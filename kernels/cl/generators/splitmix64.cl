/* splitmix64 (Vigna's splitmix64.c; java.util.SplittableRandom(seed).nextLong()): state = seed. */
typedef struct { ulong state; } splitmix64_state;

DEVICE void splitmix64_seed(splitmix64_state *st, ulong seed) {
    st->state = seed;
}

DEVICE ulong splitmix64_next(splitmix64_state *st) {
    ulong z = (st->state += 0x9E3779B97F4A7C15UL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}
