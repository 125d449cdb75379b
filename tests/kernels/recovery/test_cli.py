"""`watcher recover` end to end: identified with predictions and seed, null data, short data,
bad input as one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kernels.registry import get_generator
from machine.cli import main


def _write(tmp_path, values, name="draws.json"):
    path = tmp_path / name
    path.write_text(json.dumps(values))
    return str(path)


def test_identifies_mt19937_raw_with_seed_and_predictions(tmp_path, capsys):
    stream = get_generator("mt19937")(4000000000)
    draws = [stream.next_raw() for _ in range(710)]
    code = main(["recover", "--draws", _write(tmp_path, draws[:700]), "--generator", "mt19937",
                 "--reduction", "raw", "--predict", "10", "--json"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["verdict"] == "identified"
    assert payload["best"]["seed"] == 4000000000 and payload["best"]["position"] == 0
    assert payload["best"]["predictions"] == draws[700:]


def test_signed_ints_pick_java_by_shape(tmp_path, capsys):
    stream = get_generator("java_random")(123456789)
    draws = [v - (1 << 32) if v >> 31 else v for v in (stream.next_raw() for _ in range(12))]
    path = tmp_path / "ints.txt"
    path.write_text("\n".join(map(str, draws[:8])) + "\n")
    assert main(["recover", "--draws", str(path), "--predict", "4"]) == 0
    out = capsys.readouterr().out
    assert "identified: java_random through signed32" in out
    assert "next: " + " ".join(map(str, draws[8:])) in out


def test_random_floats_and_short_input(tmp_path, capsys):
    floats = np.random.default_rng(1).random(40).tolist()
    assert main(["recover", "--draws", _write(tmp_path, floats)]) == 0
    out = capsys.readouterr().out
    assert "no generator explains this data" in out
    assert main(["recover", "--draws", _write(tmp_path, [0.25], "one.json")]) == 0
    out = capsys.readouterr().out
    assert "too short" in out and "needs" in out


@pytest.mark.parametrize("content, message", [("[1, \"x\"]", "expected a number"), ("[]", "no draws"),
                                              ("1\nfoo\n", "line 2")])
def test_bad_input_is_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    assert main(["recover", "--draws", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_unknown_generator(tmp_path, capsys):
    assert main(["recover", "--draws", _write(tmp_path, [1, 2, 3]), "--generator", "pcg64"]) == 2
    assert "no state recovery for pcg64" in capsys.readouterr().err


def test_dice_from_one_to_six(tmp_path, capsys):
    stream = get_generator("java_random")(98765)
    draws = [(stream.next_raw() >> 1) % 6 + 1 for _ in range(48)]  # nextInt(6) + 1, no rejection
    assert main(["recover", "--draws", _write(tmp_path, draws[:40]), "--generator", "java_random",
                 "--reduction", "java_nextint:6+1", "--predict", "8"]) == 0
    out = capsys.readouterr().out
    assert "identified: java_random through java_nextint:6+1" in out
    assert "next: " + " ".join(map(str, draws[40:])) in out
