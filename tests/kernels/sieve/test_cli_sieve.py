"""`watcher sieve` and `watcher identify` from the command line."""

from __future__ import annotations

import json
import os

import pytest

from kernels.draws import write_draws
from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import all_generators
from kernels.sieve.survivors import survivors_from_npz
from machine.cli import main


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse's own usage errors
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def planted(tmp_path):
    truth = Hypothesis(generator="java_random", seed=31337, reduction="java_nextint:1000", offset=2,
                       skip=SkipSchedule.constant(1))
    path = tmp_path / "draws.json"
    write_draws(path, predict(truth, 30))
    return truth, path


def test_sieve_json_and_survivors_file(capsys, tmp_path, planted):
    truth, path = planted
    survivors_file = tmp_path / "survivors.npz"
    code, out, err = run(capsys, "sieve", "--draws", path, "--generators", "java_random,mt19937",
                         "--seeds", "30000:40000", "--offsets", "0:4", "--skip", "0:1",
                         "--backend", "numpy", "--predict", "5", "--json",
                         "--survivors", survivors_file)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"] and payload["verdict"] == "identified"
    assert Hypothesis.model_validate(payload["best"][0]["hypothesis"]) == truth
    assert payload["next"] == predict(truth, 35)[30:]
    assert payload["expected_chance_survivors"] < 1e-50
    stored = survivors_from_npz(survivors_file.read_bytes())
    assert [s.hypothesis for s in stored] == [truth]


def test_sieve_finds_discard_before_each_draw(capsys, tmp_path):
    """A program that throws away two outputs before each draw (``g(); g(); x = g()``): offset
    2 and skip 2, both in raw outputs, found by `watcher sieve`."""
    stream = all_generators()["mt19937"](20261204 % 50_000)
    draws = []
    for _ in range(30):
        stream.next_raw()
        stream.next_raw()
        draws.append(stream.next_raw() % 1000)
    path = tmp_path / "draws.json"
    write_draws(path, draws)
    code, out, err = run(capsys, "sieve", "--draws", path, "--generators", "mt19937",
                         "--seeds", "0:50000", "--offsets", "0:4", "--skip", "0:2",
                         "--reduce", "mod:1000,float_mul:1000", "--backend", "numpy", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"]
    best = Hypothesis.model_validate(payload["best"][0]["hypothesis"])
    assert (best.seed, best.reduction, best.offset, best.skip) == (
        20261204 % 50_000, "mod:1000", 2, SkipSchedule.constant(2))
    # the statistics count every reduction: 50000 seeds x 2 reductions x 4 offsets x 3 skips
    assert payload["hypotheses"] == 50_000 * 2 * 4 * 3
    assert {space["reduction"] for space in payload["spaces"]} == {"mod:1000", "float_mul:1000"}


def test_survivor_files_of_draw_offsets_are_converted(tmp_path):
    """An npz written when offsets counted draws (no observation_model column) reads back as
    the same hypothesis with its offset in raw outputs."""
    import io

    import numpy as np

    truth = Hypothesis(generator="java_random", seed=5, reduction="java_nextint:1000", offset=4,
                       skip=SkipSchedule.constant(1))  # 2 draws of 1 output, each then skip 1
    columns = {"generator": np.array(["java_random"]), "reduction": np.array(["java_nextint:1000"]),
               "seed": np.array([5], dtype=np.uint64), "offset": np.array([2], dtype=np.uint64),
               "skip_then": np.array([1], dtype=np.uint32), "skips": np.array([], dtype=np.uint32),
               "skips_start": np.array([0, 0], dtype=np.int64),
               "matched": np.array([12], dtype=np.int64), "compared": np.array([12], dtype=np.int64),
               "p_value": np.array([1e-30]), "log10_p_value": np.array([-30.0])}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **columns)
    (stored,) = survivors_from_npz(buffer.getvalue())
    assert stored.hypothesis == truth


def test_sieve_text_output(capsys, planted):
    _, path = planted
    code, out, _ = run(capsys, "sieve", "--draws", path, "--generators", "java_random",
                       "--seeds", "31000:32000", "--offsets", "0:4", "--skip", "1",
                       "--reduce", "java_nextint:1000", "--backend", "numpy")
    assert code == 0 and "IDENTIFIED: java_random seed=31337" in out


def test_identify_finds_small_seed_and_predicts(capsys, tmp_path):
    truth = Hypothesis(generator="mt19937", seed=4242, reduction="mod:1000", offset=1)
    path = tmp_path / "draws.json"
    write_draws(path, predict(truth, 40))
    code, out, err = run(capsys, "identify", "--draws", path, "--generators",
                         "mt19937,java_random,xorshift32", "--budget", "120", "--predict", "10",
                         "--backend", "numpy", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"]
    assert Hypothesis.model_validate(payload["best"][0]["hypothesis"]) == truth
    assert payload["next"] == predict(truth, 50)[40:]
    assert payload["coverage"] and payload["covered_prior"] > 0


def test_identify_says_no_generator_for_random_data(capsys, tmp_path):
    path = tmp_path / "draws.json"
    write_draws(path, [int.from_bytes(os.urandom(2), "little") % 1000 for _ in range(40)])
    code, out, _ = run(capsys, "identify", "--draws", path, "--generators", "java_random,mt19937",
                       "--budget", "6", "--backend", "numpy", "--state", tmp_path / "state.json")
    assert code == 0
    assert "no generator explains this data" in out


@pytest.mark.parametrize("argv, fragment", [
    (["--generators", "nope", "--seeds", "0:10"], "unknown generator"),
    (["--generators", "java_random", "--seeds", "10:5"], "expected A:B"),
    (["--generators", "xorshift32", "--seeds", f"{2**33}:{2**34}"], "outside"),
    (["--generators", "java_random", "--seeds", "0:10", "--skip", "x"], "skip"),
    (["--generators", "java_random", "--seeds", "0:10", "--reduce", "mod:0"], "N must be"),
    (["--generators", "java_random", "--seeds", "0:10", "--backend", "cuda"], "not available"),
])
def test_sieve_bad_input(capsys, planted, argv, fragment):
    _, path = planted
    code, out, err = run(capsys, "sieve", "--draws", path, *argv)
    assert code == 2 and out == "" and fragment in err and "Traceback" not in err


def test_bad_draw_file(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[1, 2, x]")
    code, _, err = run(capsys, "identify", "--draws", path, "--budget", "5")
    assert code == 2 and "bad.json" in err
