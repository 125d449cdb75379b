"""The home folder: where one WATCHER keeps its ledger, artifacts, requests and policies.

::

    <home>/ledger.jsonl        the ledger (the only source of truth)
    <home>/ledger.jsonl.lock   the single writer's lock (holds its pid)
    <home>/ledger.jsonl.head   the head witness (the last record's seq and hash)
    <home>/ledger.jsonl.snapshot  the folded state up to a seq (a cache: machine.snapshots)
    <home>/ledger.jsonl.checkpoint  where the writer's verified prefix ends, its ids and index
                               (a cache: ledger.checkpoint)
    <home>/artifacts/          content-addressed artifact store
    <home>/watcher_requests/   drop request files here (write, then rename into place)
    <home>/archive/            request files already received, named <request id>--<name>,
                               and draw files already ingested, named <ingest id>--<name>
    <home>/draws/              drop draw files here for the daemon to ingest (write, then rename)
    <home>/claimed/            request files the daemon took (renamed here before recording)
    <home>/quarantine/         rejected request files, named <request id>--<name>
    <home>/policies.json       the policies (see ``machine.policies``)

``--home`` defaults to ``$WATCHER_HOME``, then ``./watcher-home``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ledger import lock_path_for

from .policies import default_policies_json

__all__ = ["Home", "HOME_ENV", "DEFAULT_HOME", "locate_home", "init_home", "lock_holder"]

HOME_ENV = "WATCHER_HOME"
DEFAULT_HOME = "watcher-home"


@dataclass(frozen=True)
class Home:
    """Paths of one home folder."""

    root: Path

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.jsonl"

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def requests(self) -> Path:
        return self.root / "watcher_requests"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def draws(self) -> Path:
        return self.root / "draws"

    @property
    def claimed(self) -> Path:
        return self.root / "claimed"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def policies(self) -> Path:
        return self.root / "policies.json"

    @property
    def lock(self) -> Path:
        return lock_path_for(self.ledger)

    def require(self) -> "Home":
        """Fail with one clear line if this is not an initialised home folder."""
        if not self.ledger.is_file() or not self.requests.is_dir():
            raise ValueError(
                f"{self.root} is not a watcher home (no ledger.jsonl or watcher_requests/); "
                f"create it with: watcher init --home {self.root}"
            )
        return self


def locate_home(arg: str | os.PathLike[str] | None) -> Home:
    """``--home`` if given, else ``$WATCHER_HOME``, else ``./watcher-home``."""
    raw = arg if arg else os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Home(Path(raw).expanduser().absolute())


def init_home(home: Home) -> list[str]:
    """Create what is missing of a home folder (never overwrites); returns what was created.

    The ledger file itself is created by the first writer (``machine.runner.Runner.open``),
    which also records the policies in force.
    """
    created = []
    if home.root.exists() and not home.root.is_dir():
        raise ValueError(f"{home.root} exists and is not a folder")
    if not home.root.is_dir():
        home.root.mkdir(parents=True)
        created.append("the folder")
    for folder in (
        home.artifacts, home.requests, home.archive, home.draws, home.claimed, home.quarantine
    ):
        if not folder.is_dir():
            folder.mkdir()
            created.append(f"{folder.name}/")
    if not home.policies.exists():
        tmp = home.policies.with_name(".policies.json.tmp")
        with open(tmp, "wb") as fh:
            fh.write(default_policies_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, home.policies)
        # The rename is durable only once the folder is synced.
        fd = os.open(home.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        created.append("policies.json (defaults)")
    return created


def lock_holder(home: Home) -> int | None:
    """The pid written in the writer's lock file when that process is still alive.

    Informational only (readers never take the lock): a pid can be reused.
    """
    try:
        text = home.lock.read_text(encoding="ascii").strip()
        pid = int(text.splitlines()[0]) if text else None
    except (OSError, ValueError, IndexError):
        return None
    if pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid
