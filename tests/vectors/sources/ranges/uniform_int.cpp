// libstdc++ std::uniform_int_distribution<int>(1, 6) over std::mt19937(S) and
// std::mt19937_64(S): Lemire's multiply-and-reject (lemire32:6 / lemire64:6) plus 1.
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>

template <class Engine>
static void write(const std::string &dir, const char *name, const char *stream, unsigned seed) {
    std::string folder = dir + "/" + name;
    mkdir(folder.c_str(), 0777);
    std::ofstream out(folder + "/seed-" + std::to_string(seed) + "." + stream + "-6+1.csv");
    out << "# generator: " << name << "\n# seed: " << seed << "\n# stream: " << stream
        << ":6\n# add: 1\n# source: g++ " << __VERSION__ << " libstdc++: std::" << name << "("
        << seed << "); std::uniform_int_distribution<int>(1, 6), 200 calls\n"
        << "# made by: tests/vectors/sources/ranges/make.sh\nvalue\n";
    Engine engine(seed);
    std::uniform_int_distribution<int> die(1, 6);
    for (int i = 0; i < 200; i++) out << die(engine) << "\n";
}

int main(int argc, char **argv) {
    for (unsigned seed : {1234u, 3735928495u}) {
        write<std::mt19937>(argv[1], "mt19937", "lemire32", seed);
        write<std::mt19937_64>(argv[1], "mt19937_64", "lemire64", seed);
    }
    return 0;
}
