/* 64-bit word helpers shared by the ports of Vigna's generators and their kin (the device twins
 * of kernels/generators/_bits.py); kernels/sieve/kernel_source.py inlines this file, once. */
#define GOLDEN_GAMMA 0x9E3779B97F4A7C15UL

/* rotate left by 0 < k < 64 */
DEVICE ulong rotl64(ulong x, int k) {
    return (x << k) | (x >> (64 - k));
}

/* splitmix64's output function (Stafford's mix13) */
DEVICE ulong splitmix64_mix(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

/* output i (from 1) of splitmix64 started at state seed: how Vigna's generators fill their state
 * from a 64-bit seed */
DEVICE ulong splitmix64_output(ulong seed, ulong i) {
    return splitmix64_mix(seed + i * GOLDEN_GAMMA);
}
