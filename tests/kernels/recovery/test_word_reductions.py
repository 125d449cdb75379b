"""Word reductions (shr, signed32, res53, java_double, v8_double, u32/u53 doubles) against the
runtimes' own outputs in tests/vectors/shapes/, and their parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernels.reductions import WORD_REDUCTION_KINDS, parse_word_reduction
from kernels.registry import get_generator

SHAPES = Path(__file__).resolve().parents[2] / "vectors" / "shapes"


def read_shape_vectors() -> list[tuple[str, int, str, list[int | float], Path]]:
    """Every file of tests/vectors/shapes: (generator, seed, stream, values, path)."""
    found = []
    for path in sorted(SHAPES.glob("*/*.csv")):
        header: dict[str, str] = {}
        values: list[int | float] = []
        for line in path.read_text().splitlines():
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                header[key.strip()] = value.strip()
            elif line.strip() and line.strip() != "value":
                values.append(float(line) if any(c in line for c in ".eE") else int(line))
        assert {"generator", "seed", "stream", "source", "made by"} <= header.keys(), path
        found.append((header["generator"], int(header["seed"]), header["stream"], values, path))
    return found


VECTORS = read_shape_vectors()


def test_every_word_reduction_kind_but_the_pure_transforms_has_runtime_vectors():
    streams = {stream.split(":")[0] for _, _, stream, _, _ in VECTORS}
    # u32_double and u53_double are exact divisions of raw words, checked on the raw vectors below
    assert streams == set(WORD_REDUCTION_KINDS) - {"u32_double", "u53_double"}


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v[4].parent.name + "/" + v[4].name)
def test_runtime_values(vector):
    generator, seed, stream, values, _ = vector
    reduction = parse_word_reduction(stream)
    cls = get_generator(generator)
    reduction.check_generator(cls)
    source = cls(seed)
    assert [reduction.draw(source) for _ in values] == values


@pytest.mark.parametrize("name, kind, scale", [("tinymt32", "u32_double", 2.0 ** -32),
                                                ("xoshiro256plus", "u53_double", 2.0 ** -53)])
def test_double_divisions(name, kind, scale):
    cls = get_generator(name)
    raw, reduced = cls(5), cls(5)
    reduction = parse_word_reduction(kind)
    shift = 11 if kind == "u53_double" else 0
    for _ in range(200):
        assert reduction.draw(reduced) == (raw.next_raw() >> shift) * scale


@pytest.mark.parametrize("spec, message", [
    ("shr", "expected shr:K"), ("shr:x", "integer"), ("shr:0", "1..63"),
    ("res53:2", "takes no arguments"), ("nope", "unknown word reduction"), ("", "empty")])
def test_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_word_reduction(spec)


@pytest.mark.parametrize("spec, name", [("res53", "mt19937_64"), ("shr:32", "mt19937"),
                                        ("v8_double", "mt19937"), ("u53_double", "mt19937")])
def test_does_not_apply(spec, name):
    with pytest.raises(ValueError, match="does not apply"):
        parse_word_reduction(spec).check_generator(get_generator(name))
