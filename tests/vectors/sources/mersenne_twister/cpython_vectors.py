"""Known answers for cpython_random from CPython's random module itself.

Usage: python3 cpython_vectors.py OUTDIR
"""

import math
import random
import sys
from pathlib import Path

VERSION = sys.version.split()[0]
SEEDS = (0, 3735928495, 42, 0x0123456789ABCDEF)


def write(out: Path, seed: int, stream: str, source: str, values: list[int]) -> None:
    folder = out / "cpython_random"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# generator: cpython_random", f"# seed: {seed}", f"# stream: {stream}",
             f"# source: CPython {VERSION}: {source}",
             "# made by: tests/vectors/sources/mersenne_twister/make.sh", "value",
             *map(str, values)]
    (folder / f"seed-{seed}.{stream.replace(':', '-')}.csv").write_text("\n".join(lines) + "\n")


def main() -> None:
    out = Path(sys.argv[1])
    for seed in SEEDS:
        r = random.Random(seed)
        write(out, seed, "raw", f"random.seed({seed}); random.getrandbits(32), 1000 calls",
              [r.getrandbits(32) for _ in range(1000)])
        r = random.Random(seed)
        write(out, seed, "python_randbelow:1000", f"random.seed({seed}); random.randrange(1000), 1000 calls",
              [r.randrange(1000) for _ in range(1000)])
        r = random.Random(seed)
        write(out, seed, "float_mul:1000", f"random.seed({seed}); math.floor(random.random() * 1000), 1000 calls",
              [math.floor(r.random() * 1000) for _ in range(1000)])
        r = random.Random(seed)
        write(out, seed, "digits:3",
              f"random.seed({seed}); int(''.join(str(random.randrange(10)) for _ in range(3))), 1000 calls",
              [int("".join(str(r.randrange(10)) for _ in range(3))) for _ in range(1000)])


if __name__ == "__main__":
    main()
