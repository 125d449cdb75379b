"""Draw intake is total and bounded, like request intake: whatever lands in ``<home>/draws/``
(a FIFO, a symlink, a folder, a huge sparse file, too many lines, a line or a number too long,
JSON nested too deep, a name too long or not UTF-8, a file that changes while it is read) gets
one outcome: ingested and archived, or rejected with a short reason and moved to
``quarantine/``, and the next file is read. The daemon itself only opens, checks and hashes a
bounded prefix; the parse runs in a worker process it can kill (at a timeout, with a memory
cap), and requests, halts first of all, are taken in while it runs."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ledger import read_ledger

from handlers.history import draw_history
from handlers.ingest import ingest_file
from machine import draw_intake
from machine.draw_intake import MAX_INGEST_DRAWS, MAX_INGEST_LINE_BYTES, INGEST_KIND
from machine.home import Home
from machine.registry import HandlerRegistry
from machine.replay import replay
from machine.requests import MAX_REASON_CHARS
from machine.runner import Runner

from .fakes import hang_or_die
from .helpers import FakeClock, drop, make_home

GOOD = b"5\n6\n7\n"


def _runner(home: Home, ingest: Callable[..., Any] = ingest_file) -> Runner:
    registry = HandlerRegistry({INGEST_KIND: ingest}, use_process_registry=False,
                               use_entry_points=False)
    clock = FakeClock()
    return Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep)


def _quarantined(home: Home) -> dict[bytes, str]:
    """Quarantined entries (raw names) -> the reason recorded beside each."""
    names = os.listdir(os.fsencode(home.quarantine))
    reasons = {n for n in names if n.endswith(b".reason.txt")}
    out = {}
    for name in set(names) - reasons:
        reason = name + b".reason.txt"
        assert reason in reasons, f"{name!r} has no reason beside it"
        out[name] = (home.quarantine / os.fsdecode(reason)).read_text(encoding="utf-8")
    return out


def _sparse(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.truncate(1 << 40)  # 1 TiB of nothing: hashing it whole takes hours


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(path: Path) -> None:
    secret = path.parent.parent / "secret.txt"
    secret.write_text("1\n2\n3\n")  # a valid draw file: following the link would ingest it
    path.symlink_to(secret)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inner.txt").write_bytes(GOOD)


def _bytes(raw: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(raw)


HOSTILE: dict[str, tuple[Callable[[Path], None], str]] = {
    "sparse": (_sparse, "bytes; the limit is"),
    "fifo": (_fifo, "not a regular file (a FIFO)"),
    "link": (_link, "a symbolic link"),
    "folder": (_folder, "not a regular file (a folder)"),
    "many_lines": (_bytes(b"7\n" * (MAX_INGEST_DRAWS + 1)), f"at most {MAX_INGEST_DRAWS:,}"),
    "long_line": (_bytes(b"1" * (MAX_INGEST_LINE_BYTES + 1) + b"\n"), "line 1 is longer than"),
    "huge_number_text": (_bytes(b"9" * 30 + b"\n"), "draws are below 2^64"),
    "huge_number_json": (_bytes(json.dumps({"draws": ["9" * 1_000_000]}).encode()),
                         "expected an integer draw"),
    "deep_json": (_bytes(b"[" * 2000 + b"]" * 2000), "invalid JSON"),
    "empty": (_bytes(b""), "holds no draws"),
    "binary": (_bytes(bytes(range(256)) * 4), "not JSON and not UTF-8 text"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_draw_file_is_quarantined_with_a_short_reason_and_the_next_file_is_read(
    tmp_path: Path, case: str
) -> None:
    make, fragment = HOSTILE[case]
    home = make_home(tmp_path / "home")
    make(home.draws / f"a-{case}.txt")
    (home.draws / "z-good.txt").write_bytes(GOOD)
    began = time.monotonic()
    with _runner(home) as runner:
        runner.run_until_idle()
    assert time.monotonic() - began < 60
    assert os.listdir(home.draws) == []
    [(name, reason)] = _quarantined(home).items()
    assert name.endswith(f"--a-{case}.txt".encode())
    assert fragment in reason, reason
    assert len(reason.strip()) <= MAX_REASON_CHARS and reason.count("\n") == 1
    assert draw_history(home.ledger).values == (5, 6, 7)  # the next file was read
    assert b"secret" not in home.ledger.read_bytes()
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(60)
def test_names_too_long_or_not_utf8_are_ingested_and_archived(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    draws = os.fsencode(home.draws)
    long_name = b"d" * 250 + b".txt"
    for name, body in ((b"\xff\xfe-draws.txt", b"1\n2\n"), (long_name, b"3\n4\n")):
        with open(os.path.join(draws, name), "wb") as fh:
            fh.write(body)
    with _runner(home) as runner:
        runner.run_until_idle()
    assert os.listdir(draws) == []
    assert draw_history(home.ledger).values == (3, 4, 1, 2)  # name order: 'd' < 0xff
    sources = [r.data["source"] for r in read_ledger(home.ledger) if r.type == "DrawIngested"]
    assert sources[1] == "\\xff\\xfe-draws.txt" and sources[0].startswith("dddd")
    archived = os.listdir(os.fsencode(home.archive))
    assert len(archived) == 2 and all(len(n) <= 255 for n in archived)
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(60)
def test_a_file_that_changes_while_it_is_read_is_rejected(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    path = home.draws / "growing.txt"
    path.write_bytes(GOOD)

    def appends_first(command: Any, ctx: Any) -> Any:
        # the writer is still appending when the daemon's read is over
        with open(command.path, "ab") as fh:
            fh.write(b"8\n")
        return ingest_file(command, ctx)

    with _runner(home, appends_first) as runner:
        runner.run_until_idle()
    [reason] = _quarantined(home).values()
    assert "changed while it was read" in reason
    assert draw_history(home.ledger).values == ()


@pytest.mark.timeout(120)
def test_a_halt_dropped_while_a_draw_file_is_parsed_is_recorded_at_once(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    (home.draws / "slow.txt").write_bytes(GOOD)

    def slow(command: Any, ctx: Any) -> Any:
        drop(home, "halt.json", {"kind": "halt", "reason": "while draws are parsed"})
        import ctypes

        ctypes.CDLL(None).usleep(1_500_000)  # a long parse, in C code
        return ingest_file(command, ctx)

    with _runner(home, slow) as runner:
        runner.run_until_idle()
        assert runner.state.halted
    seq = {r.type: r.seq for r in read_ledger(home.ledger)}
    assert seq["Halted"] < seq["DrawIngested"], "the halt waited for the draw file"
    assert draw_history(home.ledger).values == (5, 6, 7)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("what", ["hang", "die"])
def test_a_draw_parse_that_hangs_or_kills_its_process_is_quarantined_and_the_daemon_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    monkeypatch.setattr(draw_intake, "INGEST_TIMEOUT_S", 1.0)
    home = make_home(tmp_path / "home")
    (home.draws / "a-bad.txt").write_bytes(b"1\n")
    (home.draws / "b-good.txt").write_bytes(GOOD)

    def fatal(command: Any, ctx: Any) -> Any:
        if command.source == "a-bad.txt":
            hang_or_die(what)  # in the daemon's own process, this hung or killed it
        return ingest_file(command, ctx)

    began = time.monotonic()
    with _runner(home, fatal) as runner:
        runner.run_until_idle()
    assert time.monotonic() - began < 30
    [(name, reason)] = _quarantined(home).items()
    assert name.endswith(b"--a-bad.txt")
    assert ("timeout of 1 s" if what == "hang" else "SIGKILL") in reason, reason
    assert draw_history(home.ledger).values == (5, 6, 7)
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(60)
def test_a_stop_while_a_draw_file_is_parsed_leaves_it_for_the_next_start(tmp_path: Path) -> None:
    import threading

    home = make_home(tmp_path / "home")
    (home.draws / "slow.txt").write_bytes(GOOD)
    stop = threading.Event()

    def stuck(command: Any, ctx: Any) -> Any:
        hang_or_die("hang")

    with _runner(home, stuck) as runner:
        threading.Timer(0.5, stop.set).start()
        runner.run_until_idle(stop=stop)
    assert os.listdir(home.draws) == ["slow.txt"] and os.listdir(home.quarantine) == []
    with _runner(home) as runner:
        runner.run_until_idle()
    assert draw_history(home.ledger).values == (5, 6, 7)


@pytest.mark.timeout(60)
def test_a_draw_parse_is_held_to_its_memory_cap(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draw_intake, "INGEST_MEMORY_BYTES", 64 << 20)
    home = make_home(tmp_path / "home")
    (home.draws / "a-greedy.txt").write_bytes(b"1\n")
    (home.draws / "b-good.txt").write_bytes(GOOD)

    def greedy(command: Any, ctx: Any) -> Any:
        if command.source == "a-greedy.txt":
            hoard = bytearray(512 << 20)  # a parse that would take the machine's memory
            hoard[-1] = 1
        return ingest_file(command, ctx)

    with _runner(home, greedy) as runner:
        runner.run_until_idle()
    [(name, reason)] = _quarantined(home).items()
    assert name.endswith(b"--a-greedy.txt") and "MemoryError" in reason, reason
    assert draw_history(home.ledger).values == (5, 6, 7)


DRAW_FILES = {"a.txt": b"1\n2\n3\n", "b.txt": b"x\n",
              "c.txt": b'{"ts": "2026-11-24T16:00:00Z", "draw": 9}\n'}


def _crash_workload(root: Path, at: int, mode: str) -> tuple[tuple[Any, ...], bool, int]:
    """Three draw files (one bad) and a halt, taken in with a fault at file operation ``at``
    (0: none), then by a restarted runner; the outcome, whether the fault fired, and how many
    file operations the first runner made."""
    from ledger import LedgerError, verify_ledger

    from .crashpoints import Crash, inject

    home = make_home(root)
    for name, body in DRAW_FILES.items():
        (home.draws / name).write_bytes(body)
    drop(home, "halt.json", {"kind": "halt"})

    def runner() -> Runner:  # inline: every file operation is this process's, to inject into
        registry = HandlerRegistry({INGEST_KIND: ingest_file}, use_process_registry=False,
                                   use_entry_points=False)
        clock = FakeClock()
        return Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep,
                           isolation="inline")

    fired = False
    try:
        with inject(at, mode) as counts:
            with runner() as first:
                first.run_until_idle()
    except (Crash, OSError, LedgerError):
        fired = True
    with runner() as second:
        second.run_until_idle()
        halted = second.state.halted
    assert os.listdir(home.draws) == []
    assert verify_ledger(home.ledger).ok and replay(home.root).exit_code == 0
    filed = sorted(n.split("--", 1)[1] for n in os.listdir(home.archive)
                   if not n.startswith("rq-") and not n.endswith(".reason.txt"))
    quarantined = sorted(n.split("--", 1)[1] for n in os.listdir(home.quarantine)
                         if not n.endswith(".reason.txt"))
    history = draw_history(home.ledger)
    return (halted, history.values, history.timestamps, filed, quarantined), fired, \
        sum(counts.values())


@pytest.mark.timeout(300)
def test_a_crash_at_any_file_operation_of_draw_intake_ends_like_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    from .crashpoints import MODES

    expected, _, ops = _crash_workload(tmp_path / "baseline", 0, "before")
    assert expected[:2] == (True, (1, 2, 3, 9)) and expected[4] == ["b.txt"]
    fired = 0
    for mode in MODES:
        for at in range(1, ops + 1):
            got, hit, _ = _crash_workload(tmp_path / f"{mode}-{at}", at, mode)
            assert got == expected, (mode, at)
            fired += hit
    # (a few faults are absorbed where they may be: a fold snapshot is a cache)
    assert fired > len(MODES) * ops * 0.8, (fired, ops)


@pytest.mark.timeout(180)
def test_a_process_that_loaded_native_runtimes_parses_draws_in_a_fresh_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a fork is unsafe (an OpenMP or GPU runtime loaded: ``machine.watchdog``), the
    installed ingest handler runs in a fresh interpreter, with the same memory cap."""
    import types

    from machine.watchdog import HandlerWorker

    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "step.*,llm.*,selfplay.*,chapter13.*,policy.*")
    spawned: list[list[str]] = []
    real_spawn = HandlerWorker._spawn

    def spy(self: HandlerWorker, *args: Any) -> Any:
        spawned.append([str(self._fresh_home), str(self._memory_bytes)])
        return real_spawn(self, *args)

    monkeypatch.setattr(HandlerWorker, "_spawn", spy)
    home = make_home(tmp_path / "home")
    (home.draws / "good.txt").write_bytes(GOOD)
    clock = FakeClock()
    with Runner.open(home, registry=HandlerRegistry(), clock=clock, sleep=clock.sleep) as runner:
        runner.run_until_idle(max_commands=0)
    assert spawned == [[str(home.root), str(draw_intake.INGEST_MEMORY_BYTES)]]
    assert draw_history(home.ledger).values == (5, 6, 7)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(
        st.sampled_from(["draw", "draws", "ts", "date", "session", "x"]), inner, max_size=4),
    max_leaves=20,
)
_BODIES = st.one_of(
    st.binary(max_size=600),
    st.lists(st.integers(min_value=-3, max_value=2**66), max_size=20).map(
        lambda xs: "".join(f"{x}\n" for x in xs).encode()),
    _JSON.map(lambda value: json.dumps(value).encode()),
    st.lists(_JSON, max_size=5).map(lambda xs: "".join(json.dumps(x) + "\n" for x in xs).encode()),
)
_NAMES = st.binary(min_size=1, max_size=250).filter(
    lambda n: b"/" not in n and b"\0" not in n and not n.startswith(b"."))


@pytest.mark.timeout(300)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=_NAMES, body=_BODIES)
def test_any_draw_file_gets_exactly_one_outcome(tmp_path_factory: pytest.TempPathFactory,
                                                name: bytes, body: bytes) -> None:
    home = make_home(tmp_path_factory.mktemp("home") / "home")
    with open(os.path.join(os.fsencode(home.draws), name), "wb") as fh:
        fh.write(body)
    registry = HandlerRegistry({INGEST_KIND: ingest_file}, use_process_registry=False,
                               use_entry_points=False)
    clock = FakeClock()
    with Runner.open(home, registry=registry, clock=clock, sleep=clock.sleep,
                     isolation="inline") as runner:  # inline: fast enough for many examples
        runner.run_until_idle(max_commands=0)
    assert os.listdir(home.draws) == []
    archived = os.listdir(os.fsencode(home.archive))
    quarantined = _quarantined(home)
    assert len(archived) + len(quarantined) == 1
    ingested = [r for r in read_ledger(home.ledger) if r.type == "DrawIngested"]
    assert len(ingested) == (1 if archived else 0)
    for reason in quarantined.values():
        assert len(reason.strip()) <= MAX_REASON_CHARS and reason.count("\n") == 1
    assert replay(home.root).exit_code == 0


@pytest.mark.timeout(60)
def test_a_file_removed_while_it_is_parsed_does_not_stop_the_daemon(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    (home.draws / "a-gone.txt").write_bytes(GOOD)
    (home.draws / "b-next.txt").write_bytes(b"8\n")

    def removes_it(command: Any, ctx: Any) -> Any:
        events = ingest_file(command, ctx)
        if command.source == "a-gone.txt":
            os.unlink(command.path)  # its writer took it back meanwhile
        return events

    with _runner(home, removes_it) as runner:
        runner.run_until_idle()
    assert os.listdir(home.draws) == [] and _quarantined(home) == {}
    assert draw_history(home.ledger).values == (5, 6, 7, 8)
