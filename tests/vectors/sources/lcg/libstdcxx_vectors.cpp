// Known answers from libstdc++'s <random> engines, seeded through their result_type constructor.
// Usage: libstdcxx_vectors ENGINE SEED COUNT   (SEED "default" uses the default constructor)
// ENGINE: minstd_rand0 | minstd_rand | ranlux24_base | ranlux48_base | knuth_b
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <string>

template <class Engine>
static void dump(const char *seed, long count) {
    Engine engine;
    if (std::strcmp(seed, "default") != 0)
        engine.seed(static_cast<typename Engine::result_type>(std::strtoull(seed, nullptr, 0)));
    for (long i = 0; i < count; i++) std::cout << engine() << '\n';
}

int main(int argc, char **argv) {
    if (argc != 4) { std::cerr << "usage: " << argv[0] << " ENGINE SEED COUNT\n"; return 2; }
    const std::string name = argv[1];
    const long count = std::strtol(argv[3], nullptr, 0);
    if (name == "minstd_rand0") dump<std::minstd_rand0>(argv[2], count);
    else if (name == "minstd_rand") dump<std::minstd_rand>(argv[2], count);
    else if (name == "ranlux24_base") dump<std::ranlux24_base>(argv[2], count);
    else if (name == "ranlux48_base") dump<std::ranlux48_base>(argv[2], count);
    else if (name == "knuth_b") dump<std::knuth_b>(argv[2], count);
    else { std::cerr << "unknown engine " << name << '\n'; return 2; }
    return 0;
}
