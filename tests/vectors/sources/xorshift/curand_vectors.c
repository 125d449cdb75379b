/* Known answers for xorwow from NVIDIA cuRAND's host generator (runs on the CPU, no GPU needed).
 *
 * With CURAND_ORDERING_PSEUDO_LEGACY ("guaranteed to remain the same for all cuRAND release"),
 * the host XORWOW generator interleaves 4096 streams, stream k being curand_init(seed, k, 0);
 * so elements 0, 4096, 8192, ... of its output are the stream of curand_init(seed, 0, 0)
 * followed by curand() (raw), or by curand_uniform_double() (curandGenerateUniformDouble).
 *
 * Usage: curand_vectors OUTDIR SEED
 */
#include <curand.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define N 1000
#define STREAMS 4096

static curandGenerator_t make(unsigned long long seed) {
    curandGenerator_t gen;
    if (curandCreateGeneratorHost(&gen, CURAND_RNG_PSEUDO_XORWOW) != CURAND_STATUS_SUCCESS ||
        curandSetPseudoRandomGeneratorSeed(gen, seed) != CURAND_STATUS_SUCCESS ||
        curandSetGeneratorOrdering(gen, CURAND_ORDERING_PSEUDO_LEGACY) != CURAND_STATUS_SUCCESS) {
        fprintf(stderr, "curand setup failed\n");
        exit(1);
    }
    return gen;
}

static FILE *open_file(const char *dir, unsigned long long seed, const char *stream, const char *what) {
    char path[4096];
    int version = 0;
    curandGetVersion(&version);
    snprintf(path, sizeof path, "%s/xorwow", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/xorwow/seed-%llu.%s.csv", dir, seed, stream);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    fprintf(f, "# generator: xorwow\n# seed: %llu\n# stream: %s\n", seed,
            stream[0] == 'r' ? "raw" : "float_mul:1000");
    fprintf(f, "# source: NVIDIA cuRAND %d host generator CURAND_RNG_PSEUDO_XORWOW, seed %llu, "
            "CURAND_ORDERING_PSEUDO_LEGACY, every %dth element (= curand_init(%llu, 0, 0) stream): %s, %d values\n",
            version, seed, STREAMS, seed, what, N);
    fprintf(f, "# made by: tests/vectors/sources/xorshift/make.sh\nvalue\n");
    return f;
}

int main(int argc, char **argv) {
    const char *dir = argv[1];
    unsigned long long seed = strtoull(argv[2], NULL, 10);

    curandGenerator_t gen = make(seed);
    unsigned int *words = malloc(sizeof *words * (size_t)N * STREAMS);
    if (curandGenerate(gen, words, (size_t)N * STREAMS) != CURAND_STATUS_SUCCESS) return 1;
    FILE *f = open_file(dir, seed, "raw", "curandGenerate");
    for (size_t i = 0; i < N; i++) fprintf(f, "%u\n", words[i * STREAMS]);
    fclose(f);
    curandDestroyGenerator(gen);

    gen = make(seed);
    double *u = malloc(sizeof *u * (size_t)N * STREAMS);
    if (curandGenerateUniformDouble(gen, u, (size_t)N * STREAMS) != CURAND_STATUS_SUCCESS) return 1;
    f = open_file(dir, seed, "float_mul-1000", "floor(curandGenerateUniformDouble * 1000)");
    for (size_t i = 0; i < N; i++) fprintf(f, "%.0f\n", floor(u[i * STREAMS] * 1000));
    fclose(f);
    curandDestroyGenerator(gen);
    return 0;
}
