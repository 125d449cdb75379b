"""CPython random.Random(S).randint(1, 10) and randint(1, 6) (python_randbelow:N plus 1), numpy
RandomState(S).randint(1, 7) (masked:6 plus 1) and numpy default_rng(S).integers(1, 7) (PCG64,
lemire32:6 plus 1: Lemire's method on the 64-bit words' 32-bit halves, low half first)."""

import platform
import random
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
N = 200


def write(generator: str, seed: int, stream: str, add: int, source: str, values: list[int]) -> None:
    folder = out / generator
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# generator: {generator}", f"# seed: {seed}", f"# stream: {stream}",
             f"# add: {add}", f"# source: {source}, {N} calls",
             "# made by: tests/vectors/sources/ranges/make.sh", "value", *map(str, values)]
    name = stream.replace(":", "-")
    (folder / f"seed-{seed}.{name}+{add}.csv").write_text("\n".join(lines) + "\n")


for seed in (1234, 3735928495):
    for low, high in ((1, 10), (1, 6)):
        stream = random.Random(seed)
        write("cpython_random", seed, f"python_randbelow:{high - low + 1}", low,
              f"CPython {platform.python_version()}: random.Random({seed}).randint({low}, {high})",
              [stream.randint(low, high) for _ in range(N)])
    state = np.random.RandomState(seed)
    write("numpy_random_state", seed, "masked:6", 1,
          f"numpy {np.__version__}: numpy.random.RandomState({seed}).randint(1, 7)",
          [int(v) for v in state.randint(1, 7, size=N)])
    rng = np.random.default_rng(seed)
    write("pcg64", seed, "lemire32:6", 1,
          f"numpy {np.__version__}: numpy.random.default_rng({seed}).integers(1, 7)",
          [int(v) for v in rng.integers(1, 7, size=N)])
