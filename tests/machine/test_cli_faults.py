"""The CLI under bad configuration, hostile strings and a ledger in the middle of a write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger import read_ledger, witness_path_for

from machine.cli import main
from machine.home import Home

from .helpers import drop, make_home, open_runner

OSC52 = "\x1b]52;c;SGVsbG8=\x07"


def _home(tmp_path: Path) -> Home:
    home = make_home(tmp_path / "home")
    main(["init", "--home", str(home.root)])
    return home


def test_status_escapes_control_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = _home(tmp_path)
    drop(home, f"name{chr(27)}[2J.json", {"kind": "resume", "reason": OSC52})
    drop(home, f"bad{chr(27)}[2J.json", {"kind": f"x{OSC52}"})
    with open_runner(home) as runner:
        runner.intake()
    assert main(["halt", "--reason", f"evil {OSC52} \x9b31m", "--home", str(home.root)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    for argv in (["status"], ["status", "--follow", "--timeout", "0.3"], ["status", "--json"],
                 ["replay", str(home.root)]):
        assert main([*argv, "--home", str(home.root)] if argv[0] == "status" else argv) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out, argv
        if argv == ["status"]:
            assert "HALTED (evil \\x1b]52" in out


@pytest.mark.parametrize("content", [b"", b"{\n  \"alpha\": 0.0", b"[]", b"{\"alpha\": 2}"])
def test_a_broken_policies_file_never_blocks_a_halt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    home = _home(tmp_path)
    home.policies.write_bytes(content)  # an editor truncated it, or a typo
    capsys.readouterr()
    assert main(["halt", "--reason", "now", "--home", str(home.root)]) == 0
    assert main(["daemon", "--once", "--home", str(home.root)]) == 0
    out = capsys.readouterr()
    assert "policies.json" in out.out + out.err and "kept" in out.out + out.err
    assert main(["status", "--home", str(home.root)]) == 0
    status = capsys.readouterr().out
    assert "HALTED" in status and "policies.json" in status
    types = [r.type for r in read_ledger(home.ledger)]
    assert types.count("PoliciesSet") == 1  # the recorded policies stay in force


def test_replay_of_a_ledger_being_written_is_not_damage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _home(tmp_path)
    assert main(["halt", "--home", str(home.root)]) == 0
    raw = home.ledger.read_bytes()
    with open(home.ledger, "ab") as fh:
        fh.write(raw.splitlines(keepends=True)[-1][:40])  # a write in progress
    capsys.readouterr()
    assert main(["replay", str(home.root)]) == 0
    out = capsys.readouterr().out
    assert "clean" in out and "in progress" in out


def test_replay_expect_head_and_the_witness_catch_a_cut_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _home(tmp_path)
    assert main(["halt", "--home", str(home.root)]) == 0
    assert main(["resume", "--home", str(home.root)]) == 0
    head = list(read_ledger(home.ledger))[-1].hash
    capsys.readouterr()
    assert main(["replay", str(home.root), "--expect-head", head]) == 0
    assert main(["replay", str(home.root), "--expect-head", "ab" * 32]) == 2
    assert "not in this ledger" in capsys.readouterr().out
    # cut the last batch (the resume): a valid, shorter chain
    raw = home.ledger.read_bytes()
    lines = raw.splitlines(keepends=True)
    home.ledger.write_bytes(b"".join(lines[:-3]))
    assert main(["replay", str(home.root)]) == 2
    assert "witness" in capsys.readouterr().out
    witness_path_for(home.ledger).unlink()  # the attacker removed the witness too
    assert main(["replay", str(home.root)]) == 0
    assert main(["replay", str(home.root), "--expect-head", head]) == 2
    capsys.readouterr()
    assert main(["replay", str(home.root), "--json", "--expect-head", head]) == 2
    assert "not in this ledger" in json.loads(capsys.readouterr().out)["damage"]
