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

With ``--php-mt-seed [PATH]``, first the php_mt_seed comparison: php_mt_seed (openwall's PHP
mt_rand seed cracker, built from its own Makefile; PATH, else $PHP_MT_SEED, else php_mt_seed on
PATH) and our ``php_mt_rand`` search (the engine's ``search`` over every seed, reduction raw, one
output of seed 424242) are timed back to back in one run, each CPU backend in turn, and the
ratio ours/php_mt_seed printed for wall and CPU time (CPU time is the steadier figure on a shared
machine). The full run searches all 2**32 seeds (php_mt_seed's whole "5.2.1+" pass, which also
checks PHP 5.2.1-7.0's variant of the same seeds, beside its short "3.0.7 to 5.2.0" pass, which
is not counted in the quick figure). ``--quick`` times the first 2**28 seeds of both instead:
php_mt_seed has no seed-range option, so its pace is read from its progress lines (the time
between starting its "5.2.1+" chunk at 0 and its chunk at 2**28) and it is stopped there. The
quick ratio is for iterating only: php_mt_seed's first chunk ran slower than its average here
(quick CPU ratio 0.45-0.6 where the full run measured 0.99), so quote the full run.
``--compare-generators php_mt_rand,mt19937`` searches std::mt19937 too (the same init_genrand
first output: php_mt_seed's question for PHP 7.1+), each beside the one php_mt_seed run.
``--native-baseline`` adds the native program without its fast paths (native0) to both the
comparison and the table, with the column native/native0; ``--threads N`` sets OMP_NUM_THREADS
for php_mt_seed and ours alike; ``--cpu-time`` gives the table's rates per second of this
process's CPU time (all threads), the steadier figure on a shared machine.

    python benchmarks/sieve_bench.py --generators philox4x32_10,xoshiro256starstar \
        --backends native --native-baseline --cpu-time

    python benchmarks/sieve_bench.py --php-mt-seed /tmp/php_mt_seed/php_mt_seed --quick \
        --backends native --compare-only
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time


from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from kernels.sieve.backends import available_backends, make_backend
from kernels.sieve.kernel_source import device_ported
from kernels.sieve.plan import default_reductions



def seeds_per_second(backend, name: str, specs: list[str], observed: list[int], offsets: int,
                     skips: int, seconds: float, separately: bool = False,
                     cpu_time: bool = False) -> float:
    """Seeds per second probing every reduction in ``specs``: in one call (one seeding per
    seed), or with ``separately`` in one call per reduction; with ``cpu_time``, per second of
    this process's CPU time (all its threads) rather than of wall time."""
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
    done, began, cpu_began = 0, time.perf_counter(), time.process_time()
    while True:
        probe(range(start + done, start + done + chunk))
        done += chunk
        elapsed = time.perf_counter() - began
        if elapsed >= seconds:
            return done / (time.process_time() - cpu_began if cpu_time else elapsed)


#: the seed whose first PHP mt_rand output both tools search for
PHP_SEED = 424242
#: php_mt_seed's progress line: "Found N, trying 0xSTART - 0xEND, speed ..."
_PROGRESS = re.compile(rb"trying 0x([0-9a-f]{8}) - 0x([0-9a-f]{8})")


def find_php_mt_seed(path: str | None) -> str | None:
    """The php_mt_seed executable: ``path``, else $PHP_MT_SEED, else php_mt_seed on PATH."""
    for candidate in (path, os.environ.get("PHP_MT_SEED"), shutil.which("php_mt_seed")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, all threads (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_php_mt_seed(executable: str, value: int, seeds: int) -> tuple[float, float, bool]:
    """(wall s, CPU s, found PHP_SEED) of php_mt_seed's "5.2.1+" pass over its first ``seeds``
    seeds (2**32: the whole pass, to its exit)."""
    process = subprocess.Popen([executable, str(value)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None and process.stdout is not None
    modern, began, buffer = False, None, b""
    try:
        while True:
            byte = process.stderr.read(1)
            if not byte:
                break
            if byte not in (b"\r", b"\n"):
                buffer += byte
                continue
            line, buffer = buffer, b""
            if line.startswith(b"Version: 5.2.1"):
                modern = True
            found = _PROGRESS.search(line) if modern else None
            if found is None:
                continue
            start = int(found.group(1), 16)
            if start == 0:
                began = (time.perf_counter(), _cpu_seconds(process.pid))
            elif began is not None and start >= seeds:
                return (time.perf_counter() - began[0], _cpu_seconds(process.pid) - began[1],
                        False)
        if began is None:
            raise RuntimeError(f"{executable} printed no \"5.2.1+\" progress: not php_mt_seed?")
        cpu_at_end = _cpu_seconds(process.pid)
        wall = time.perf_counter() - began[0]
        output = process.stdout.read()
        process.wait()
        return wall, cpu_at_end - began[1], f"= {PHP_SEED} (PHP 7.1.0+)".encode() in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


#: generators whose first raw output of a 32-bit seed is init_genrand's, the question
#: php_mt_seed answers (PHP 7.1+ mt_rand() is that output >> 1)
COMPARED = ("php_mt_rand", "mt19937")


def time_ours(backend, seeds: int, generator: str = "php_mt_rand") -> tuple[float, float, bool]:
    """(wall s, CPU s, found PHP_SEED) of the engine's search of ``generator`` over ``seeds``
    seeds for the first raw output of PHP_SEED, with the backend's program built beforehand."""
    from kernels.sieve.engine import SearchSpace, search

    observed = predict(Hypothesis(generator=generator, seed=PHP_SEED, reduction="raw",
                                  skip=SkipSchedule()), 1)
    warm = SearchSpace(generator=generator, reductions=("raw",), seed_start=0,
                       seed_stop=1 << 22, offset_start=0, offset_stop=1)
    search([warm], observed, backend=backend, stop_when_certain=False)
    space = SearchSpace(generator=generator, reductions=("raw",), seed_start=0,
                        seed_stop=seeds, offset_start=0, offset_stop=1)
    wall, cpu = time.perf_counter(), time.process_time()
    result = search([space], observed, backend=backend, stop_when_certain=False,
                    max_candidates=1 << 20)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    found = any(s.hypothesis.seed == PHP_SEED for s in result.survivors)
    return wall, cpu, found


def compare_php_mt_seed(executable: str, backends: dict, seeds: int,
                        generators: tuple[str, ...] = ("php_mt_rand",)) -> None:
    """php_mt_seed, then each of ``generators`` on each CPU backend, on the same seeds, back to
    back; the ratios."""
    value = predict(Hypothesis(generator="php_mt_rand", seed=PHP_SEED, reduction="raw",
                               skip=SkipSchedule()), 1)[0] >> 1  # mt_rand() is raw >> 1
    print(f"php_mt_seed comparison: first mt_rand() = {value} of seed {PHP_SEED}, "
          f"{seeds:,} seeds ({'all 2**32' if seeds == 1 << 32 else f'2**{seeds.bit_length() - 1}'})")
    theirs = time_php_mt_seed(executable, value, seeds)
    rows = [("php_mt_seed", *theirs)]
    for generator in generators:
        for name, backend in backends.items():
            if name in ("numpy", "cuda"):
                continue
            label = f"ours ({name})" if generators == ("php_mt_rand",) else \
                f"{generator} ({name})"
            rows.append((label, *time_ours(backend, seeds, generator)))
            print(f"  {label}: {rows[-1][1]:.2f} s", file=sys.stderr, flush=True)
    header = ["search", "wall s", "CPU s", "M seeds/s", "wall ratio", "CPU ratio", "found"]
    print("  ".join(f"{c:>{22 if i == 0 else 14}}" for i, c in enumerate(header)))
    for label, wall, cpu, found in rows:
        check = "yes" if found else ("-" if seeds != 1 << 32 and label == "php_mt_seed" else "NO")
        cells = [label, f"{wall:.2f}", f"{cpu:.2f}", f"{seeds / wall / 1e6:,.1f}",
                 f"{wall / theirs[0]:.2f}", f"{cpu / theirs[1]:.2f}", check]
        print("  ".join(f"{c:>{22 if i == 0 else 14}}" for i, c in enumerate(cells)))
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", help="comma-separated names (default: every device port)")
    parser.add_argument("--backends", help="comma-separated backends (default: every available; "
                                           "numpy is always measured as the baseline)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--shared", action="store_true",
                        help="also measure shared seeding: all reductions in one probe vs one "
                             "probe per reduction")
    parser.add_argument("--php-mt-seed", nargs="?", const="", metavar="PATH",
                        help="first compare with php_mt_seed (PATH, else $PHP_MT_SEED, else "
                             "on PATH) on the 2**32 php_mt_rand search")
    parser.add_argument("--compare-generators", default="php_mt_rand", metavar="NAMES",
                        help=f"comma-separated generators searched beside php_mt_seed, of "
                             f"{', '.join(COMPARED)} (default php_mt_rand)")
    parser.add_argument("--quick", action="store_true",
                        help="compare on the first 2**28 seeds instead of all 2**32")
    parser.add_argument("--native-baseline", action="store_true",
                        help="also measure the native backend without its fast paths "
                             "(column native0: the program as first built)")
    parser.add_argument("--threads", type=int,
                        help="OpenMP threads for php_mt_seed and the native backend alike "
                             "(OMP_NUM_THREADS; 1 compares the cost per seed on one core, "
                             "steadier on a shared machine)")
    parser.add_argument("--compare-only", action="store_true",
                        help="stop after the php_mt_seed comparison")
    parser.add_argument("--cpu-time", action="store_true",
                        help="seeds per second of this process's CPU time (all threads) in the "
                             "table instead of wall time: steadier on a shared machine, and "
                             "the ratio to native0 compares the work per seed")
    args = parser.parse_args()
    executable = None
    if args.php_mt_seed is not None:
        executable = find_php_mt_seed(args.php_mt_seed or None)
        if executable is None:
            parser.error("php_mt_seed not found: pass --php-mt-seed PATH or set PHP_MT_SEED "
                         "(build it from github.com/openwall/php_mt_seed with its Makefile)")
    elif args.compare_only:
        parser.error("--compare-only needs --php-mt-seed")
    compared = tuple(args.compare_generators.split(","))
    if not set(compared) <= set(COMPARED):
        parser.error(f"--compare-generators takes {', '.join(COMPARED)}, not "
                     f"{', '.join(sorted(set(compared) - set(COMPARED)))}")
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be at least 1")
        # read by libgomp when the first OpenMP library loads, here and in php_mt_seed
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    names = args.generators.split(",") if args.generators else device_ported()
    wanted = set(args.backends.split(",")) | {"numpy"} if args.backends else None
    backends = {name: make_backend(name) for name in available_backends()
                if wanted is None or name in wanted}
    if args.native_baseline and "native" in backends:
        from kernels.sieve.native_backend import NativeBackend

        backends["native0"] = NativeBackend(fast_paths=False)
    described = [f"{n} ({getattr(b, 'description', n)})" for n, b in backends.items()]
    print("backends: " + ", ".join(described))
    if executable is not None:
        compare_php_mt_seed(executable, backends, 1 << (28 if args.quick else 32), compared)
        if args.compare_only:
            return 0
    if executable is None:
        print("php_mt_seed: not compared (--php-mt-seed PATH times it beside ours)")
    unit = "seeds/CPU-s" if args.cpu_time else "seeds/s"
    baseline = "native0" in backends and "native" in backends
    columns = ["generator", "reduction", "probe"] + [f"{n} {unit}" for n in backends] + \
        [f"{n}/numpy" for n in backends if n != "numpy"] + \
        (["native/native0"] if baseline else []) + ["outputs/seed"]
    if args.cpu_time:
        print("rates per second of CPU time of this process, all threads")
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
            rates = {n: seeds_per_second(b, name, [spec], probe, offsets, skips, args.seconds,
                                         cpu_time=args.cpu_time)
                     for n, b in backends.items()}
            row = [name, spec, label] + [f"{rates[n] / 1e6:,.2f} M" for n in backends] + \
                [f"{rates[n] / rates['numpy']:,.1f}x" for n in backends if n != "numpy"] + \
                ([f"{rates['native'] / rates['native0']:,.2f}x"] if baseline else []) + \
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
