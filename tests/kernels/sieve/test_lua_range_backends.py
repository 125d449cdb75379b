"""Lua 5.4's ``math.random(m, n)`` (``lua_range:A:B``) on every backend: the numpy lanes, the
native C and OpenCL programs, and the CUDA source, against the scalar reference, for spans with
and without rejection, wide spans and ranges that start above 0."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.reductions import parse_reduction
from kernels.registry import get_generator
from kernels.sieve.engine import SearchSpace, SkipSpace, search
from kernels.sieve.kernel_source import program_source
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.vector import LaneStreams, draw_lanes
from tests.kernels.sieve.device_backends import CPU_DEVICE_BACKENDS, cpu_device_backend

#: no rejection (1..8, 0..1), rejection of up to half the words (1..6, 1..100, 1..5, 0..2**31),
#: a range of one value, the widest span, and starts far from 0
SPECS = ["lua_range:1:6", "lua_range:1:100", "lua_range:1:8", "lua_range:0:1", "lua_range:1:5",
         "lua_range:0:2147483648", "lua_range:7:7", "lua_range:0:4294967295",
         "lua_range:1000000:1000999", "lua_range:4611686018427387904:4611686018427387999"]
SEEDS = [0, 1, 42, 1733356800, 2**64 - 1]
LUA = get_generator("lua54_random")


def _reference(spec: str, seed: int, draws: int, skip: int = 0) -> list[int]:
    return predict(Hypothesis(generator=LUA.name, seed=seed, reduction=spec,
                              skip=SkipSchedule.constant(skip)), draws)


def test_the_reference_rejects_what_lua_rejects():
    """1..6 masks with 7 and redraws 6 and 7: a quarter of the words; 1..8 never redraws."""
    stream = LUA(42)
    words = [stream.next_raw() for _ in range(400)]
    masked = [w & 7 for w in words]
    accepted = [m + 1 for m in masked if m <= 5]
    assert _reference("lua_range:1:6", 42, len(accepted)) == accepted
    assert _reference("lua_range:1:8", 42, 400) == [m + 1 for m in masked]
    assert 0.15 < masked.count(6) / 400 + masked.count(7) / 400 < 0.35


@pytest.mark.parametrize("spec", SPECS)
def test_numpy_lanes_equal_the_reference(spec):
    reduction = parse_reduction(spec)
    raw = LUA.raw_many(np.array(SEEDS, dtype=np.uint64), 200)
    streams = LaneStreams(LUA, raw)
    columns = [draw_lanes(reduction, streams) for _ in range(60)]
    got = np.stack(columns, axis=1)
    assert not streams.overflow.any()
    for row, seed in enumerate(SEEDS):
        assert got[row].tolist() == _reference(spec, seed, 60), f"seed {seed}"


@pytest.fixture(scope="module", params=CPU_DEVICE_BACKENDS)
def device(request):
    return cpu_device_backend(request.param)


def test_device_draws_equal_the_reference(device):
    """Every spec on the Lua port and on another 64-bit port (the reduction is not the port's)."""
    for name in (LUA.name, "splitmix64"):
        cls = get_generator(name)
        for spec in SPECS:
            got, degenerate = device.draw_stream(cls, parse_reduction(spec),
                                                 np.array(SEEDS, dtype=np.uint64), 40, 1)
            assert not degenerate.any()
            for row, seed in enumerate(SEEDS):
                expected = predict(Hypothesis(generator=name, seed=seed, reduction=spec,
                                              skip=SkipSchedule.constant(1)), 40)
                assert got[row].tolist() == expected, f"{name} {spec} seed {seed}"


def test_device_sieve_finds_what_numpy_finds(device):
    """A planted dice sequence among 4096 seeds, with offsets and skips, and the chance
    survivors of two draws: the same on the device as on numpy."""
    specs = ("lua_range:0:5", "lua_range:0:99", "float_mul:6")
    planted = Hypothesis(generator=LUA.name, seed=3000, reduction="lua_range:0:5", offset=2,
                         skip=SkipSchedule.constant(1))
    observed = predict(planted, 12)
    space = SearchSpace(generator=LUA.name, reductions=specs, seed_start=1000, seed_stop=5096,
                        offset_stop=4, skip=SkipSpace(low=0, high=1))
    keys = []
    for backend in (device, NumpyBackend()):
        result = search([space], observed, backend=backend, window=12)
        keys.append(sorted((s.hypothesis.reduction, s.hypothesis.seed, s.hypothesis.offset,
                            s.hypothesis.skip.then) for s in result.survivors))
    assert keys[0] == keys[1]
    assert ("lua_range:0:5", 3000, 2, 1) in keys[0]
    chance = []
    for backend in (device, NumpyBackend()):
        result = search([space], observed[:2], backend=backend, window=2, stop_when_certain=False)
        chance.append(sorted((s.hypothesis.reduction, s.hypothesis.seed, s.hypothesis.offset,
                              s.hypothesis.skip.then) for s in result.survivors))
    assert chance[0] == chance[1] and len(chance[0]) > 100


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not installed")
def test_lua_program_compiles_as_cuda(tmp_path):
    source = tmp_path / "lua54_random.cu"
    reductions = tuple(parse_reduction(spec) for spec in (*SPECS, "digits:3", "float_mul:6"))
    source.write_text(program_source(LUA, reductions, 8))
    result = subprocess.run(["nvcc", "-std=c++14", "-cuda", str(source), "-o",
                             str(tmp_path / "out.ii"), "-diag-suppress", "177"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("spec, message", [
    ("lua_range:5:1", "0 <= A <= B"), ("lua_range:-1:5", "0 <= A <= B"),
    ("lua_range:0:4294967296", "B - A < 2**32"), ("lua_range:1:9223372036854775808", "2**63"),
    ("lua_range:6", "expected lua_range:A:B"), ("lua_range:a:b", "integers")])
def test_bad_specs_are_refused_in_one_line(spec, message):
    with pytest.raises(ValueError, match=message.replace("*", r"\*").replace("(", r"\(")):
        parse_reduction(spec)


def test_only_64_bit_generators_take_it():
    reduction = parse_reduction("lua_range:1:6")
    reduction.check_generator(LUA)
    with pytest.raises(ValueError, match="64-bit raw outputs"):
        reduction.check_generator(get_generator("mt19937"))
    assert parse_reduction("lua_range:1:6").alphabet == 6
    assert parse_reduction("lua_range:7:7").alphabet == 1
