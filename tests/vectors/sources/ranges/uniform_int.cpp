// libstdc++ std::uniform_int_distribution<int>(1, 6) over std::mt19937(S) and
// std::mt19937_64(S): Lemire's multiply-and-reject (lemire32:6 / lemire64:6) plus 1; over the
// engines whose range is not a full word (std::default_random_engine = minstd_rand0,
// minstd_rand, knuth_b, ranlux24_base, ranlux48_base): the division downscaling
// (cpp_downscale:6) plus 1.
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
        write<std::minstd_rand0>(argv[1], "minstd_rand0", "cpp_downscale", seed);
        write<std::minstd_rand>(argv[1], "minstd_rand", "cpp_downscale", seed);
        write<std::knuth_b>(argv[1], "knuth_b", "cpp_downscale", seed);
        write<std::ranlux24_base>(argv[1], "ranlux24_base", "cpp_downscale", seed);
        write<std::ranlux48_base>(argv[1], "ranlux48_base", "cpp_downscale", seed);
    }
    return 0;
}
