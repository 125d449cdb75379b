// sfc32 and jsf32 known answers from PractRand's own implementations (Raw::sfc32 / Raw::jsf32,
// seeded with seed(Uint64)). Usage: practrand_driver sfc32|jsf32 SEED COUNT.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "PractRand.h"
#include "PractRand/RNGs/jsf32.h"
#include "PractRand/RNGs/sfc32.h"

template <class RNG> static void run(PractRand::Uint64 seed, long count) {
    RNG rng;
    rng.seed(seed);
    for (long i = 0; i < count; i++) std::printf("%lu\n", (unsigned long)rng.raw32());
}

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    PractRand::Uint64 seed = std::strtoull(argv[2], nullptr, 10);
    long count = std::strtol(argv[3], nullptr, 10);
    if (!std::strcmp(argv[1], "sfc32")) run<PractRand::RNGs::Raw::sfc32>(seed, count);
    else if (!std::strcmp(argv[1], "jsf32")) run<PractRand::RNGs::Raw::jsf32>(seed, count);
    else return 2;
    return 0;
}
