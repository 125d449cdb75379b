# Known answers for wichmann_hill from CPython 2.7 itself (random.WichmannHill was removed in 3).
# Run with Python 2.7: python2 wichmann_hill_vectors.py OUTDIR SEED...
# raw packs the runtime's own state tuple after each random() call: x << 30 | y << 15 | z.
import os
import platform
import random
import sys

out_dir = sys.argv[1]
runtime = "CPython %s" % platform.python_version()


def write(seed, stream, source, values):
    folder = os.path.join(out_dir, "wichmann_hill")
    if not os.path.isdir(folder):
        os.makedirs(folder)
    path = os.path.join(folder, "seed-%d.%s.csv" % (seed, stream.replace(":", "-")))
    with open(path, "w") as f:
        f.write("# generator: wichmann_hill\n# seed: %d\n# stream: %s\n" % (seed, stream))
        f.write("# source: %s: %s\n" % (runtime, source))
        f.write("# made by: tests/vectors/sources/other/make.sh\nvalue\n")
        for v in values:
            f.write("%d\n" % v)


for position, arg in enumerate(sys.argv[2:]):
    seed = int(arg)
    r = random.WichmannHill(seed)
    raw = []
    for _ in range(1000):
        r.random()
        x, y, z = r._seed
        raw.append(x << 30 | y << 15 | z)
    write(seed, "raw", "random.WichmannHill(%d): state (x, y, z) after each random(), "
          "x << 30 | y << 15 | z, 1000 calls" % seed, raw)
    if position >= 2:
        continue
    r = random.WichmannHill(seed)
    write(seed, "float_mul:1000", "random.WichmannHill(%d).randrange(1000), 1000 calls" % seed,
          [r.randrange(1000) for _ in range(1000)])
    r = random.WichmannHill(seed)
    write(seed, "float_mul:10", "random.WichmannHill(%d).randint(0, 9), 1000 calls" % seed,
          [r.randint(0, 9) for _ in range(1000)])
    r = random.WichmannHill(seed)
    write(seed, "digits:3", "random.WichmannHill(%d): int(''.join(str(randint(0, 9)) "
          "for _ in range(3))), 1000 draws" % seed,
          [int("".join(str(r.randint(0, 9)) for _ in range(3))) for _ in range(1000)])
