"""python3 discard_cpython.py MODE SEED K N: random.seed(SEED); before each of N draws of
random.randrange(1000), K calls of random.getrandbits(32) (MODE words) or one random.random()
(MODE double)."""

import random
import sys

mode, seed, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(seed)
for _ in range(n):
    if mode == "double":
        random.random()
    else:
        for _ in range(k):
            random.getrandbits(32)
    print(random.randrange(1000))
