/* Known answers for xoshiro256plus, xoroshiro128starstar and xorshift64star from the authors'
 * reference C code, which no runtime here ships. The reference files are NOT in this repository:
 * make.sh compiles this driver with -I pointing at a folder holding, unmodified,
 *   xoshiro256plus.c, xoroshiro128starstar.c   (https://prng.di.unimi.it/, Blackman & Vigna, CC0)
 *   xorshift64star.c                           (Vigna's former xorshift.di.unimi.it page, CC0)
 * Each defines a global state and next() (and rotl(), jump()); they are renamed per file below.
 * Before writing vectors the driver checks the compiled reference code against the reference
 * outputs published in Rust's rand_xoshiro test suite.
 *
 * State words: the first splitmix64 outputs of each seed, read from WORDSFILE (written by
 * OpenJDK's SplittableRandom in XorshiftVectors.java). xorshift64star's state is the seed.
 *
 * Usage: vigna_reference OUTDIR WORDSFILE
 */
#include "vectors_out.h"

#define N 1000

#define s x256p_s
#define next x256p_next
#define rotl x256p_rotl
#define jump x256p_jump
#define long_jump x256p_long_jump
#include "xoshiro256plus.c"
#undef s
#undef next
#undef rotl
#undef jump
#undef long_jump

#define s x128ss_s
#define next x128ss_next
#define rotl x128ss_rotl
#define jump x128ss_jump
#define long_jump x128ss_long_jump
#include "xoroshiro128starstar.c"
#undef s
#undef next
#undef rotl
#undef jump
#undef long_jump

#define x xs64s_x
#define next xs64s_next
#include "xorshift64star.c"
#undef x
#undef next

int main(int argc, char **argv) {
    const char *dir = argv[1];
    uint64_t values[N];
    char source[1024];

    /* rand_xoshiro's `reference` tests: outputs of the C code for states {1,2,3,4} and {1,2} */
    static const uint64_t pub256p[] = {5u, 211106232532999u, 211106635186183u, 9223759065350669058u,
        9250833439874351877u, 13862484359527728515u, 2346507365006083650u, 1168864526675804870u,
        34095955243042024u, 3466914240207415127u};
    static const uint64_t pub128ss[] = {5760u, 97769243520u, 9706862127477703552u, 9223447511460779954u,
        8358291023205304566u, 15695619998649302768u, 8517900938696309774u, 16586480348202605369u,
        6959129367028440372u, 16822147227405758281u};
    x256p_s[0] = 1; x256p_s[1] = 2; x256p_s[2] = 3; x256p_s[3] = 4;
    for (int i = 0; i < 10; i++) check(x256p_next() == pub256p[i], "xoshiro256plus.c vs rand_xoshiro");
    x128ss_s[0] = 1; x128ss_s[1] = 2;
    for (int i = 0; i < 10; i++) check(x128ss_next() == pub128ss[i], "xoroshiro128starstar.c vs rand_xoshiro");

    FILE *wf = fopen(argv[2], "r");
    if (!wf) { perror(argv[2]); return 1; }
    uint64_t seed, w[4];
    while (fscanf(wf, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &seed, &w[0], &w[1], &w[2], &w[3]) == 5) {
        for (int k = 0; k < 4; k++) x256p_s[k] = w[k];
        for (int i = 0; i < N; i++) values[i] = x256p_next();
        snprintf(source, sizeof source, "Blackman & Vigna reference xoshiro256plus.c next(), compiled with gcc %s; "
                 "s = the first 4 splitmix64 words of seed %" PRIu64 " (OpenJDK SplittableRandom); %d calls", __VERSION__, seed, N);
        write_vector(dir, "xoshiro256plus", seed, source, values, N);

        x128ss_s[0] = w[0]; x128ss_s[1] = w[1];
        for (int i = 0; i < N; i++) values[i] = x128ss_next();
        snprintf(source, sizeof source, "Blackman & Vigna reference xoroshiro128starstar.c next(), compiled with gcc %s; "
                 "s = the first 2 splitmix64 words of seed %" PRIu64 " (OpenJDK SplittableRandom); %d calls", __VERSION__, seed, N);
        write_vector(dir, "xoroshiro128starstar", seed, source, values, N);
    }
    fclose(wf);

    static const uint64_t seeds[] = {1, 3735928495u, 42};
    for (int k = 0; k < 3; k++) {
        xs64s_x = seeds[k];
        for (int i = 0; i < N; i++) values[i] = xs64s_next();
        snprintf(source, sizeof source, "Vigna reference xorshift64star.c next() (shifts 12/25/27, times "
                 "2685821657736338717), compiled with gcc %s; x = %" PRIu64 "; %d calls", __VERSION__, seeds[k], N);
        write_vector(dir, "xorshift64star", seeds[k], source, values, N);
    }
    return 0;
}
