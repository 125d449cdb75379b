"""Known answers for the legacy family, from the original system's own Python code.

Usage: python3 legacy_vectors.py ORIGINAL_DIR COMMIT OUTDIR

ORIGINAL_DIR holds prng_registry.py and synthetic_draw_injector.py of
mmercalde/prng_cluster_public at COMMIT (see make.sh). Raw streams call the registry's CPU
reference, ``get_cpu_reference(name)(seed, 1000)``; the ``mod:N`` streams are what the
original's synthetic draw injector wrote as ``raw_value`` (the output at each position, % N).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

original, commit, outdir = Path(sys.argv[1]).resolve(), sys.argv[2], Path(sys.argv[3])
sys.path.insert(0, str(original))
os.chdir(original)  # the injector saves .synthetic_draw_state.json in the working directory

import prng_registry  # noqa: E402  (the original's module)
import synthetic_draw_injector as injector  # noqa: E402

BASES = ["java_lcg", "lcg32", "minstd", "mt19937", "pcg32", "philox4x32", "sfc64",
         "xorshift32", "xorshift64", "xorshift128", "xoshiro256pp"]
SEED_BITS = {"java_lcg": 48, "lcg32": 32, "minstd": 32, "mt19937": 32, "xorshift32": 32,
             "xorshift128": 32}
N = 1000
REPO = f"mmercalde/prng_cluster_public@{commit}"


def write(name: str, seed: int, stream: str, source: str, values: list[int]) -> None:
    folder = outdir / f"legacy_{name}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# generator: legacy_{name}", f"# seed: {seed}", f"# stream: {stream}",
             f"# source: {source}", "# made by: tests/vectors/sources/legacy/make.sh", "value",
             *map(str, values)]
    (folder / f"seed-{seed}.{stream.replace(':', '-')}.csv").write_text("\n".join(lines) + "\n")


def injector_draws(name: str, seed: int, mod_value: int, count: int) -> list[int]:
    """Positions 0..count-1 exactly as synthetic_draw_injector.generate_synthetic_draw made them."""
    state = injector.SyntheticDrawState(seed, name, mod_value)
    config = {"prng_type": name, "mod_value": mod_value}
    draws = [injector.generate_synthetic_draw(state, config)["raw_value"] for _ in range(count)]
    with contextlib.redirect_stdout(io.StringIO()):  # reset() prints a banner
        state.reset()
    return draws


# The synthetic injector and the sieve's hybrid/reverse variants share these references.
for name in BASES:
    ref = prng_registry.get_cpu_reference(name)
    for variant in (f"{name}_hybrid", f"{name}_reverse", f"{name}_hybrid_reverse"):
        other = prng_registry.KERNEL_REGISTRY.get(variant, {}).get("cpu_reference")
        assert other is None or other is ref or name == "mt19937", (variant, other)

for name in BASES:
    ref = prng_registry.get_cpu_reference(name)
    func = ref.__name__
    wide = (1 << SEED_BITS.get(name, 64)) - 1
    seeds = sorted({0, 1, 12345, 3735928495, 0x0123456789ABCDEF & wide})
    for seed in seeds:
        raw = ref(seed, N)
        if name == "mt19937":  # mt19937_hybrid's reference is the other MT function
            assert prng_registry.mt19937_cpu(seed, N) == raw
        write(name, seed, "raw", f"{REPO} prng_registry.py cpu reference {func}({seed}, {N})",
              raw)
        if seed == 3735928495:
            write(name, seed, "mod:1000",
                  f"{REPO} prng_registry.py cpu reference {func}({seed}, {N}) % 1000, as "
                  "synthetic_draw_injector.generate_synthetic_draw reduces it", [x % 1000 for x in raw])
    # the injector's own code path: default true_seed 12345, mod_value 1000, positions 0..999
    draws = injector_draws(name, 12345, 1000, N)
    assert draws == [x % 1000 for x in ref(12345, N)]
    write(name, 12345, "mod:1000",
          f"{REPO} synthetic_draw_injector.py generate_synthetic_draw() raw_value "
          f"(= {func}(12345, n=position+1)[-1] % 1000), positions 0..{N - 1}", draws)
    print(f"legacy_{name}: {len(seeds)} raw seeds", file=sys.stderr)
