/* V8's Math.random() under node --random-seed=S (src/numbers/math-random.cc): xorshift128+ with
 * the original shifts (23, 17, 26), state0 = fmix64(S), state1 = fmix64(~S) with S the int flag
 * sign-extended to 64 bits (MurmurHash3's finaliser). Each refill steps the generator 64 times
 * and caches state0 after every step; Math.random() hands the cache out last entry first.
 * Raw output: state0 >> 12 (the 52 mantissa bits of ToDouble); Math.random() = raw / 2**52.
 *
 * No cache array: a refill steps (s0, s1) forward 64 times and serves the state it reaches
 * (cache slot 63); each later output of the refill steps a cursor (c0, c1) one xorshift128+ step
 * backwards (the step is invertible: 4 shift-xors undo the two xorshifts), so the cursor walks
 * slots 62, 61, ... 0 with no 64-word table and no work for the entries never read. */
typedef struct {
    ulong s0, s1;  /* the generator after the last refill (where the next refill starts) */
    ulong c0, c1;  /* the generator state whose state0 is the cache slot served last */
    uint index;    /* cache entries still to hand out; 0: the next call refills */
} v8_math_random_state;

DEVICE ulong v8_math_random_fmix64(ulong h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDUL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53UL;
    return h ^ (h >> 33);
}

DEVICE void v8_math_random_seed(v8_math_random_state *st, ulong seed) {
    ulong wide = seed & 0xFFFFFFFFUL;
    if (wide & 0x80000000UL) wide |= 0xFFFFFFFF00000000UL;
    st->s0 = v8_math_random_fmix64(wide);
    st->s1 = v8_math_random_fmix64(~wide);
    st->c0 = 0; st->c1 = 0;
    st->index = 0;
}

DEVICE ulong v8_math_random_next(v8_math_random_state *st) {
    if (st->index == 0) {
        ulong s0 = st->s0, s1 = st->s1;
        for (int i = 0; i < 32; i++) {  /* two steps per turn: no word swapping */
            ulong a = s0;
            a ^= a << 23;
            a ^= a >> 17;
            s0 = a ^ s1 ^ (s1 >> 26);
            a = s1;
            a ^= a << 23;
            a ^= a >> 17;
            s1 = a ^ s0 ^ (s0 >> 26);
        }
        st->s0 = s0; st->s1 = s1;
        st->c0 = s0; st->c1 = s1;
        st->index = 64;
    } else {
        /* one step back: (c0, c1) = (b, a ^ b ^ (b >> 26)), where a is the previous c0 after
         * a ^= a << 23; a ^= a >> 17 */
        ulong b = st->c0;
        ulong a = st->c1 ^ b ^ (b >> 26);
        a ^= a >> 17;
        a ^= a >> 34;   /* undoes a ^= a >> 17 */
        a ^= a << 23;
        a ^= a << 46;   /* undoes a ^= a << 23 */
        st->c0 = a;
        st->c1 = b;
    }
    st->index--;
    return st->c0 >> 12;
}

/* Math.random(): raw / 2**52 (the default for 52-bit outputs too; spelled out as V8 does it) */
#define v8_math_random_HAS_DOUBLE 1
DEVICE double v8_math_random_double(v8_math_random_state *st) {
    return (double)v8_math_random_next(st) * (1.0 / 4503599627370496.0);
}
