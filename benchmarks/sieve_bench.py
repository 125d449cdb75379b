"""Seeds per second of the sieve per generator and backend, numpy as the baseline in the same run.

Each row probes a contiguous seed range for one observed draw at offset 0 with skip 0 (the
php_mt_seed setting: "which seeds give this first output"), then the same range for 4 draws at
offsets 0..7, skips 0..1 (the identify setting). The "outputs/seed" column counts the raw outputs
a seed consumes on average (skip 0) before no offset can match any more, measured with the
scalar reference.

With ``--shared``, two more rows per generator measure shared seeding: every default reduction
for the alphabet 1000 probed in one call (each seed seeded once), against one call per reduction
(each seed seeded once per reduction, as when every reduction was a space of its own), in the
identify setting; ``shared/separate`` is the speed-up of the first over the second.

    python benchmarks/sieve_bench.py                     # every ported generator, ~15 min
    python benchmarks/sieve_bench.py --generators mt19937,php_mt_rand,java_random,xorshift32
    python benchmarks/sieve_bench.py --shared --backends numpy,opencl --generators mt19937
"""

from __future__ import annotations

import argparse
import sys
import time


from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from kernels.sieve.backends import available_backends, make_backend
from kernels.sieve.kernel_source import device_ported
from kernels.sieve.plan import default_reductions

ANCHOR = "php_mt_seed: 2**32 seeds of PHP mt_rand, one output, 36 s here (~120 M seeds/s)"


def seeds_per_second(backend, name: str, specs: list[str], observed: list[int], offsets: int,
                     skips: int, seconds: float, separately: bool = False) -> float:
    """Seeds per second probing every reduction in ``specs``: in one call (one seeding per
    seed), or with ``separately`` in one call per reduction."""
    from kernels.reductions import parse_reduction

    cls = all_generators()[name]
    groups = ([[parse_reduction(spec)] for spec in specs] if separately
              else [[parse_reduction(spec) for spec in specs]])
    start = 1 << 20
    chunk = 1 << (22 if backend.name != "numpy" else 14)

    def probe(seeds: range) -> None:
        for reductions in groups:
            backend.probe(cls, reductions, seeds, range(offsets), range(skips), False, observed)

    # untimed warm-up at the timed size: compiles the program, and pocl compiles a work-group
    # function per launch shape on first use (cached on disk afterwards)
    probe(range(start, start + chunk))
    done, began = 0, time.perf_counter()
    while True:
        probe(range(start + done, start + done + chunk))
        done += chunk
        elapsed = time.perf_counter() - began
        if elapsed >= seconds:
            return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", help="comma-separated names (default: every device port)")
    parser.add_argument("--backends", help="comma-separated backends (default: every available; "
                                           "numpy is always measured as the baseline)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--shared", action="store_true",
                        help="also measure shared seeding: all reductions in one probe vs one "
                             "probe per reduction")
    args = parser.parse_args()
    names = args.generators.split(",") if args.generators else device_ported()
    wanted = set(args.backends.split(",")) | {"numpy"} if args.backends else None
    backends = {name: make_backend(name) for name in available_backends()
                if wanted is None or name in wanted}
    described = [f"{n} ({getattr(b, 'description', n)})" for n, b in backends.items()]
    print("backends: " + ", ".join(described))
    print(f"anchor: {ANCHOR}")
    columns = ["generator", "reduction", "probe"] + [f"{n} seeds/s" for n in backends] + \
        [f"{n}/numpy" for n in backends if n != "numpy"] + ["outputs/seed"]
    print("  ".join(f"{c:>16}" for c in columns))
    shared_rows = []
    for name in names:
        cls = all_generators()[name]
        specs = default_reductions(cls, 1000) or ["raw"]
        spec = specs[0]
        hypothesis = Hypothesis(generator=name, seed=424242 % (1 << cls.seed_bits) or 1,
                                reduction=spec, skip=SkipSchedule())
        observed = predict(hypothesis, 4)
        for label, probe, offsets, skips in (("1 draw", observed[:1], 1, 1),
                                             ("4 draws o8 s2", observed, 8, 2)):
            rates = {n: seeds_per_second(b, name, [spec], probe, offsets, skips, args.seconds)
                     for n, b in backends.items()}
            row = [name, spec, label] + [f"{rates[n] / 1e6:,.2f} M" for n in backends] + \
                [f"{rates[n] / rates['numpy']:,.1f}x" for n in backends if n != "numpy"] + \
                [f"{_mean_outputs(name, spec, probe, offsets):.1f}"]
            print("  ".join(f"{c:>16}" for c in row))
            sys.stdout.flush()
        if args.shared and len(specs) > 1:
            for n, b in backends.items():
                shared = seeds_per_second(b, name, specs, observed, 8, 2, args.seconds)
                separate = seeds_per_second(b, name, specs, observed, 8, 2, args.seconds,
                                            separately=True)
                shared_rows.append((name, ",".join(specs), n, shared, separate))
    if shared_rows:
        print("\nshared seeding, 4 draws o8 s2, every default reduction of N=1000:")
        header = ["generator", "reductions", "backend", "shared seeds/s", "separate seeds/s",
                  "shared/separate"]
        print("  ".join(f"{c:>16}" for c in header))
        for name, specs_text, n, shared, separate in shared_rows:
            cells = [name, specs_text, n, f"{shared / 1e6:,.3f} M", f"{separate / 1e6:,.3f} M",
                     f"{shared / separate:,.2f}x"]
            print("  ".join(f"{c:>16}" for c in cells))
    return 0


def _mean_outputs(name: str, spec: str, observed: list[int], offsets: int) -> float:
    """Raw outputs per seed (skip 0) until no offset can match: what the kernel generates,
    counted by wrapping the scalar stream's next_raw."""
    from kernels.reductions import parse_reduction

    cls = all_generators()[name]
    reduction = parse_reduction(spec)
    total, counted_seeds = 0, 0
    for seed in range(1000, 1200):
        try:
            stream = cls(seed)
        except ValueError:
            continue
        calls = 0
        original = stream.next_raw

        def counting():
            nonlocal calls
            calls += 1
            return original()

        stream.next_raw = counting  # type: ignore[method-assign]
        alive: list[int] = []
        index = 0
        while True:
            value = reduction.draw(stream)
            alive = [o for o in alive if value == observed[index - o]]
            if index < offsets and value == observed[0]:
                alive.append(index)
            alive = [o for o in alive if index - o + 1 < len(observed)]
            if not alive and index + 1 >= offsets:
                break
            index += 1
        total += calls
        counted_seeds += 1
    return total / max(counted_seeds, 1)


if __name__ == "__main__":
    sys.exit(main())
