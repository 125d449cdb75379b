"""Seconds to recover each recoverable generator's state from the minimum number of draws (plus
a margin) per reduction, with the goals of the state recovery work and a baseline in the same
run.

Each row draws from the catalog generator with a random seed and a random number of outputs
skipped, recovers from ``minimum_draws + margin`` draws (or the goal's count), checks the 10
predictions against the stream, and reports the time. The baseline row times the bit-packed
solver against a plain numpy elimination (one row XOR per pivot) on one system of MT19937's
19,968 unknowns: the numpy rate is measured for ``--baseline-seconds`` and extrapolated.

    python benchmarks/state_bench.py                  # every row, ~3 min on 2 cores
    python benchmarks/state_bench.py --goals          # only the goal rows
    python benchmarks/state_bench.py --match nextint  # only the rows naming nextint
    python benchmarks/state_bench.py --measure        # re-measure MEASURED_SOLVING by bisection
    python benchmarks/state_bench.py --bounds         # nextInt(N) sweep: recovered of 20 per draws
    python benchmarks/state_bench.py --bounds 3,6 --offsets=-12,0 --trials 20

The ``--bounds`` sweep recovers ``java.util.Random`` from ``nextInt(N)`` for each bound (small
odd and even bounds, and large ones that redraw up to half their words), from random 48-bit
states (``new Random()``), at the draw count the recovery claims plus each offset: ``N | draws |
found | recovered | seconds``: "found" counts the trials whose true state the search offers from
that many draws as the only state that reproduces them (below the claim too: where the search
itself fails, or the draws do not yet single out a state), "recovered" those that ``recover``
identifies with its 10
predictions the stream's (below the claim it answers "too short": the draws would not yet be
decisive evidence, 40 bits beyond the state's 48).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time

import numpy as np

from kernels.recovery import IDENTIFIED, minimum_draws, recover
from kernels.recovery.gf2 import solve, words_for
from kernels.recovery.observe import parse_any_reduction
from kernels.recovery.truncated import lcg_candidate_states
from kernels.registry import get_generator

#: (generator, reduction, draws or None for the minimum plus margin, goal in seconds or None)
GOALS = [
    ("mt19937", "mod:1000", 8000, 30.0),
    ("cpython_random", "res53", 800, 30.0),
    ("java_random", "java_nextint:1000", 40, 5.0),
    ("glibc_random", "raw", 100, 5.0),
    ("v8_math_random", "v8_double", 20, 5.0),
]
FAMILIES = [
    ("mt19937", "raw"), ("mt19937", "signed32"), ("php_mt_rand", "shr:1"),
    ("numpy_random_state", "res53"), ("mt19937_64", "raw"), ("php_mt_rand_legacy", "raw"),
    ("ruby_random", "res53"), ("xorshift32", "raw"), ("xorshift64", "mod:1000"),
    ("xorshift128", "raw"), ("xorshift128", "mod:1000"), ("xorshift64star", "raw"),
    ("xorwow", "raw"), ("xorshift128plus", "raw"), ("xoroshiro128plus", "mod:1000"),
    ("xoshiro256plus", "raw"), ("v8_math_random", "v8_double"), ("tinymt32", "raw"),
    ("tinymt32", "u32_double"), ("well512a", "raw"), ("well512a", "masked:1024"),
    ("taus88", "raw"), ("lfsr113", "u32_double"), ("java_random", "signed32"),
    ("java_random", "java_double"), ("java_random", "java_nextint:100"), ("drand48", "raw"),
    ("drand48", "c_rand_mod:1000"), ("java_random", "java_nextint:6"),
    ("java_random", "java_nextint:256"), ("java_random", "java_nextint:13"),
    ("java_random", "java_nextint:37"), ("java_random", "java_nextint:1001"),
    ("java_random", "java_nextint:99999"), ("drand48", "c_rand_mod:999"), ("v8_math_random", "float_mul:6"),
    ("cpython_random", "float_mul:1000"), ("mt19937", "native_double"),
    ("mt19937_64", "native_double"),
]


def _row(generator: str, reduction: str, count: int | None, goal: float | None,
         rng: random.Random) -> tuple[str, ...]:
    needed = minimum_draws(generator, reduction)
    assert needed is not None, (generator, reduction)
    given = count if count is not None else needed + max(2, math.ceil(needed * 0.02))
    cls = get_generator(generator)
    low = 1 if generator in ("xorshift32", "xorshift64", "v8_math_random") else 0
    seed = rng.randrange(low, min(1 << cls.seed_bits, 1 << 32))
    stream = cls(seed)
    stream.jump(rng.randrange(0, 2000))
    parsed = parse_any_reduction(reduction)
    draws = [parsed.draw(stream) for _ in range(given + 10)]
    started = time.perf_counter()
    result = recover(draws[:given], generator, reduction, predict=10)
    seconds = time.perf_counter() - started
    predicted = list(result.predictions)
    ok = result.verdict == IDENTIFIED and predicted == draws[given:given + len(predicted)]
    note = "" if len(predicted) == 10 else f" ({len(predicted)}/10 predicted: cache position open)"
    goal_text = "" if goal is None else f"< {goal:g} s " + ("met" if seconds < goal else "MISSED")
    seed_text = "-" if result.seed is None else ("yes" if result.seed == seed else "WRONG")
    return (generator, reduction, str(needed), str(given), f"{seconds:.2f}",
            ("yes" if ok else "NO") + note, seed_text, goal_text)


def _baseline(seconds_budget: float) -> list[tuple[str, ...]]:
    """The packed solver and a plain numpy elimination on one MT19937-sized system."""
    rng = np.random.default_rng(0)
    columns, rows = 19968, 20100
    system = rng.integers(0, 2**63, (rows, words_for(columns + 1)), dtype=np.uint64) * np.uint64(2)
    system ^= rng.integers(0, 2, (rows, words_for(columns + 1)), dtype=np.uint64)
    copy = system.copy()
    started = time.perf_counter()
    solve(system, columns)
    packed = time.perf_counter() - started
    matrix, pivots, row = copy, 0, 0
    started = time.perf_counter()
    for column in range(columns):
        if time.perf_counter() - started > seconds_budget:
            break
        word, bit = column // 64, np.uint64(column % 64)
        has = np.flatnonzero((matrix[row:, word] >> bit) & np.uint64(1)) + row
        if not has.size:
            continue
        matrix[[row, has[0]]] = matrix[[has[0], row]]
        others = has[1:] if has[0] != row else has[1:]
        matrix[others, word:] ^= matrix[row, word:]
        row += 1
        pivots += 1
    elapsed = time.perf_counter() - started
    # later pivots touch fewer rows and words: the remaining work is about a third of the rate's
    estimate = elapsed / max(pivots, 1) * columns / 3 if pivots < columns else elapsed
    return [("baseline: packed solver (numba, 4 Russians)", f"{columns} unknowns", "-",
             str(rows), f"{packed:.2f}", "-", "-", ""),
            ("baseline: numpy, one row XOR per pivot", f"{columns} unknowns", "-", str(rows),
             f"~{estimate:.0f} (est. from {pivots} pivots in {elapsed:.0f} s)", "-", "-", "")]


def _measure() -> None:
    """Bisection for the solving draws after which an MT19937 shape pins the state."""
    from kernels.recovery.gf2 import solve as solve_system
    from kernels.recovery.linear_recovery import (_candidates, _equations, _linear_known,
                                                  linear_plan)

    for generator, reduction, high in [("php_mt_rand", "shr:1", 1400), ("cpython_random", "res53", 800),
                                       ("mt19937", "mod:1000", 7400),
                                       ("cpython_random", "float_mul:1000", 3700)]:
        plan = linear_plan(generator, reduction)
        assert plan is not None
        stream = get_generator(generator)(4242)
        parsed = parse_any_reduction(reduction)
        values = [parsed.draw(stream) for _ in range(high + 50)]
        numbers = [plan.shape.integer_form(v) for v in values]

        def pinned(k: int) -> bool:
            known = _linear_known(plan, values[:k])
            solution = solve_system(_equations(plan, known, None), plan.model.unknowns)
            assert solution is not None
            found, _, why = _candidates(plan, solution, None, numbers, k, len(numbers) * plan.shape.words)
            return why is None and len(found) == 1

        low = plan.lower_bound
        if not pinned(high):
            print(f"{generator} {reduction}: not pinned after {high} solving draws")
            continue
        while high - low > max(1, high // 200):
            middle = (low + high) // 2
            low, high = (low, middle) if pinned(middle) else (middle, high)
            print(f"  {generator} {reduction}: {low}..{high}", file=sys.stderr, flush=True)
        print(f"{generator} {reduction}: pinned after {high} solving draws")


#: the bounds the --bounds sweep runs by default: small odd, dice and other small even ones,
#: the old lattice's edge, and large bounds that redraw 1/2, 1/3 and 1/4 of their words
SWEEP_BOUNDS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 37, (1 << 30) + 1, 0x55555555, 3 << 29)


def _replays(first: int, spec: str, draws: list[int]) -> bool:
    """Whether java.util.Random read from state ``first`` at its first draw gives ``draws``."""
    cls = get_generator("java_random")
    multiplier, increment = int(getattr(cls, "MULTIPLIER")), int(getattr(cls, "INCREMENT"))
    stream = cls.from_state((((first - increment) * pow(multiplier, -1, 1 << 48)) % (1 << 48),))
    parsed = parse_any_reduction(spec)
    return all(parsed.draw(stream) == d for d in draws)


def _sweep(bounds: list[int], offsets: list[int], trials: int, seed: int) -> list[tuple[str, ...]]:
    """``(N, draws, found/trials, recovered/trials, mean seconds)`` per bound and draw count
    (seconds: ``recover`` at or above the claim, the search alone below it)."""
    rows: list[tuple[str, ...]] = []
    cls = get_generator("java_random")
    for bound in bounds:
        spec = f"java_nextint:{bound}"
        claimed = minimum_draws("java_random", spec)
        if claimed is None:
            rows.append((str(bound), "-", "not offered", "-", "-"))
            continue
        parsed = parse_any_reduction(spec)
        for offset in offsets:
            count = claimed + offset
            if count < 1:
                continue
            rng = random.Random(seed * 1_000_003 + bound)
            found, recovered, seconds = 0, 0, 0.0
            for _ in range(trials):
                state = rng.getrandbits(48)
                stream = cls.from_state((state,))
                # the state the first draw is read from (a redraw before it: a later one)
                first = (state * int(getattr(cls, "MULTIPLIER")) + int(getattr(cls, "INCREMENT"))) % (1 << 48)
                draws = [int(parsed.draw(stream)) for _ in range(count + 10)]
                started = time.perf_counter()
                if count < claimed:
                    fitting = [c for c in lcg_candidate_states("java_random", spec, draws[:count])
                               if _replays(c, spec, draws[:count])]
                    found += fitting == [first]
                else:
                    result = recover(draws[:count], "java_random", spec, predict=10)
                    ok = (result.verdict == IDENTIFIED
                          and list(result.predictions) == draws[count:])
                    found += ok
                    recovered += ok
                seconds += time.perf_counter() - started
            label = f"{count} (claimed)" if offset == 0 else str(count)
            rows.append((str(bound), label, f"{found}/{trials}",
                         f"{recovered}/{trials}" if count >= claimed else "too short",
                         f"{seconds / trials:.2f}"))
            print("  " + " | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", action="store_true", help="only the goal rows")
    parser.add_argument("--seed", type=int, default=2026, help="seeds and skips of the rows")
    parser.add_argument("--baseline-seconds", type=float, default=20.0,
                        help="how long to run the numpy baseline before extrapolating")
    parser.add_argument("--measure", action="store_true", help="re-measure MEASURED_SOLVING")
    parser.add_argument("--bounds", nargs="?", const=",".join(map(str, SWEEP_BOUNDS)),
                        metavar="N,N,...", help="the nextInt(N) sweep instead of the rows "
                        "(bounds default: %(const)s)")
    parser.add_argument("--offsets", default="-8,-4,0", metavar="K,K,...",
                        help="--bounds: draw counts as offsets from the claimed minimum")
    parser.add_argument("--trials", type=int, default=20, help="--bounds: states per count")
    parser.add_argument("--match", default="", metavar="TEXT",
                        help="only the rows whose 'generator reduction' contains TEXT "
                             "(the baseline still runs)")
    args = parser.parse_args()
    if args.measure:
        _measure()
        return 0
    if args.bounds:
        rows = _sweep([int(b) for b in args.bounds.split(",")],
                      [int(k) for k in args.offsets.split(",")], args.trials, args.seed)
        _print_table(("N", "draws", "found", "recovered", "seconds"), rows)
        return 0
    rng = random.Random(args.seed)
    header = ("generator", "reduction", "minimum", "given", "seconds", "predicts 10", "seed",
              "goal")
    rows = []
    plan: list[tuple[str, str, int | None, float | None]] = [
        (g, r, n, goal) for g, r, n, goal in GOALS]
    if not args.goals:
        plan += [(g, r, None, None) for g, r in FAMILIES]
    plan = [row for row in plan if args.match in f"{row[0]} {row[1]}"]
    recover([0.5] * 700, "cpython_random", "res53")  # compile the solver once, outside the rows
    for generator, reduction, count, goal in plan:
        rows.append(_row(generator, reduction, count, goal, rng))
        print("  " + " | ".join(rows[-1]), file=sys.stderr, flush=True)
    rows += _baseline(args.baseline_seconds)
    _print_table(header, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
