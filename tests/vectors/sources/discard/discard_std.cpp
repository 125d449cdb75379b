// discard_std MODE SEED K N: std::mt19937 gen(SEED); before each of N draws, gen.discard(K);
// the draw is gen() % 1000 (MODE mod) or std::uniform_int_distribution<unsigned>(0, 999)(gen)
// (MODE uniform).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    std::mt19937 gen(static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10)));
    const unsigned long long k = std::strtoull(argv[3], nullptr, 10);
    const int n = std::atoi(argv[4]);
    const bool uniform = std::strcmp(argv[1], "uniform") == 0;
    std::uniform_int_distribution<unsigned> dist(0, 999);
    for (int i = 0; i < n; i++) {
        gen.discard(k);
        unsigned value = uniform ? dist(gen) : static_cast<unsigned>(gen() % 1000);
        std::printf("%u\n", value);
    }
    return 0;
}
