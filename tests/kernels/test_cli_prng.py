"""`watcher prng list|generate` and `watcher inject` agree with predict; bad input is one line."""

from __future__ import annotations

import json

import pytest

from kernels.cli import TRUTH_VERSION, read_truth
from kernels.draws import read_draws
from kernels.observation import Hypothesis, SkipSchedule, parse_skip, predict
from kernels.reductions import parse_reduction
from kernels.registry import all_generators
from machine.cli import main
from tests.kernels.test_observation import valid_seed


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_json_has_every_generator(capsys):
    code, out, _ = run(capsys, "prng", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {row["name"] for row in rows} == set(all_generators())
    for row in rows:
        assert {"family", "seeding", "state_bits", "seed_space", "invertible", "legacy",
                "reductions"} <= row.keys()
        assert "raw" in row["reductions"]


def test_list_table(capsys):
    code, out, _ = run(capsys, "prng", "list")
    assert code == 0 and "java_random" in out and "generators" in out


def test_list_shows_the_draws_state_recovery_needs(capsys):
    from kernels.recovery import minimum_draws

    code, out, _ = run(capsys, "prng", "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["java_random"]["recovery_needs"]["java_nextint:1000"] == minimum_draws(
        "java_random", "java_nextint:1000")
    assert rows["mt19937"]["recovery_needs"]["raw"] == minimum_draws("mt19937", "raw")
    assert rows["pcg64"]["recovery_needs"] == {}  # no recovery route
    code, out, _ = run(capsys, "prng", "list")
    section = out.split("state recovery", 1)[1]
    line = next(line for line in section.splitlines() if line.split()[:1] == ["glibc_random"])
    assert f"raw {minimum_draws('glibc_random', 'raw'):,}" in line


@pytest.mark.parametrize("generator", sorted(all_generators()))
def test_generate_and_inject_agree_with_predict(capsys, tmp_path, generator):
    cls = all_generators()[generator]
    seed = valid_seed(generator, 12345)
    reduction = "mod:1000" if cls.output_bits >= 10 else "raw"
    hypothesis = Hypothesis(generator=generator, seed=seed, reduction=reduction, offset=3,
                            skip=parse_skip("1,0,2"))
    expected = predict(hypothesis, 20)

    code, out, _ = run(capsys, "prng", "generate", generator, "--seed", str(seed), "-n", "20",
                       "--reduce", reduction, "--offset", "3", "--skip", "1,0,2", "--json")
    assert code == 0 and json.loads(out) == expected

    target = tmp_path / "draws.json"
    code, _, err = run(capsys, "inject", "--generator", generator, "--seed", str(seed), "-n", "20",
                       "--reduce", reduction, "--offset", "3", "--skip", "1,0,2", "-o", str(target))
    assert code == 0, err
    assert read_draws(target) == expected
    truth = json.loads((tmp_path / "draws.truth.json").read_text())
    assert truth["version"] == TRUTH_VERSION
    assert Hypothesis.model_validate(truth["hypothesis"]) == hypothesis
    assert read_truth(tmp_path / "draws.truth.json")[0] == hypothesis
    assert truth["next"] == predict(hypothesis, 30)[20:]
    assert "seed" not in target.read_text()


def _model_one_draws(generator: str, seed: int, reduction: str, draws_before: int, skip: int,
                     n: int) -> list[int]:
    """What the injector wrote before offsets counted raw outputs: ``draws_before`` unobserved
    draws, each draw followed by ``skip`` discarded outputs."""
    stream = all_generators()[generator](seed)
    parsed = parse_reduction(reduction)
    draws = []
    for index in range(draws_before + n):
        value = parsed.draw(stream)
        if index >= draws_before:
            draws.append(value)
        stream.jump(skip)
    return draws


@pytest.mark.parametrize("generator, reduction", [("java_random", "java_nextint:1000"),
                                                  ("mt19937", "float_mul:1000"),
                                                  ("cpython_random", "python_randbelow:1000")])
def test_version_one_truth_file_is_converted(tmp_path, generator, reduction):
    n, draws_before, skip = 20, 3, 1
    draws = _model_one_draws(generator, 777, reduction, draws_before, skip, n + 10)
    path = tmp_path / "old.truth.json"
    path.write_text(json.dumps({
        "hypothesis": {"generator": generator, "seed": 777, "reduction": reduction,
                       "offset": draws_before, "skip": {"skips": [], "then": skip}},
        "n": n, "draws_file": "old.json", "next": draws[n:]}))
    hypothesis, _ = read_truth(path)
    assert predict(hypothesis, n + 10) == draws
    assert hypothesis.skip == SkipSchedule.constant(skip)


def test_unreadable_truth_files_are_refused(tmp_path):
    future = tmp_path / "future.truth.json"
    future.write_text(json.dumps({"version": 99, "hypothesis": {}}))
    with pytest.raises(ValueError, match="version 99"):
        read_truth(future)
    # a version-1 file whose recorded draws its conversion does not reproduce
    wrong = tmp_path / "wrong.truth.json"
    wrong.write_text(json.dumps({
        "hypothesis": {"generator": "java_random", "seed": 1, "reduction": "mod:1000",
                       "offset": 2, "skip": {"skips": [], "then": 0}},
        "n": 5, "draws_file": "x.json", "next": [1, 2, 3]}))
    with pytest.raises(ValueError, match="does not reproduce"):
        read_truth(wrong)
    # half of a 64-bit output buffered before the first observed draw: inexpressible
    half = tmp_path / "half.truth.json"
    half.write_text(json.dumps({
        "hypothesis": {"generator": "pcg64", "seed": 1, "reduction": "python_randbelow:1000",
                       "offset": 1, "skip": {"skips": [], "then": 0}},
        "n": 5, "draws_file": "x.json", "next": [1, 2, 3]}))
    with pytest.raises(ValueError, match="cannot express"):
        read_truth(half)


@pytest.mark.parametrize("argv, fragment", [
    (["prng", "generate", "no_such_gen", "--seed", "1", "-n", "3"], "unknown generator"),
    (["prng", "generate", "java_random", "--seed", "-1", "-n", "3"], "seed"),
    (["prng", "generate", "java_random", "--seed", str(1 << 48), "-n", "3"], "seed space"),
    (["prng", "generate", "java_random", "--seed", "1", "-n", "3", "--reduce", "mod:1"], "N must be"),
    (["prng", "generate", "java_random", "--seed", "1", "-n", "3", "--reduce", "nope:3"], "unknown reduction"),
    (["prng", "generate", "java_random", "--seed", "1", "-n", "3", "--skip", "a"], "skip"),
])
def test_bad_input_is_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_inject_refuses_to_overwrite(capsys, tmp_path):
    target = tmp_path / "d.json"
    target.write_text("[1]")
    code, _, err = run(capsys, "inject", "-g", "java_random", "-s", "1", "-n", "3", "-o", str(target))
    assert code == 2 and "exists" in err
    assert target.read_text() == "[1]"
