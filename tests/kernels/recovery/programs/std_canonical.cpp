// std::mt19937 seeded from std::random_device, draws std::uniform_real_distribution<double>(0, 1)
// (std::generate_canonical<double, 53>): {"seed": S, "draws": [...]}
#include <cstdio>
#include <cstdlib>
#include <random>

int main(int argc, char **argv) {
    std::random_device device;
    unsigned seed = device();
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    int count = std::atoi(argv[1]);
    std::printf("{\"seed\": %u, \"draws\": [", seed);
    for (int i = 0; i < count; i++) std::printf(i ? ", %.17g" : "%.17g", uniform(gen));
    std::printf("]}\n");
    return 0;
}
