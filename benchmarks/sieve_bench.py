"""Seeds per second of the sieve per generator and backend, numpy as the baseline in the same run.

Each row probes a contiguous seed range for one observed draw at offset 0 with skip 0 (the
php_mt_seed setting: "which seeds give this first output"), then the same range for 4 draws at
offsets 0..7, skips 0..1 (the identify setting). The "outputs/seed" column counts the raw outputs
a seed consumes on average (skip 0) before the kernel's early exit, measured with the scalar
reference, so the effect of the early exit shows.

    python benchmarks/sieve_bench.py                     # every ported generator, ~15 min
    python benchmarks/sieve_bench.py --generators mt19937,php_mt_rand,java_random,xorshift32
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


def seeds_per_second(backend, name: str, spec: str, observed: list[int], offsets: int,
                     skips: int, seconds: float) -> float:
    from kernels.reductions import parse_reduction

    cls = all_generators()[name]
    reduction = parse_reduction(spec)
    start = 1 << 20
    chunk = 1 << (22 if backend.name != "numpy" else 14)
    # untimed warm-up at the timed size: compiles the program, and pocl compiles a work-group
    # function per launch shape on first use (cached on disk afterwards)
    backend.probe(cls, reduction, range(start, start + chunk), range(offsets), range(skips), False,
                  observed)
    done, began = 0, time.perf_counter()
    while True:
        seeds = range(start + done, start + done + chunk)
        backend.probe(cls, reduction, seeds, range(offsets), range(skips), False, observed)
        done += chunk
        elapsed = time.perf_counter() - began
        if elapsed >= seconds:
            return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", help="comma-separated names (default: every device port)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    names = args.generators.split(",") if args.generators else device_ported()
    backends = {name: make_backend(name) for name in available_backends()}
    described = [f"{n} ({getattr(b, 'description', n)})" for n, b in backends.items()]
    print("backends: " + ", ".join(described))
    print(f"anchor: {ANCHOR}")
    columns = ["generator", "reduction", "probe"] + [f"{n} seeds/s" for n in backends] + \
        [f"{n}/numpy" for n in backends if n != "numpy"] + ["outputs/seed"]
    print("  ".join(f"{c:>16}" for c in columns))
    for name in names:
        cls = all_generators()[name]
        spec = (default_reductions(cls, 1000) or ["raw"])[0]
        hypothesis = Hypothesis(generator=name, seed=424242 % (1 << cls.seed_bits) or 1,
                                reduction=spec, skip=SkipSchedule())
        observed = predict(hypothesis, 4)
        for label, probe, offsets, skips in (("1 draw", observed[:1], 1, 1),
                                             ("4 draws o8 s2", observed, 8, 2)):
            rates = {n: seeds_per_second(b, name, spec, probe, offsets, skips, args.seconds)
                     for n, b in backends.items()}
            row = [name, spec, label] + [f"{rates[n] / 1e6:,.2f} M" for n in backends] + \
                [f"{rates[n] / rates['numpy']:,.1f}x" for n in backends if n != "numpy"] + \
                [f"{_mean_outputs(name, spec, probe, offsets):.1f}"]
            print("  ".join(f"{c:>16}" for c in row))
            sys.stdout.flush()
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
