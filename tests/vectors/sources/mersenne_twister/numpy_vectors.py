"""Known answers for numpy_random_state from numpy's legacy RandomState itself.

Usage: python3 numpy_vectors.py OUTDIR
"""

import math
import sys
from pathlib import Path

import numpy as np

SEEDS = (0, 3735928495, 42)


def write(out: Path, seed: int, stream: str, source: str, values) -> None:
    folder = out / "numpy_random_state"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# generator: numpy_random_state", f"# seed: {seed}", f"# stream: {stream}",
             f"# source: numpy {np.__version__}: {source}",
             "# made by: tests/vectors/sources/mersenne_twister/make.sh", "value",
             *(str(int(v)) for v in values)]
    (folder / f"seed-{seed}.{stream.replace(':', '-')}.csv").write_text("\n".join(lines) + "\n")


def main() -> None:
    out = Path(sys.argv[1])
    for seed in SEEDS:
        # the 32-bit words of the legacy generator, one per value (randint with a 2**32 bound on
        # uint32 is the unmasked word)
        words = np.random.RandomState(seed).randint(2**32, size=1000, dtype=np.uint32)
        assert words.tolist() == np.random.RandomState(seed)._bit_generator.random_raw(1000).tolist()
        write(out, seed, "raw", f"numpy.random.RandomState({seed}).randint(2**32, dtype=numpy.uint32), 1000 calls",
              words)
        r = np.random.RandomState(seed)
        write(out, seed, "masked:1000", f"numpy.random.RandomState({seed}).randint(1000), 1000 calls",
              [r.randint(1000) for _ in range(1000)])
        r = np.random.RandomState(seed)
        write(out, seed, "float_mul:1000",
              f"math.floor(numpy.random.RandomState({seed}).random_sample() * 1000), 1000 calls",
              [math.floor(r.random_sample() * 1000) for _ in range(1000)])


if __name__ == "__main__":
    main()
