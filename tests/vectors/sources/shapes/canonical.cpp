// std::generate_canonical<double, 53> (what std::uniform_real_distribution<double>(0, 1) draws):
// "native_double" of mt19937, mt19937_64 and of the engines that are not a full word
// (std::default_random_engine = minstd_rand0, minstd_rand, knuth_b, ranlux24_base,
// ranlux48_base: two or three calls). %.17g prints enough digits to read back the same double.
#include <cstdio>
#include <random>
#include <string>

template <class Engine>
void write(const char *out, const char *name, const char *type, unsigned long long seed) {
    Engine gen(seed);
    std::string path = std::string(out) + "/" + name + "/seed-" + std::to_string(seed) + ".native_double.csv";
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) { std::perror(path.c_str()); std::exit(1); }
    std::fprintf(f, "# generator: %s\n# seed: %llu\n# stream: native_double\n", name, seed);
    std::fprintf(f, "# source: g++ %d.%d / libstdc++: std::generate_canonical<double, 53>(%s(%llu)), 1000 calls\n",
                 __GNUC__, __GNUC_MINOR__, type, seed);
    std::fprintf(f, "# made by: tests/vectors/sources/shapes/make.sh\nvalue\n");
    for (int i = 0; i < 1000; i++) std::fprintf(f, "%.17g\n", std::generate_canonical<double, 53>(gen));
    std::fclose(f);
}

int main(int argc, char **argv) {
    for (unsigned long long seed : {0ULL, 3735928495ULL}) {
        write<std::mt19937>(argv[1], "mt19937", "std::mt19937", seed);
        write<std::mt19937_64>(argv[1], "mt19937_64", "std::mt19937_64", seed);
        write<std::minstd_rand0>(argv[1], "minstd_rand0", "std::minstd_rand0", seed);
        write<std::minstd_rand>(argv[1], "minstd_rand", "std::minstd_rand", seed);
        write<std::knuth_b>(argv[1], "knuth_b", "std::knuth_b", seed);
        write<std::ranlux24_base>(argv[1], "ranlux24_base", "std::ranlux24_base", seed);
        write<std::ranlux48_base>(argv[1], "ranlux48_base", "std::ranlux48_base", seed);
    }
    return 0;
}
