/* philox4x32_10 known answers from Random123's philox.h: block i = philox4x32_R(10, ctr, key)
 * with ctr = {i, 0, 0, 0} (128-bit counter i, little-endian words) and key = {seed & 0xffffffff,
 * seed >> 32}; the four words of each block in order. Usage: philox_driver SEED COUNT. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <Random123/philox.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    uint64_t seed = strtoull(argv[1], NULL, 10);
    long count = strtol(argv[2], NULL, 10);
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t ctr = {{0, 0, 0, 0}};
    for (long i = 0; i < count; i += 4) {
        philox4x32_ctr_t out = philox4x32_R(10, ctr, key);
        for (int j = 0; j < 4 && i + j < count; j++) printf("%" PRIu32 "\n", out.v[j]);
        if (++ctr.v[0] == 0 && ++ctr.v[1] == 0 && ++ctr.v[2] == 0) ++ctr.v[3];
    }
    return 0;
}
