"""Intake under crashes and hostile files: every file gets exactly one outcome, nothing blocks.

A request file is claimed (renamed into ``claimed/``) before anything is recorded, so a crash
re-delivery is recognised by its claim, and the same bytes dropped again later are a new
request. Any file at all (a name too long to archive, a name that is not UTF-8, a reason
longer than the ledger takes, JSON nested too deep, an unreadable file, a symlink, a FIFO, a
folder, a huge sparse file) becomes ``RequestReceived`` + ``RequestRejected`` with a short
reason and is moved to ``quarantine/``; the next file is read. A rejected request's payload is
never recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ledger import read_ledger, verify_ledger, witness_path_for

from machine.home import Home

from .helpers import drop, make_home, open_runner


def _received(home: Home) -> list[Any]:
    return [r for r in read_ledger(home.ledger) if r.type == "RequestReceived"]


def test_a_halt_survives_its_batch_cut_after_the_first_line(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "halt.json", {"kind": "halt", "reason": "stop"})
    with open_runner(home) as runner:
        before = home.ledger.stat().st_size
        runner.intake()
        assert runner.state.halted
    raw = home.ledger.read_bytes()
    # a power loss inside the intake batch: RequestReceived survived, its verdict did not
    cut = raw.index(b"\n", before) + 1 + 10
    home.ledger.write_bytes(raw[:cut])
    witness_path_for(home.ledger).unlink()
    (archived,) = list(home.archive.iterdir())
    os.replace(archived, home.requests / archived.name.split("--", 1)[1])
    with open_runner(home) as runner:
        runner.run_until_idle()
        assert runner.state.halted
        statuses = {r.status for r in runner.state.requests.values()}
        assert statuses == {"applied"}
    assert replay_ok(home)


def replay_ok(home: Home) -> bool:
    from machine.replay import replay

    return replay(home.root).exit_code == 0


def test_the_same_halt_file_dropped_again_is_a_new_halt(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    lines: list[str] = []
    with open_runner(home) as runner:
        runner.log = lines.append
        drop(home, "halt.json", {"kind": "halt"})
        runner.intake()
        drop(home, "resume.json", {"kind": "resume"})
        runner.intake()
        assert not runner.state.halted
        drop(home, "halt.json", {"kind": "halt"})
        runner.intake()
        assert runner.state.halted
    assert [r.data["name"] for r in _received(home)] == ["halt.json", "resume.json", "halt.json"]
    assert len(list(home.archive.iterdir())) == 3  # nothing overwritten


class _Crash(BaseException):
    """Stands for the process dying at this point."""


def test_a_crash_redelivery_is_one_request_and_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "halt.json", {"kind": "halt"})

    def crash(*_args: Any) -> None:
        raise _Crash()

    with open_runner(home) as runner:
        # the crash comes after the append, before the claimed file is filed away
        monkeypatch.setattr(runner, "_file_away", crash)
        with pytest.raises(_Crash):
            runner.intake()
    assert len(list(home.claimed.iterdir())) == 1
    lines: list[str] = []
    with open_runner(home) as runner:
        runner.log = lines.append
        results = runner.intake()
        assert runner.state.halted
    assert [r.status for r in results] == ["duplicate"]
    assert len(_received(home)) == 1
    assert any("already recorded" in line for line in lines)
    assert not list(home.claimed.iterdir()) and len(list(home.archive.iterdir())) == 1


def _hostile(home: Home) -> dict[str, str]:
    """Drop one of each hostile file; returns name -> expected words in its reason."""
    req = os.fsencode(home.requests)
    expected: dict[str, str] = {}
    long_name = "l" * 245 + ".json"
    drop(home, long_name, {"kind": "halt", "extra": 1})
    expected[long_name] = "unknown field"
    odd = b"\xff\xfe-odd.json"
    with open(os.path.join(req, odd), "wb") as fh:
        fh.write(b'{"kind": "resume", "colour": 1}')
    expected[os.fsdecode(odd)] = "unknown field"
    drop(home, "b-kind.json", {"kind": "x" * 5000})
    expected["b-kind.json"] = "unknown kind"
    drop(home, "c-deep.json", b"[" * 300 + b"]" * 300)
    expected["c-deep.json"] = ""
    drop(home, "d-deep-obj.json", b'{"kind":"halt","note":' + b'{"a":' * 300 + b"1" + b"}" * 301)
    expected["d-deep-obj.json"] = ""
    os.mkdir(home.requests / "e-folder.json")
    expected["e-folder.json"] = "not a regular file"
    os.mkfifo(home.requests / "f-fifo.json")
    expected["f-fifo.json"] = "not a regular file"
    secret = home.root.parent / "credentials.json"
    secret.write_text(json.dumps({"kind": "halt", "token": "SECRET-TOKEN"}))
    os.symlink(secret, home.requests / "g-link.json")
    expected["g-link.json"] = "symbolic link"
    with open(home.requests / "h-sparse.json", "wb") as fh:
        fh.truncate(8 << 30)
    expected["h-sparse.json"] = "limit"
    drop(home, "i-secret.json", {"kind": "learning_loop", "password": "hunter2-SECRET"})
    expected["i-secret.json"] = "unknown field"
    drop(home, "zz-halt.json", {"kind": "halt", "reason": "after the bad ones"})
    expected["zz-halt.json"] = ""
    return expected


def test_hostile_files_are_rejected_quarantined_and_the_halt_after_them_holds(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path / "home")
    expected = _hostile(home)
    started = time.monotonic()
    with open_runner(home) as runner:
        runner.run_until_idle()
        assert runner.state.halted and runner.state.halt_reason == "after the bad ones"
    assert time.monotonic() - started < 20  # the sparse file was not read
    raw = home.ledger.read_bytes()
    assert b"SECRET" not in raw
    assert not list(home.requests.iterdir()) and not list(home.claimed.iterdir())
    records = list(read_ledger(home.ledger))
    by_id = {r.data["request_id"]: r for r in records if r.type == "RequestRejected"}
    names = {}
    for r in records:
        if r.type == "RequestReceived":
            names[r.data["name"]] = by_id.get(r.data["request_id"])
    assert len(names) == len(expected)
    for name, words in expected.items():
        # a name too long to carry a claim prefix is recorded cut (the file keeps the rest)
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")[:200]
        (recorded,) = [n for n in names if n.startswith(shown)]
        verdict = names[recorded]
        if words:
            assert verdict is not None and words in verdict.data["reason"], (name, verdict)
        if verdict is not None:
            assert len(verdict.data["reason"]) <= 1000
    quarantined = len(list(home.quarantine.iterdir()))
    assert quarantined == sum(1 for v in names.values() if v is not None)
    assert verify_ledger(home.ledger).ok


def test_an_unreadable_file_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = make_home(tmp_path / "home")
    drop(home, "a-locked.json", {"kind": "halt"})
    drop(home, "b-halt.json", {"kind": "halt", "reason": "second"})
    real_open = os.open

    def guarded(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("a-locked.json") and not flags & os.O_DIRECTORY:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    with open_runner(home) as runner:
        monkeypatch.setattr(os, "open", guarded)
        runner.intake()
        monkeypatch.undo()
        rejected = [r for r in runner.state.requests.values() if r.status == "rejected"]
        assert [r.name for r in rejected] == ["a-locked.json"]
        assert "Permission denied" in (rejected[0].reason or "")
        assert runner.state.halted and runner.state.halt_reason == "second"


names = st.text(
    st.characters(blacklist_characters="/\0", blacklist_categories=["Cs"]), min_size=1, max_size=80
).filter(lambda n: not n.startswith(".") and len(n.encode()) < 200)
bodies = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
        lambda kids: st.one_of(st.lists(kids, max_size=4),
                               st.dictionaries(st.text(max_size=8), kids, max_size=4)),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode()),
    st.sampled_from(["halt", "resume", "approve", "learning_loop", "x"]).map(
        lambda k: json.dumps({"kind": k, "note": "\x1b]52;c;SGVsbG8=\x07"}).encode()
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(names, bodies), min_size=1, max_size=6,
                      unique_by=lambda f: f[0] + ".json"))
def test_intake_is_total_on_any_files(tmp_path: Path, files: list[tuple[str, bytes]]) -> None:
    root = tmp_path / f"h{time.monotonic_ns()}"
    home = make_home(root)
    try:
        for name, body in files:
            with open(home.requests / f"{name}.json", "wb") as fh:
                fh.write(body)
        with open_runner(home) as runner:
            runner.run_until_idle(max_commands=0)
        assert not list(home.requests.iterdir())
        assert len(_received(home)) == len(files)
        assert verify_ledger(home.ledger).ok
    finally:
        shutil.rmtree(root)
    assert stat.S_ISDIR(os.stat(tmp_path).st_mode)


def test_a_big_request_cannot_become_a_big_ledger(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    params = {f"p{i}": "v" * 28_000 for i in range(32)}  # ~900 KB, under the file limit
    drop(home, "big.json", {"kind": "pipeline_rerun", "params": params})
    before = home.ledger.stat().st_size
    with open_runner(home) as runner:
        runner.run_until_idle()
    grown = home.ledger.stat().st_size - before
    assert grown < 64 * 1024, f"a 900 KB request became {grown} bytes of ledger"
