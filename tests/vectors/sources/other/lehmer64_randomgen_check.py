"""Cross-check the lehmer64 files with randomgen's LCG128Mix (multiplier 0xda942042e4dd58b5,
increment 0, output "upper", post-multiply): an independent implementation of the 128-bit step.

stdin: lines "seed state-high state-low" printed by lehmer64_vectors after lehmer64_seed.
Usage: python3 lehmer64_randomgen_check.py VECTORS_DIR < states
"""

import sys
from pathlib import Path

from randomgen import LCG128Mix

for line in sys.stdin:
    seed, high, low = (int(part) for part in line.split())
    bit_gen = LCG128Mix(0, inc=0, multiplier=0xDA942042E4DD58B5, output="upper", post=True)
    state = bit_gen.state
    state["state"]["state"] = high << 64 | low
    state["state"]["inc"] = 0
    bit_gen.state = state
    expected = bit_gen.random_raw(1000).tolist()
    path = Path(sys.argv[1]) / "lehmer64" / f"seed-{seed}.raw.csv"
    values = [int(v) for v in path.read_text().splitlines() if v and v[0].isdigit()]
    if values != expected:
        sys.exit(f"randomgen LCG128Mix disagrees with lehmer64.h for seed {seed}")
print(f"randomgen {__import__('randomgen').__version__} LCG128Mix agrees with lehmer64.h", file=sys.stderr)
