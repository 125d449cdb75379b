"""numpy Generator.integers(0, N) (Lemire on 32-bit words) -> stream lemire32:N.

Usage: python numpy_integers.py OUTDIR
"""

import sys
from pathlib import Path

import numpy as np

ENTRIES = {
    "pcg64": np.random.PCG64,
    "pcg64_dxsm": np.random.PCG64DXSM,
    "philox4x64_10": np.random.Philox,
    "sfc64": np.random.SFC64,
}

out = Path(sys.argv[1])
for name, bit_generator in ENTRIES.items():
    for seed in (0, 3735928495):
        for bound in (1000, 10):
            values = np.random.Generator(bit_generator(seed)).integers(0, bound, size=1000)
            lines = [
                f"# generator: {name}",
                f"# seed: {seed}",
                f"# stream: lemire32:{bound}",
                f"# source: numpy {np.__version__}: "
                f"Generator({bit_generator.__name__}({seed})).integers(0, {bound}, size=1000)",
                "# made by: tests/vectors/sources/bounded/make.sh",
                "value",
                *map(str, values.tolist()),
            ]
            (out / name / f"seed-{seed}.lemire32-{bound}.csv").write_text("\n".join(lines) + "\n")
