"""Tolerated errors (``errors=K``): planted sequences with wrong draws are found on every
backend, random draws stay unexplained, and the chance survivors come as the exact binomial
tail says."""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from kernels.observation import Hypothesis, predict
from kernels.sieve.engine import SearchSpace, Survivor, search, window_blocks
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.statistics import log_binomial_tail, minimum_window

from .device_backends import CPU_DEVICE_BACKENDS, cpu_device_backend


def _spoil(draws: list[int], positions: list[int], alphabet: int) -> list[int]:
    spoiled = list(draws)
    for index in positions:
        spoiled[index] = (spoiled[index] + 1 + index % (alphabet - 1)) % alphabet
    return spoiled


def _found(survivors: list[Survivor]) -> set[tuple[str, int, str, int, int]]:
    return {(s.hypothesis.generator, s.hypothesis.seed, s.hypothesis.reduction,
             s.hypothesis.offset, s.errors) for s in survivors}


def test_blocks_cover_the_window_and_one_is_always_clean() -> None:
    for window in range(1, 30):
        for errors in range(0, window):
            blocks = window_blocks(window, errors)
            assert len(blocks) == errors + 1
            assert [start for start, _ in blocks] == [
                sum(length for _, length in blocks[:i]) for i in range(len(blocks))]
            assert sum(length for _, length in blocks) == window
            assert all(length >= 1 for _, length in blocks)


def test_cpython_randrange_with_wrong_draws_is_found() -> None:
    """CPython's own ``random.seed(n); randrange(1000)``, two draws mistyped, one of them the
    first: the exact search finds nothing, the tolerant one the seed and both wrong draws."""
    seed = 2718
    stream = random.Random(seed)
    clean = [stream.randrange(1000) for _ in range(24)]
    observed = _spoil(clean, [0, 6], 1000)
    space = SearchSpace(generator="cpython_random", reductions=("python_randbelow:1000",),
                        seed_start=2600, seed_stop=2800, offset_start=0, offset_stop=1)
    assert not search([space], observed, window=12).survivors
    result = search([space], observed, window=12, errors=2)
    assert result.identified and result.errors == 2
    [best] = result.survivors
    assert (best.hypothesis.seed, best.matched, best.compared) == (seed, 22, 24)
    assert best.mismatches == (0, 6)


@pytest.mark.skipif(shutil.which("g++") is None, reason="no g++ to run std::mt19937")
def test_gcc_mt19937_with_a_wrong_draw_in_every_place_of_a_short_window(tmp_path: Path) -> None:
    source = tmp_path / "draws.cpp"
    source.write_text("#include <random>\n#include <cstdio>\nint main() { std::mt19937 g(777);"
                      " for (int i = 0; i < 20; i++) std::printf(\"%u\\n\", g() % 100); }\n")
    binary = tmp_path / "draws"
    subprocess.run(["g++", "-O1", "-o", str(binary), str(source)], check=True)
    clean = [int(line) for line in subprocess.run([str(binary)], check=True, capture_output=True,
                                                  text=True).stdout.split()]
    space = SearchSpace(generator="mt19937", reductions=("mod:100",), seed_start=700,
                        seed_stop=800, offset_start=0, offset_stop=2)
    for wrong in range(10):
        result = search([space], _spoil(clean, [wrong], 100), window=10, errors=1)
        assert [(s.hypothesis.seed, s.hypothesis.offset, s.mismatches)
                for s in result.survivors] == [(777, 0, (wrong,))]


@pytest.mark.parametrize("name", CPU_DEVICE_BACKENDS)
def test_device_backends_find_what_numpy_finds(name: str) -> None:
    backend = cpu_device_backend(name)
    truth = Hypothesis(generator="java_random", seed=91_337, reduction="java_nextint:1000",
                       offset=3)
    observed = _spoil(predict(truth, 30), [0, 7, 13], 1000)
    spaces = [SearchSpace(generator="java_random", reductions=("java_nextint:1000", "mod:1000"),
                          seed_start=80_000, seed_stop=100_000, offset_start=0,
                          offset_stop=6),
              SearchSpace(generator="minstd_rand", reductions=("mod:1000",), seed_start=1,
                          seed_stop=20_000, offset_start=0, offset_stop=1)]
    reference = search(spaces, observed, window=15, errors=3, backend=NumpyBackend())
    on_device = search(spaces, observed, window=15, errors=3, backend=backend)
    assert _found(reference.survivors) == _found(on_device.survivors) == {
        ("java_random", 91_337, "java_nextint:1000", 3, 3)}


def _random_draws(count: int, alphabet: int, label: str) -> list[int]:
    return [int.from_bytes(hashlib.sha256(f"{label}/{i}".encode()).digest(), "big") % alphabet
            for i in range(count)]


def test_random_draws_stay_unexplained_with_errors_allowed() -> None:
    space = SearchSpace(generator="mt19937", reductions=("mod:1000",), seed_start=0, seed_stop=3000,
                        offset_start=0, offset_stop=2)
    window = minimum_window(2 * 3000, 1e-3, 0.01, errors=2) + 2
    for trial in range(6):
        result = search([space], _random_draws(24, 1000, f"null/{trial}"), window=window,
                        errors=2)
        assert not result.identified
        assert result.expected_chance_survivors < 1e-6


def test_chance_survivors_come_as_the_binomial_tail_says() -> None:
    """On a small alphabet chance survivors are many: their count over several random
    sequences agrees with hypotheses x P(at least W - K of W right) within four sigma."""
    window, errors, alphabet = 10, 2, 4
    space = SearchSpace(generator="minstd_rand", reductions=(f"mod:{alphabet}",), seed_start=1,
                        seed_stop=40_001, offset_start=0, offset_stop=1)
    survivors = 0.0
    expected = 0.0
    for trial in range(5):
        result = search([space], _random_draws(window, alphabet, f"chance/{trial}"),
                        window=window, errors=errors, stop_when_certain=False)
        survivors += len(result.survivors)
        expected += result.expected_chance_survivors
        assert all(s.errors <= errors for s in result.survivors)
    q = result.reports[0].q
    assert result.reports[0].survival_probability == pytest.approx(
        math.exp(log_binomial_tail(window, window - errors, q)))
    assert expected > 20  # enough that the comparison means something
    assert abs(survivors - expected) < 4 * math.sqrt(expected)


def test_bad_error_allowances_are_refused() -> None:
    space = SearchSpace(generator="mt19937", reductions=("mod:1000",), seed_start=0, seed_stop=10,
                        offset_start=0, offset_stop=1)
    with pytest.raises(ValueError, match="tolerate 0 to 7"):
        search([space], list(range(8)), window=8, errors=8)
    with pytest.raises(ValueError, match="constant skip"):
        search([space.model_copy(update={"skip": space.skip.model_copy(
            update={"variable": True, "high": 1})})], list(range(8)), errors=1)


def test_the_window_needed_grows_with_the_errors_allowed() -> None:
    exact = minimum_window(2**32, 1e-3, 0.01)
    assert minimum_window(2**32, 1e-3, 0.01, errors=0) == exact
    for errors in (1, 2, 3):
        window = minimum_window(2**32, 1e-3, 0.01, errors=errors)
        assert window > exact + errors - 1
        assert math.log(2**32) + log_binomial_tail(window, window - errors, 1e-3) < math.log(0.01)
        assert math.log(2**32) + log_binomial_tail(window - 1, window - 1 - errors,
                                                   1e-3) >= math.log(0.01)


def test_the_pipeline_survivor_table_keeps_the_wrong_draws_when_errors_are_tolerated() -> None:
    from handlers.pipeline.sieve import survivor_rows

    truth = Hypothesis(generator="minstd_rand", seed=4242, reduction="mod:1000", offset=0)
    observed = _spoil(predict(truth, 16), [3], 1000)
    space = SearchSpace(generator="minstd_rand", reductions=("mod:1000",), seed_start=4000,
                        seed_stop=4500, offset_start=0, offset_stop=1)
    result = search([space], observed, window=10, errors=1)
    [row] = survivor_rows([(s, 5) for s in result.survivors], 2, tolerant=True)
    assert (row["hypothesis"]["seed"], row["errors"], row["mismatches"]) == (4242, 1, [3])
    assert row["log10_p_value"] == pytest.approx(result.survivors[0].log10_p_value
                                                 + math.log10(2))
    [exact_row] = survivor_rows([(s, 5) for s in result.survivors], 2)
    assert "errors" not in exact_row and "mismatches" not in exact_row


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    from machine.cli import main

    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse's own usage errors
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sieve_command_with_errors_says_which_draws_were_wrong(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from kernels.draws import write_draws

    truth = Hypothesis(generator="java_random", seed=31337, reduction="java_nextint:1000",
                       offset=2)
    path = tmp_path / "draws.json"
    write_draws(path, _spoil(predict(truth, 30), [1, 9], 1000))
    argv = ["sieve", "--draws", path, "--generators", "java_random", "--seeds", "31000:32000",
            "--offsets", "0:4", "--reduce", "java_nextint:1000", "--backend", "numpy",
            "--window", "16"]
    code, out, _ = _run_cli(capsys, *argv)
    assert code == 0 and "IDENTIFIED" not in out
    code, out, _ = _run_cli(capsys, *argv, "--errors", "2")
    assert code == 0 and "IDENTIFIED: java_random seed=31337" in out
    assert "it got 2 of the 30 draws wrong: draws 1, 9" in out
    code, out, _ = _run_cli(capsys, *argv, "--errors", "2", "--json")
    payload = json.loads(out)
    assert payload["tolerated_errors"] == 2
    assert (payload["best"][0]["errors"], payload["best"][0]["mismatches"]) == (2, [1, 9])
    code, out, err = _run_cli(capsys, *argv, "--errors", "16")
    assert code == 2 and out == "" and "tolerate 0 to 15" in err and "Traceback" not in err


def test_identify_with_errors_finds_a_mistyped_cpython_sequence(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from kernels.draws import write_draws

    stream = random.Random(1234)
    path = tmp_path / "draws.json"
    write_draws(path, _spoil([stream.randrange(1000) for _ in range(40)], [2, 17], 1000))
    argv = ["identify", "--draws", path, "--generators", "cpython_random", "--budget", "120",
            "--backend", "numpy"]
    code, out, err = _run_cli(capsys, *argv, "--errors", "2", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"] and payload["tolerated_errors"] == 2
    best = payload["best"][0]
    assert (best["hypothesis"]["seed"], best["errors"], best["mismatches"]) == (1234, 2, [2, 17])
    code, out, err = _run_cli(capsys, *argv, "--errors", "2")
    assert "up to 2 wrong" in out and "it got 2 of the 40 draws wrong: draws 2, 17" in out


def test_exact_search_statistics_are_unchanged_bit_for_bit() -> None:
    """K = 0 keeps the exact sieve's figures: survival is q**W to the last bit."""
    space = SearchSpace(generator="minstd_rand", reductions=("mod:1000",), seed_start=1,
                        seed_stop=2000, offset_start=0, offset_stop=2)
    observed = _random_draws(12, 1000, "bits")
    default = search([space], observed, window=8)
    exact = search([space], observed, window=8, errors=0)
    assert default == exact
    q = exact.reports[0].q
    assert exact.reports[0].survival_probability == math.exp(8 * math.log(q))
    assert minimum_window(10**9, q, 0.01, errors=0) == math.ceil(
        (math.log(10**9) - math.log(0.01)) / -math.log(q) - 1e-12)


def test_random_draws_are_identified_no_more_often_than_alpha() -> None:
    """Null draws on a small alphabet, where a chance survivor can be significant: the share of
    searches that claim one stays within alpha and near the Poisson expectation."""
    trials, alpha, window, errors = 240, 0.1, 10, 2
    space = SearchSpace(generator="minstd_rand", reductions=("mod:4",), seed_start=1,
                        seed_stop=201, offset_start=0, offset_stop=1)
    claimed = 0
    expected = 0.0
    for trial in range(trials):
        result = search([space], _random_draws(window, 4, f"fpr/{trial}"), window=window,
                        errors=errors, alpha=alpha)
        claimed += result.identified
        expected += -math.expm1(-result.expected_chance_survivors)
    sigma = math.sqrt(trials * alpha * (1 - alpha))
    assert claimed <= trials * alpha + 3 * sigma
    assert abs(claimed - expected) < 4 * math.sqrt(expected) + 1


def test_a_rejecting_reduction_is_found_when_only_the_last_block_is_clean() -> None:
    """CPython's randrange(520) rejects about half its 10-bit words, so the draws drift from
    their raw outputs; wrong draws in the first two of three blocks leave only the last, which
    is searched at every offset its first draw may lie at."""
    for seed in range(300, 320):
        stream = random.Random(seed)
        observed = _spoil([stream.randrange(520) for _ in range(24)], [1, 5], 520)
        space = SearchSpace(generator="cpython_random", reductions=("python_randbelow:520",),
                            seed_start=seed - 2, seed_stop=seed + 2, offset_start=0,
                            offset_stop=2)
        result = search([space], observed, window=12, errors=2)
        # offset 1 gives the same draws when the first word was rejected
        found = {(s.hypothesis.seed, s.hypothesis.offset, s.mismatches) for s in result.survivors}
        assert (seed, 0, (1, 5)) in found
        assert found <= {(seed, 0, (1, 5)), (seed, 1, (1, 5))}
