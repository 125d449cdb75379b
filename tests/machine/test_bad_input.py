"""Bad input, every way we could think of: each gets one clear rejection.

A bad *request file* dropped into ``watcher_requests/`` becomes ``RequestReceived`` +
``RequestRejected`` (with the reason) and is archived, never retried. Bad input given to the
CLI is refused before it becomes a request: exit code 2, one line, nothing written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from machine.cli import main
from machine.home import Home

from .helpers import drop, make_home, open_runner

BIG = b'{"kind": "halt", "reason": "' + b"x" * (1 << 20) + b'"}'

CASES: list[tuple[str, Any, str]] = [
    ("malformed_json", b'{"kind": "learning_loop",', "not valid JSON"),
    ("not_an_object", b"[1, 2, 3]", "JSON object, not list"),
    ("nan", b'{"kind": "selfplay_retrain", "episodes": NaN}', "not valid JSON"),
    ("huge_int", b'{"kind": "selfplay_retrain", "episodes": 1' + b"0" * 30 + b"}", "field 'episodes'"),
    ("unknown_kind", {"kind": "explode"}, "unknown kind 'explode'"),
    ("no_kind", {"episodes": 3}, "missing field 'kind'"),
    ("missing_field", {"kind": "approve"}, "field 'run_id': required field is missing"),
    ("extra_field", {"kind": "learning_loop", "colour": "red"}, "field 'colour': unknown field"),
    ("wrong_type", {"kind": "selfplay_retrain", "episodes": "5"}, "field 'episodes'"),
    ("bool_for_int", {"kind": "selfplay_retrain", "episodes": True}, "field 'episodes'"),
    ("episodes_low", {"kind": "selfplay_retrain", "episodes": 0}, "greater than or equal to 1"),
    ("episodes_high", {"kind": "selfplay_retrain", "episodes": 51}, "less than or equal to 50"),
    ("seed_negative", {"kind": "selfplay_retrain", "seed": -1}, "field 'seed'"),
    ("step_7", {"kind": "learning_loop", "scope": [3, 7]}, "step 7 is not one of 1..6"),
    ("no_steps", {"kind": "learning_loop", "scope": []}, "at least one step"),
    ("repeated_step", {"kind": "learning_loop", "scope": [3, 3]}, "each step once"),
    ("bad_scope", {"kind": "learning_loop", "scope": "most"},
     "field 'scope': must be 'steps_3_5_6', 'full' or a list of steps 1..6"),
    ("too_many_params", {"kind": "pipeline_rerun", "params": {f"p{i}": i for i in range(33)}},
     "field 'params'"),
    ("dry_run_control", {"kind": "halt", "dry_run": True}, "field 'dry_run': unknown field"),
    ("bad_client_id", {"kind": "halt", "id": "has space"}, "field 'id'"),
    ("path_parent", {"kind": "pipeline_rerun", "draws": "../outside.json"}, "outside the home"),
    ("path_absolute", {"kind": "pipeline_rerun", "draws": "/etc/passwd"}, "outside the home"),
    ("path_symlink", {"kind": "pipeline_rerun", "draws": "link.json"}, "outside the home"),
    ("path_missing", {"kind": "pipeline_rerun", "draws": "nope.json"}, "not a file in the home"),
    ("approve_unknown", {"kind": "approve", "run_id": "run-0000"}, "no run 'run-0000'"),
    ("too_big", BIG, "the limit is 1048576 (1 MiB)"),
]


def _home(tmp_path: Path) -> Home:
    home = make_home(tmp_path / "home")
    outside = tmp_path / "outside.json"
    outside.write_text("[1, 2, 3]")
    os.symlink(outside, home.root / "link.json")
    return home


@pytest.mark.parametrize("name, body, reason", CASES, ids=[c[0] for c in CASES])
def test_bad_request_file_is_rejected_recorded_and_archived(
    tmp_path: Path, name: str, body: Any, reason: str
) -> None:
    home = _home(tmp_path)
    drop(home, f"{name}.json", body)
    with open_runner(home) as runner:
        before = runner.state.last_seq
        assert runner.run_until_idle() == 0
        new = list(runner.recorder.read(after_seq=before))
        assert [r.type for r in new] == ["RequestReceived", "RequestRejected"]
        assert reason in new[1].data["reason"]
        assert "\n" not in new[1].data["reason"]
        request = runner.state.requests[new[0].data["request_id"]]
        assert request.status == "rejected"
        # quarantined: never seen again, never retried
        assert not list(home.requests.iterdir())
        assert len(list(home.quarantine.iterdir())) == 1
        assert not list(home.archive.iterdir())
        assert runner.intake() == []


@pytest.mark.parametrize("name, body, reason", CASES, ids=[c[0] for c in CASES])
def test_cli_refuses_bad_input_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, body: Any, reason: str
) -> None:
    home = _home(tmp_path)
    main(["init", "--home", str(home.root)])
    capsys.readouterr()
    ledger = home.ledger.read_bytes()
    path = tmp_path / f"{name}.json"
    path.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())
    assert main(["submit", str(path), "--home", str(home.root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("watcher: error: ") and err.count("\n") == 1
    if name != "too_big":  # the CLI refuses big files before reading them
        assert reason in err
    assert home.ledger.read_bytes() == ledger
    assert not list(home.requests.iterdir())


def test_duplicate_request_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "a.json", {"kind": "learning_loop", "id": "nightly-1", "dry_run": True})
    drop(home, "b.json", {"kind": "selfplay_retrain", "id": "nightly-1"})
    with open_runner(home) as runner:
        runner.run_until_idle()
        by_name = {r.name: r for r in runner.state.requests.values()}
        first = by_name["a.json"].request_id
        assert by_name["a.json"].status == "planned"
        assert by_name["b.json"].status == "rejected"
        assert by_name["b.json"].reason == (
            f"duplicate request id 'nightly-1': already used by request {first}"
        )
    ledger = home.ledger.read_bytes()
    code = main(["dispatch", "selfplay", "--id", "nightly-1", "--home", str(home.root)])
    assert code == 2
    assert "duplicate request id 'nightly-1'" in capsys.readouterr().err
    assert home.ledger.read_bytes() == ledger


def test_the_same_file_dropped_again_is_a_new_request(tmp_path: Path) -> None:
    """A crash re-delivery is one request (test_intake_faults.py); the same bytes dropped
    again after they were received are a new submission."""
    home = make_home(tmp_path / "home")
    drop(home, "a.json", {"kind": "learning_loop", "dry_run": True})
    with open_runner(home) as runner:
        runner.run_until_idle()
        drop(home, "a.json", {"kind": "learning_loop", "dry_run": True})
        results = runner.intake()
        assert [r.status for r in results] == ["validated"]
        received = [r for r in runner.recorder.read() if r.type == "RequestReceived"]
        assert len(received) == 2
        assert len(list(home.archive.iterdir())) == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["dispatch", "selfplay", "--episodes", "99"], "less than or equal to 50"),
        (["dispatch", "selfplay", "--episodes", "0"], "greater than or equal to 1"),
        (["dispatch", "learning-loop", "3,x"], "scope '3,x'"),
        (["dispatch", "learning-loop", "3,9"], "step 9"),
        (["dispatch", "pipeline-rerun", "--draws", "../../etc/passwd"], "outside the home"),
        (["approve", "run-nope"], "no run 'run-nope'"),
        (["submit", "/no/such/file.json"], "no such file"),
    ],
)
def test_cli_arguments_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    home = make_home(tmp_path / "home")
    main(["init", "--home", str(home.root)])
    capsys.readouterr()
    ledger = home.ledger.read_bytes()
    assert main([*argv, "--home", str(home.root)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert home.ledger.read_bytes() == ledger


def test_commands_need_an_initialised_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["status"], ["daemon", "--once"], ["halt"], ["dispatch", "selfplay"]):
        assert main([*argv, "--home", str(tmp_path / "nothing")]) == 2
        assert "watcher init --home" in capsys.readouterr().err
