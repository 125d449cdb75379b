// std::generate_canonical<double, 53> on std::mt19937 and std::mt19937_64 (what
// std::uniform_real_distribution<double>(0, 1) draws): "native_double" of mt19937 and
// mt19937_64. %.17g prints enough digits to read back the same double.
#include <cstdio>
#include <random>
#include <string>

template <class Engine>
void write(const char *out, const char *name, unsigned long long seed) {
    Engine gen(seed);
    std::string path = std::string(out) + "/" + name + "/seed-" + std::to_string(seed) + ".native_double.csv";
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) { std::perror(path.c_str()); std::exit(1); }
    std::fprintf(f, "# generator: %s\n# seed: %llu\n# stream: native_double\n", name, seed);
    std::fprintf(f, "# source: g++ %d.%d / libstdc++: std::generate_canonical<double, 53>(%s(%llu)), 1000 calls\n",
                 __GNUC__, __GNUC_MINOR__, name[7] ? "std::mt19937_64" : "std::mt19937", seed);
    std::fprintf(f, "# made by: tests/vectors/sources/shapes/make.sh\nvalue\n");
    for (int i = 0; i < 1000; i++) std::fprintf(f, "%.17g\n", std::generate_canonical<double, 53>(gen));
    std::fclose(f);
}

int main(int argc, char **argv) {
    for (unsigned long long seed : {0ULL, 3735928495ULL}) {
        write<std::mt19937>(argv[1], "mt19937", seed);
        write<std::mt19937_64>(argv[1], "mt19937_64", seed);
    }
    return 0;
}
