// Known answers for mt19937 and mt19937_64 from libstdc++ itself.
// Usage: g++ -std=c++17 -O2 std_vectors.cpp -o std_vectors && ./std_vectors OUTDIR
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>
#include <vector>

static void write(const std::string& dir, const std::string& gen, unsigned long long seed,
                  const std::string& stream, const std::string& source,
                  const std::vector<unsigned long long>& values) {
    std::string folder = dir + "/" + gen;
    mkdir(folder.c_str(), 0755);
    std::string name = stream;
    for (char& c : name) if (c == ':') c = '-';
    std::ofstream out(folder + "/seed-" + std::to_string(seed) + "." + name + ".csv");
    out << "# generator: " << gen << "\n# seed: " << seed << "\n# stream: " << stream
        << "\n# source: g++ " << __VERSION__ << " libstdc++: " << source
        << "\n# made by: tests/vectors/sources/mersenne_twister/make.sh\nvalue\n";
    for (unsigned long long v : values) out << v << "\n";
}

template <typename Engine>
static void vectors(const std::string& dir, const std::string& gen, const std::string& type) {
    for (unsigned long long seed : {0ULL, 3735928495ULL, 5489ULL}) {
        std::vector<unsigned long long> raw, floats;
        Engine g(static_cast<typename Engine::result_type>(seed));
        for (int i = 0; i < 1000; i++) raw.push_back(g());
        write(dir, gen, seed, "raw", type + "(" + std::to_string(seed) + ")(), 1000 calls", raw);

        Engine h(static_cast<typename Engine::result_type>(seed));
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        for (int i = 0; i < 1000; i++) floats.push_back((unsigned long long)std::floor(unit(h) * 1000));
        write(dir, gen, seed, "float_mul:1000",
              "floor(std::uniform_real_distribution<double>(0, 1)(" + type + "(" +
                  std::to_string(seed) + ")) * 1000), 1000 calls", floats);
    }
}

int main(int argc, char** argv) {
    std::string dir = argv[1];
    vectors<std::mt19937>(dir, "mt19937", "std::mt19937");
    vectors<std::mt19937_64>(dir, "mt19937_64", "std::mt19937_64");
    return 0;
}
