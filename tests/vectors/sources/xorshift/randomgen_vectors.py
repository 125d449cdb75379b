"""Known answers for xoshiro256starstar and xoroshiro128plus from randomgen (the authors' C code
wrapped as numpy bit generators), their state set directly to the splitmix64 words that OpenJDK's
SplittableRandom produced (WORDSFILE), bypassing randomgen's own SeedSequence seeding.

Reduced streams go through numpy itself: ``RandomState(bit_generator).randint(1000)`` (masked
rejection on 32-bit words, low half of each 64-bit output first) and ``random_sample()``.

Usage: python randomgen_vectors.py OUTDIR WORDSFILE
"""

import sys
from pathlib import Path

import numpy as np
import randomgen

N = 1000


def write(out: Path, gen: str, seed: int, stream: str, source: str, values) -> None:
    folder = out / gen
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# generator: {gen}", f"# seed: {seed}", f"# stream: {stream}",
             f"# source: {source}", "# made by: tests/vectors/sources/xorshift/make.sh", "value"]
    lines += [str(int(v)) for v in values]
    (folder / f"seed-{seed}.{stream.replace(':', '-')}.csv").write_text("\n".join(lines) + "\n")


def main() -> None:
    out, words_file = Path(sys.argv[1]), Path(sys.argv[2])
    words = {}
    for line in words_file.read_text().split("\n"):
        if line.strip():
            seed, *w = (int(v) for v in line.split())
            words[seed] = w
    versions = f"randomgen {randomgen.__version__}, numpy {np.__version__}"
    makers = {
        "xoshiro256starstar": (lambda: randomgen.Xoshiro256(0), 4, "Xoshiro256"),
        "xoroshiro128plus": (lambda: randomgen.Xoroshiro128(0, plusplus=False), 2,
                             "Xoroshiro128(plusplus=False)"),
    }
    for gen, (make, count, label) in makers.items():
        for seed, w in words.items():
            def fresh():
                bg = make()
                state = bg.state
                state["s"] = np.array(w[:count], dtype=np.uint64)
                state["has_uint32"], state["uinteger"] = 0, 0
                bg.state = state
                return bg
            how = (f"{versions}: {label} with state s = the first {count} splitmix64 words of "
                   f"seed {seed} (OpenJDK SplittableRandom)")
            write(out, gen, seed, "raw", f"{how}; random_raw({N})", fresh().random_raw(N))
            rs = np.random.RandomState(fresh())
            write(out, gen, seed, "masked:1000", f"{how}; numpy RandomState(bg).randint(1000), "
                  f"{N} calls", [rs.randint(1000) for _ in range(N)])
            rs = np.random.RandomState(fresh())
            write(out, gen, seed, "float_mul:1000", f"{how}; floor(numpy RandomState(bg)."
                  f"random_sample() * 1000), {N} calls",
                  [np.floor(rs.random_sample() * 1000) for _ in range(N)])


if __name__ == "__main__":
    main()
