// libstdc++ std::uniform_int_distribution<int>(0, N-1) over std::mt19937 / std::mt19937_64
// (Lemire's method on 32- and 64-bit words) -> streams lemire32:N / lemire64:N.
// Usage: ./std_uniform_int OUTDIR
#include <cstdio>
#include <random>
#include <string>

template <class Engine>
void write(const std::string& dir, const char* name, const char* kind, unsigned long long seed, int bound) {
    std::string path = dir + "/" + name + "/seed-" + std::to_string(seed) + "." + kind + "-" + std::to_string(bound) + ".csv";
    FILE* f = std::fopen(path.c_str(), "w");
    Engine engine(seed);
    std::uniform_int_distribution<int> dist(0, bound - 1);
    std::fprintf(f, "# generator: %s\n# seed: %llu\n# stream: %s:%d\n", name, seed, kind, bound);
    std::fprintf(f, "# source: g++ %s libstdc++: std::uniform_int_distribution<int>(0, %d) over std::%s(%llu), 1000 calls\n",
                 __VERSION__, bound - 1, name, seed);
    std::fprintf(f, "# made by: tests/vectors/sources/bounded/make.sh\nvalue\n");
    for (int i = 0; i < 1000; i++) std::fprintf(f, "%d\n", dist(engine));
    std::fclose(f);
}

int main(int argc, char** argv) {
    std::string dir = argv[1];
    for (unsigned long long seed : {0ULL, 3735928495ULL}) {
        for (int bound : {1000, 10}) {
            write<std::mt19937>(dir, "mt19937", "lemire32", seed, bound);
            write<std::mt19937_64>(dir, "mt19937_64", "lemire64", seed, bound);
        }
    }
}
