"""The WATCHER's ``watcher`` commands, end to end (in-process, and with real daemons)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ledger import read_ledger, verify_ledger

from machine.cli import main
from tests.machine.helpers import PLUGIN, REPO

COMMANDS = [
    ["init"], ["submit"], ["dispatch"], ["dispatch", "selfplay"], ["dispatch", "learning-loop"],
    ["dispatch", "pipeline-rerun"], ["daemon"], ["replay"], ["status"], ["halt"], ["resume"],
    ["approve"], ["machine"],
]


def env(with_fakes: bool = False, **extra: str) -> dict[str, str]:
    out = dict(os.environ)
    path = [str(REPO)] + ([str(PLUGIN)] if with_fakes else [])
    out["PYTHONPATH"] = os.pathsep.join(path + [out.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out.pop("WATCHER_HOME", None)
    # Installed handlers (the real LLM, pipeline steps) are not under test here: with the
    # fakes, only theirs run; without, only the built-ins.
    out["WATCHER_DISABLE_HANDLERS"] = "handlers.*" if with_fakes else "*"
    out.update(extra)
    return out


def watcher(*args: str, with_fakes: bool = False, timeout: float = 60, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "machine.cli", *args], capture_output=True,
                          text=True, env=env(with_fakes, **extra), timeout=timeout, cwd=REPO)


def start_daemon(home: Path, *args: str, with_fakes: bool = False, **extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "machine.cli", "daemon", "--home", str(home),
                             "--poll", "0.05", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env(with_fakes, **extra), cwd=REPO)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # "daemon pid N holds ...": the lock is taken
    assert first.startswith("daemon pid"), first + (proc.stderr.read() if proc.stderr else "")
    return proc


def ledger_types(home: Path) -> list[str]:
    return [r.type for r in read_ledger(home / "ledger.jsonl")]


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _no_installed_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "*")


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "home"
    assert main(["init", "--home", str(root)]) == 0
    capsys.readouterr()
    return root


@pytest.mark.parametrize("argv", COMMANDS, ids=["-".join(c) for c in COMMANDS])
def test_every_command_explains_itself(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: watcher " + " ".join(argv))
    assert len(out.splitlines()) > 4


def test_home_defaults_to_env_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WATCHER_HOME", raising=False)
    assert main(["init"]) == 0
    assert (tmp_path / "watcher-home" / "ledger.jsonl").is_file()
    capsys.readouterr()
    monkeypatch.setenv("WATCHER_HOME", str(tmp_path / "elsewhere"))
    assert main(["init", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["home"] == str(tmp_path / "elsewhere") and out["events"] == 1


def test_init_creates_the_layout_and_is_idempotent(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("ledger.jsonl", "artifacts", "watcher_requests", "archive", "policies.json"):
        assert (home / name).exists()
    assert ledger_types(home) == ["PoliciesSet"]
    assert main(["init", "--home", str(home)]) == 0
    assert "nothing (already initialised)" in capsys.readouterr().out
    assert ledger_types(home) == ["PoliciesSet"]


def test_dry_run_prints_and_records_the_plan(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dispatch", "learning-loop", "steps_3_5_6", "--dry-run", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "plan recorded (DispatchPlanned), nothing consumed" in out
    assert ("units: 3 scoring (GPU: LLM stopped first), 5 training (GPU: LLM stopped first), "
            "6 prediction") in out
    assert ledger_types(home)[1:] == ["RequestReceived", "RequestValidated", "DispatchPlanned"]
    assert main(["dispatch", "selfplay", "--episodes", "7", "--dry-run", "--json", "--home", str(home)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "planned" and result["plan"]["units"][0]["params"]["episodes"] == 7
    assert not any(t.startswith("Step") or t.startswith("LLM") for t in ledger_types(home))


def test_submit_daemon_once_status_replay(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = REPO / "examples" / "requests" / "selfplay_retrain.json"
    assert main(["submit", str(example), "--home", str(home)]) == 0
    assert "queued (selfplay_retrain)" in capsys.readouterr().out
    assert main(["status", "--json", "--home", str(home)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["queue"][0]["kind"] == "selfplay_retrain" and status["next"]["kind"] == "dispatch.start"
    assert main(["daemon", "--once", "--quiet", "--home", str(home)]) == 0
    assert "phase escalated" in capsys.readouterr().out  # no handlers installed: escalated
    assert main(["status", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "escalated: failed: no handler installed for 'selfplay.run'" in out
    run_id = json.loads(json.dumps(status))["queue"][0]["request_id"].replace("rq-", "run-")
    assert f"watcher approve {run_id}" in out
    assert main(["approve", run_id, "--abort", "--home", str(home)]) == 0
    assert main(["daemon", "--once", "--home", str(home)]) == 0
    capsys.readouterr()
    assert main(["replay", str(home), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "clean" and report["runs"] == 1 and report["decisions_checked"] > 10


def test_halt_and_resume_without_a_daemon(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["halt", "--reason", "maintenance", "--home", str(home)]) == 0
    assert main(["dispatch", "learning-loop", "full", "--dry-run", "--home", str(home)]) == 0
    assert "recorded when the machine is resumed" in capsys.readouterr().out
    assert "DispatchPlanned" not in ledger_types(home)
    assert main(["daemon", "--once", "--home", str(home)]) == 0
    assert "0 command(s) run" in capsys.readouterr().out
    assert main(["resume", "--home", str(home)]) == 0
    assert ledger_types(home)[-1] == "DispatchPlanned"  # the dry run got its plan on resume


def test_torn_tail_is_repaired_and_recorded(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(home / "ledger.jsonl", "ab") as fh:
        fh.write(b'{"artifacts":[],"causation_id":null,"da')
    # a write in progress, or a crash's leftovers: reported, not damage
    assert main(["replay", str(home)]) == 0
    assert "incomplete final batch" in capsys.readouterr().out
    assert main(["daemon", "--once", "--home", str(home)]) == 0
    assert "repaired a torn tail" in capsys.readouterr().out
    assert ledger_types(home)[-1] == "LedgerRepaired"
    assert main(["replay", str(home)]) == 0


def test_replay_of_nothing_is_damage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "none.jsonl")]) == 2
    assert "no ledger" in capsys.readouterr().out


def test_running_daemon_takes_requests_and_refuses_a_second(home: Path) -> None:
    (home / "fake_script.json").write_text("{}")  # every fake handler succeeds
    daemon = start_daemon(home, with_fakes=True)
    try:
        second = watcher("daemon", "--once", "--home", str(home), with_fakes=True)
        assert second.returncode == 2
        assert second.stderr.count("\n") == 1 and "one daemon per home" in second.stderr
        handed = watcher("dispatch", "learning-loop", "4,6", "--home", str(home))
        assert handed.returncode == 0 and "handed to the running daemon" in handed.stdout
        wait_for(lambda: "DispatchCompleted" in ledger_types(home))
        status = watcher("status", "--json", "--home", str(home))  # readers need no lock
        assert json.loads(status.stdout)["writer_pid"] == daemon.pid
        assert watcher("halt", "--home", str(home)).stdout.startswith("handed to the running daemon")
        wait_for(lambda: "Halted" in ledger_types(home))
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "daemon stopped by signal" in out
    assert verify_ledger(home / "ledger.jsonl").ok
    assert not list((home / "watcher_requests").iterdir())


def test_sigint_stops_a_busy_daemon_between_appends(home: Path) -> None:
    drop_path = home / "watcher_requests"
    for i in range(3):
        (drop_path / f"{i}.json").write_text(json.dumps({"kind": "pipeline_rerun"}))
    daemon = start_daemon(home, with_fakes=True, WATCHER_FAKE_DELAY="0.2")
    time.sleep(1.5)
    daemon.send_signal(signal.SIGINT)
    out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "stopped by signal" in out and "Traceback" not in err
    report = verify_ledger(home / "ledger.jsonl")
    assert report.ok and report.events > 5


def test_status_follow_prints_new_events(home: Path) -> None:
    follower = subprocess.Popen(
        [sys.executable, "-m", "machine.cli", "status", "--follow", "--json", "--timeout", "8",
         "--home", str(home)], stdout=subprocess.PIPE, text=True, env=env(), cwd=REPO)
    assert follower.stdout is not None
    first = json.loads(follower.stdout.readline())
    assert first["status"]["phase"] == "idle"
    done = watcher("dispatch", "selfplay", "--dry-run", "--home", str(home))
    assert done.returncode == 0
    lines = []
    for line in follower.stdout:
        lines.append(json.loads(line))
        if lines[-1]["type"] == "DispatchPlanned":
            break
    follower.kill()
    follower.communicate()
    assert [x["type"] for x in lines] == ["RequestReceived", "RequestValidated", "DispatchPlanned"]
    assert all(x["phase"] == "idle" for x in lines)


def test_one_line_errors_never_tracebacks(tmp_path: Path) -> None:
    result = watcher("status", "--home", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.startswith("watcher: error: ") and result.stderr.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{\n")  # a complete line that is no record
    result = watcher("replay", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr + result.stdout





def test_two_installed_handlers_for_one_kind_are_refused(home: Path) -> None:
    result = watcher("daemon", "--once", "--home", str(home), with_fakes=True,
                     WATCHER_DISABLE_HANDLERS="")
    installed = subprocess.run([sys.executable, "-c", "from importlib.metadata import entry_points;"
                                "print(len([e for e in entry_points(group='prng_watcher.handlers')"
                                " if e.name == 'llm.start']))"], capture_output=True, text=True,
                               env=env(True), cwd=REPO)
    if installed.stdout.strip() == "1":
        pytest.skip("no other llm.start handler installed beside the test plugin")
    assert result.returncode == 2
    assert "two handlers installed for 'llm." in result.stderr and result.stderr.count("\n") == 1
