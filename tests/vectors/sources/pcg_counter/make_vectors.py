"""Write the pcg_counter family's known-answer files (run by make.sh, which builds the drivers).

Usage: python make_vectors.py OUT_DIR BIN_DIR

numpy is the runtime for pcg64, pcg64_dxsm, philox4x64_10 and sfc64. pcg32, philox4x32_10,
sfc32 and jsf32 come from the published reference code compiled into BIN_DIR by make.sh
(pcg32_driver, philox_driver, practrand_driver); randomgen, which wraps the reference C of PCG32,
Philox and JSF, must agree with them. A driver that make.sh could not build is replaced by
randomgen (stated in the file's source line) or, for sfc32, skipped with a warning.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np

N = 1000
SEEDS_32 = (0, 3735928495)
#: a seed above 2**63: exercises the high key/entropy word
BIG_SEED = 0xDEADBEEFCAFEBABE
MADE_BY = "tests/vectors/sources/pcg_counter/make.sh"


def write(out: Path, generator: str, seed: int, stream: str, source: str, values) -> None:
    folder = out / generator
    folder.mkdir(parents=True, exist_ok=True)
    values = [int(v) for v in values]
    assert len(values) == N
    lines = [f"# generator: {generator}", f"# seed: {seed}", f"# stream: {stream}",
             f"# source: {source}", f"# made by: {MADE_BY}", "value", *map(str, values)]
    (folder / f"seed-{seed}.{stream.replace(':', '-')}.csv").write_text("\n".join(lines) + "\n")


def run(binary: Path, *args) -> list[int]:
    text = subprocess.run([str(binary), *map(str, args)], check=True, capture_output=True,
                          text=True).stdout
    return [int(line) for line in text.split()]


# ---- numpy ---------------------------------------------------------------------------------


def numpy_vectors(out: Path) -> None:
    npv = f"numpy {np.__version__}"
    for generator, cls in (("pcg64", "PCG64"), ("pcg64_dxsm", "PCG64DXSM"),
                           ("philox4x64_10", "Philox"), ("sfc64", "SFC64")):
        make = getattr(np.random, cls)
        for seed in (*SEEDS_32, BIG_SEED):
            write(out, generator, seed, "raw", f"{npv}: numpy.random.{cls}({seed}).random_raw({N})",
                  make(seed).random_raw(N).tolist())
        for seed in SEEDS_32:
            gen = np.random.Generator(make(seed))
            write(out, generator, seed, "float_mul:1000",
                  f"{npv}: math.floor(numpy.random.Generator(numpy.random.{cls}({seed})).random() * 1000), "
                  f"{N} calls",
                  [math.floor(float(gen.random()) * 1000) for _ in range(N)])
            for bound in (1000, 10):
                legacy = np.random.RandomState(make(seed))
                write(out, generator, seed, f"masked:{bound}",
                      f"{npv}: numpy.random.RandomState(numpy.random.{cls}({seed})).randint({bound}), "
                      f"{N} calls",
                      [int(legacy.randint(bound)) for _ in range(N)])


# ---- randomgen (independent cross-check, fallback source) ----------------------------------


def randomgen_pcg32(seed: int) -> list[int]:
    from randomgen import PCG32

    # pcg32_srandom_r(seed, 54) on randomgen's core: state = 0, inc = 54 << 1 | 1; step;
    # state += seed; step (random_raw(1) is one pcg32_random_r, i.e. one step).
    bitgen = PCG32(0)
    state = bitgen.state
    state["state"] = {"state": 0, "inc": (54 << 1) | 1}
    bitgen.state = state
    bitgen.random_raw(1)
    state = bitgen.state
    state["state"]["state"] = (state["state"]["state"] + seed) % (1 << 64)
    bitgen.state = state
    bitgen.random_raw(1)
    return bitgen.random_raw(N).tolist()


def randomgen_philox4x32(seed: int) -> list[int]:
    from randomgen import Philox

    # randomgen increments the counter before each block: start at -1 so that block 0 is ctr 0
    return Philox(number=4, width=32, key=seed, counter=(1 << 128) - 1).random_raw(N).tolist()


def randomgen_jsf32(seed: int) -> list[int]:
    from randomgen import JSF

    bitgen = JSF(0, size=32)
    state = bitgen.state
    state["state"].update(a=0xF1EA5EED, b=seed, c=seed, d=seed)  # raninit
    bitgen.state = state
    bitgen.random_raw(20)
    return bitgen.random_raw(N).tolist()


def randomgen_version() -> str | None:
    try:
        import randomgen
    except ImportError:
        return None
    return randomgen.__version__


# ---- reference C ---------------------------------------------------------------------------


def reference_vectors(out: Path, bins: Path) -> None:
    rg = randomgen_version()
    plans = [
        ("pcg32", (*SEEDS_32, 42), bins / "pcg32_driver", lambda b, s: run(b, s, N),
         "PCG reference pcg-c-basic (pcg_basic.c, gcc): pcg32_srandom_r(&rng, {seed}, 54u); "
         "pcg32_random_r x{N}", randomgen_pcg32, "PCG32 via pcg32_srandom_r(seed, 54)"),
        ("philox4x32_10", (*SEEDS_32, BIG_SEED), bins / "philox_driver", lambda b, s: run(b, s, N),
         "Random123 philox.h (gcc): philox4x32_R(10, ctr={{i,0,0,0}}, key={{{lo}, {hi}}}), "
         "i = 0..249, words in order", randomgen_philox4x32,
         "Philox(number=4, width=32, key=seed, counter=2**128-1)"),
        ("sfc32", (*SEEDS_32, BIG_SEED), bins / "practrand_driver",
         lambda b, s: run(b, "sfc32", s, N),
         "PractRand 0.94 (g++): RNGs::Raw::sfc32 seed((Uint64){seed}); raw32() x{N}", None, None),
        ("jsf32", SEEDS_32, bins / "practrand_driver", lambda b, s: run(b, "jsf32", s, N),
         "PractRand 0.94 (g++): RNGs::Raw::jsf32 seed((Uint64){seed}) (= Jenkins raninit); "
         "raw32() x{N}", randomgen_jsf32, "JSF(size=32) with raninit's state and 20 discards"),
    ]
    for generator, seeds, binary, call, source, fallback, fallback_desc in plans:
        for seed in seeds:
            fmt = dict(seed=seed, N=N, lo=seed & 0xFFFFFFFF, hi=seed >> 32)
            if binary.exists():
                values = call(binary, seed)
                text = source.format(**fmt)
                if fallback is not None and rg is not None:
                    if fallback(seed) != values:
                        raise SystemExit(f"{generator} seed {seed}: randomgen {rg} disagrees "
                                         "with the reference")
                    text += f"; agrees with randomgen {rg} {fallback_desc}"
            elif fallback is not None and rg is not None:
                print(f"warning: {binary.name} not built; {generator} from randomgen", file=sys.stderr)
                values = fallback(seed)
                text = f"randomgen {rg}: {fallback_desc}, seed {seed}, random_raw({N})"
            else:
                print(f"warning: {binary.name} not built; {generator} seed {seed} left as it is",
                      file=sys.stderr)
                continue
            write(out, generator, seed, "raw", text, values)


def main() -> None:
    out, bins = Path(sys.argv[1]), Path(sys.argv[2])
    numpy_vectors(out)
    reference_vectors(out, bins)


if __name__ == "__main__":
    main()
