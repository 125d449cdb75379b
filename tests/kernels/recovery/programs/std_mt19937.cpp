// std::mt19937 seeded from std::random_device, draws gen() % 1000: {"seed": S, "draws": [...]}
#include <cstdio>
#include <cstdlib>
#include <random>

int main(int argc, char **argv) {
    std::random_device device;
    unsigned seed = device();
    std::mt19937 gen(seed);
    int count = std::atoi(argv[1]);
    std::printf("{\"seed\": %u, \"draws\": [", seed);
    for (int i = 0; i < count; i++) std::printf(i ? ", %u" : "%u", static_cast<unsigned>(gen() % 1000));
    std::printf("]}\n");
    return 0;
}
