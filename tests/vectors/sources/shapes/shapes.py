"""CPython random.Random(S).random() and numpy RandomState(S).random_sample(): "res53" of
cpython_random and numpy_random_state. repr() prints the shortest round-tripping decimal."""

import platform
import random
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
N = 1000


def write(generator: str, seed: int, source: str, values: list[float]) -> None:
    folder = out / generator
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# generator: {generator}", f"# seed: {seed}", "# stream: res53",
             f"# source: {source}, {N} calls", "# made by: tests/vectors/sources/shapes/make.sh",
             "value", *map(repr, values)]
    (folder / f"seed-{seed}.res53.csv").write_text("\n".join(lines) + "\n")


for seed in (0, 3735928495):
    stream = random.Random(seed)
    write("cpython_random", seed, f"CPython {platform.python_version()}: random.Random({seed}).random()",
          [stream.random() for _ in range(N)])
    state = np.random.RandomState(seed)
    write("numpy_random_state", seed,
          f"numpy {np.__version__}: numpy.random.RandomState({seed}).random_sample()",
          [float(v) for v in state.random_sample(N)])
