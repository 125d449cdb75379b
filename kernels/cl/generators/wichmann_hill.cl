/* Python 2.7 random.WichmannHill(a), integer a < 2**44: x = a % 30268 + 1, y = (a / 30268) % 30306
 * + 1, z = (a / 30268 / 30306) % 30322 + 1; raw = x << 30 | y << 15 | z after each AS 183 step;
 * double = Python 2's random() = (x/30269. + y/30307. + z/30323.) % 1.0. */
typedef struct { uint x, y, z; } wichmann_hill_state;

DEVICE void wichmann_hill_seed(wichmann_hill_state *st, ulong seed) {
    ulong a = seed;
    st->x = (uint)(a % 30268UL) + 1u; a /= 30268UL;
    st->y = (uint)(a % 30306UL) + 1u; a /= 30306UL;
    st->z = (uint)(a % 30322UL) + 1u;
}

DEVICE ulong wichmann_hill_next(wichmann_hill_state *st) {
    uint x = st->x * 171u % 30269u, y = st->y * 172u % 30307u, z = st->z * 170u % 30323u;
    st->x = x; st->y = y; st->z = z;
    return ((ulong)x << 30) | ((ulong)y << 15) | (ulong)z;
}

#define wichmann_hill_HAS_DOUBLE 1
DEVICE double wichmann_hill_double(wichmann_hill_state *st) {
    wichmann_hill_next(st);
    /* divisions are correctly rounded in both dialects and nothing here can be contracted;
     * for 0 <= s < 3, s - floor(s) is exact (Sterbenz), so it equals Python's s % 1.0 */
    double s = (double)st->x / 30269.0 + (double)st->y / 30307.0 + (double)st->z / 30323.0;
    return s - FLOOR(s);
}
