"""The runner: the loop that turns decisions into recorded events (the daemon's body).

Each turn: take in request files (each becomes exactly one ``RequestReceived``, then is
archived), ``decide`` on the folded state, execute the command (a built-in, or a handler from
the registry), append its events, fold them in. The live state is always the fold of the
ledger: the runner folds what the ledger returns as newly stored, nothing else.

Crash safety, by construction: request ids derive from file name and bytes, command ids from
the state, event ids from the command id; a file seen again after a crash is recognised and
only archived, and a command re-executed after a crash appends nothing new (idempotent append).
A torn last line is repaired when the ledger is opened and recorded as ``LedgerRepaired``.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

from ledger import (
    ArtifactStore,
    EventRejected,
    LedgerError,
    JsonlRecorder,
    NewEvent,
    Record,
    Recorder,
    format_ts,
    parse_ts,
)

from .commands import BUILTIN_KINDS, Command
from .decide import decide
from .draw_intake import ingest_dropped_draws
from .events import (
    Approved,
    CommandInterrupted,
    CommandStarted,
    EventModel,
    Halted,
    LedgerRepaired,
    PoliciesSet,
    RequestReceived,
    RequestRejected,
    RequestValidated,
    Resumed,
    new_event,
    validate_event,
)
from .fold import FoldError, evolve, fold
from .home import Home
from .policies import Policies, load_policies, policies_sha256
from .registry import (
    HandlerContext,
    HandlerError,
    HandlerRegistry,
    builtin_events,
    checked_events,
    fallback_events,
    missing_handler_events,
)
from .requests import (
    ApproveRequest,
    HaltRequest,
    RequestError,
    ResumeRequest,
    bounded_reason,
    check_request,
    parse_request_bytes,
    read_request_file,
    request_id_for,
)
from .snapshots import SNAPSHOT_EVERY, SnapshotRefused, read_snapshot, write_snapshot
from .state import State
from .watchdog import HandlerOutcome, HandlerWorker, fork_is_safe

#: A command started this many times without finishing (its handler took the process down
#: each time) is recorded as failed instead of being started again.
MAX_UNFINISHED_STARTS = 3

__all__ = ["Runner", "IntakeResult", "Isolation", "MAX_UNFINISHED_STARTS", "utc_now"]

#: Where external handlers run: ``process``, in a worker the daemon can kill at the command's
#: timeout (``machine.watchdog``); ``inline``, in the daemon's own process, with no timeout
#: (tests that watch a handler's objects from outside, embedding that wants no fork).
Isolation = Literal["process", "inline"]


def utc_now() -> str:
    """The current time in the ledger's format (the runner's default clock)."""
    return format_ts(datetime.now(timezone.utc))


@dataclass(frozen=True)
class IntakeResult:
    """What became of one request file."""

    name: str
    request_id: str
    status: str  # validated | rejected | applied | duplicate (recorded before a restart) | vanished
    reason: str | None = None


class Runner:
    """Owns the writer side of one ledger: intake, decide, execute, append, fold."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        home: Home | None = None,
        registry: HandlerRegistry | None = None,
        clock: Callable[[], str] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
        isolation: Isolation = "process",
    ) -> None:
        if isolation not in ("process", "inline"):
            raise ValueError(f"isolation must be 'process' or 'inline', not {isolation!r}")
        self.recorder = recorder
        self.isolation: Isolation = isolation
        self._worker: HandlerWorker | None = None
        self.home = home
        self.registry = registry if registry is not None else HandlerRegistry()
        self.clock = clock
        self.sleep = sleep
        self.log = log or (lambda _line: None)
        self.artifacts = ArtifactStore(home.artifacts) if home is not None else None
        self.state = State()
        # command id -> how many times it was started without finishing (CommandStarted with
        # no later event of that command); only commands in flight, so it stays tiny.
        self._unfinished: dict[str, int] = {}
        self._snapshot_seq = self._from_snapshot()
        for record in recorder.read(after_seq=self.state.last_seq):
            evolve(self.state, record)
            self._track(record)
        self._policies_mtime: float | None = None

    def _from_snapshot(self) -> int:
        """Start from the snapshot beside the ledger when every key holds (see
        ``machine.snapshots``); the seq it was folded up to, -1 without one."""
        if self.home is None or not isinstance(self.recorder, JsonlRecorder):
            return -1
        try:
            snapshot = read_snapshot(self.home.ledger)
            if snapshot is None:
                return -1
            if self.recorder.hash_at(snapshot.seq) != snapshot.hash:
                raise SnapshotRefused(f"this ledger's record {snapshot.seq} is not the one it "
                                      "was folded up to")
        except SnapshotRefused as refused:
            self.log(f"fold snapshot ignored: {refused}; folding the ledger from the start")
            return -1
        self.state = snapshot.state
        self._unfinished = dict(snapshot.unfinished)
        return snapshot.seq

    def save_snapshot(self) -> bool:
        """Save the folded state beside the ledger (``machine.snapshots``) if
        :data:`SNAPSHOT_EVERY` events were appended since the last one; whether it did."""
        if self.home is None or not isinstance(self.recorder, JsonlRecorder):
            return False
        seq = self.state.last_seq
        if seq < 0 or seq - self._snapshot_seq < SNAPSHOT_EVERY:
            return False
        try:
            write_snapshot(self.home.ledger, seq, self.recorder.last_hash(), self.state,
                           self._unfinished)
        except OSError as error:  # a cache: the ledger is what counts
            self.log(f"fold snapshot not written: {error}")
            return False
        self._snapshot_seq = seq
        return True

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, home: Home, **kwargs: Any) -> "Runner":
        """Open ``home``'s ledger for writing (``LedgerLocked`` if another writer holds it),
        record a torn-tail repair, and record the policies if they changed."""
        for folder in (home.requests, home.archive, home.claimed, home.quarantine):
            folder.mkdir(parents=True, exist_ok=True)
        registry = kwargs.get("registry")
        if registry is not None:
            registry.check()
        else:
            kwargs["registry"] = HandlerRegistry()
            kwargs["registry"].check()  # an ambiguous installation refuses to start
        recorder = JsonlRecorder(home.ledger, validator=validate_event)
        try:
            runner = cls(recorder, home=home, **kwargs)
            assert runner.artifacts is not None
            # Holding the ledger's lock, this is the store's only writer: a crash's partial
            # blobs can go.
            if runner.artifacts.remove_leftovers():
                runner.log("removed temporary artifact files left by an interrupted write")
            if recorder.checkpoint_note is not None:
                runner.log(f"ledger {recorder.checkpoint_note}")
            if recorder.repair is not None:
                runner.record_repair(
                    recorder.repair.truncated_bytes, recorder.repair.at_seq, recorder.repair.detail
                )
            runner.ensure_policies()
        except BaseException:
            recorder.close()
            raise
        return runner

    def close(self) -> None:
        """Stop the handler worker, if any, and release the ledger (and its lock)."""
        try:
            if self._worker is not None:
                self._worker.close()
            self.save_snapshot()
        finally:
            self.recorder.close()

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- appending -----------------------------------------------------------------------

    def append(self, events: Iterable[NewEvent]) -> list[Record]:
        """Append a batch and fold what was newly stored into the live state.

        The records are folded just before they are written: a batch the fold refuses
        (``FoldError``) is never stored, so the ledger can always be replayed, and no copy of
        the state is needed to find that out. A refused or failed batch leaves the live state
        folded afresh from the ledger (rare: a handler's bug, a full disk).
        """
        folded: list[Record] = []

        def fold_first(records: list[Record]) -> None:
            for record in records:
                folded.append(record)
                evolve(self.state, record)

        try:
            records = self.recorder.append(list(events), before_write=fold_first)
        except BaseException:
            if folded:
                self._refold()
            raise
        for record in records:
            self._track(record)
        return records

    def _refold(self) -> None:
        """The live state folded again from the ledger (after a batch it may hold was not
        stored)."""
        state = State()
        for record in self.recorder.read():
            evolve(state, record)
        self.state = state

    def _track(self, record: Record) -> None:
        cause = record.causation_id
        if record.type == "CommandStarted":
            self._unfinished[record.data["command_id"]] = record.data["start"]
        elif record.type == "CommandInterrupted":
            # An orderly stop ended that start: it does not count.
            command_id, left = record.data["command_id"], record.data["start"] - 1
            if left > 0:
                self._unfinished[command_id] = left
            else:
                self._unfinished.pop(command_id, None)
        elif cause is not None and cause in self._unfinished:
            del self._unfinished[cause]

    def _event(self, payload: EventModel, event_id: str, run_id: str | None = None) -> NewEvent:
        return new_event(payload, id=event_id, ts=self.clock(), run_id=run_id)

    def record_repair(self, truncated_bytes: int, at_seq: int, detail: str) -> None:
        """Record a torn-tail repair the ledger did when it was opened."""
        self.log(f"repaired a torn tail at seq {at_seq}: {truncated_bytes} bytes cut ({detail})")
        stamp = self.clock()
        event_id = f"repair-{at_seq}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"
        payload = LedgerRepaired(truncated_bytes=truncated_bytes, at_seq=at_seq, detail=detail)
        self.append([new_event(payload, id=event_id, ts=stamp)])

    def ensure_policies(self, policies: Policies | None = None, source: str | None = None) -> bool:
        """Record ``PoliciesSet`` when the policies in force differ from the recorded ones.

        Without arguments, reads ``policies.json`` of the home (defaults if it is missing).
        Returns whether an event was appended.
        """
        file_sha: str | None = None
        if policies is None:
            if self.home is None:
                policies, source = Policies(), "defaults"
            else:
                try:
                    self._policies_mtime = self.home.policies.stat().st_mtime
                except OSError:
                    self._policies_mtime = None
                try:
                    policies, file_sha = load_policies(self.home.policies)
                except ValueError as error:
                    # A bad file (an editor truncating before it writes, a typo) must never
                    # block a halt: keep what is recorded, and say what is wrong.
                    recorded = self.state.policies_sha256
                    kept = (
                        f"the recorded policies {recorded[:12]} are kept"
                        if recorded else "no policies recorded yet: nothing is dispatched"
                    )
                    self.log(f"policies.json is not valid ({bounded_reason(str(error))}); {kept}")
                    return False
                source = "file:policies.json" if file_sha else "defaults"
        sha = policies_sha256(policies)
        if sha == self.state.policies_sha256:
            return False
        payload = PoliciesSet(
            policies=policies, sha256=sha, source=source or "api", source_sha256=file_sha
        )
        # The id names the position too: going back to earlier policies is a new event.
        event_id = f"policies-{sha[:16]}-at-{self.state.last_seq + 1}"
        self.append([self._event(payload, event_id)])
        self.log(f"policies {sha[:12]} in force ({payload.source})")
        return True

    def _policies_changed(self) -> bool:
        if self.home is None:
            return False
        try:
            mtime: float | None = self.home.policies.stat().st_mtime
        except OSError:
            mtime = None
        return mtime != self._policies_mtime

    # --- intake --------------------------------------------------------------------------

    def pending_files(self) -> list[Path]:
        """Entries waiting in ``watcher_requests/`` named ``*.json`` (dot-files are writes in
        progress). Anything so named is taken, whatever it is: a folder, a link or a FIFO is
        rejected and quarantined rather than left to block the queue."""
        if self.home is None:
            return []
        return _entries(self.home.requests, lambda name: name.endswith(".json"))

    def intake(self) -> list[IntakeResult]:
        """Receive every waiting request file: first any claimed before a crash, then the
        waiting ones in name order, one at a time."""
        if self.home is None:
            return []
        results = [self._receive(path) for path in _entries(self.home.claimed, _is_claim)]
        for path in self.pending_files():
            results.append(self.intake_file(path))
        return results

    def intake_file(self, path: Path) -> IntakeResult:
        """Claim one request file, record ``RequestReceived`` + its verdict, then archive it
        (or quarantine it when rejected).

        The claim renames the file into ``claimed/`` under ``<claim>--<name>``, where the claim
        is the seq the ledger will give its first event. The request id derives from the claim,
        so a file claimed before a crash is the same request when picked up again, and the same
        bytes dropped again later are a new one.
        """
        assert self.home is not None
        claim = f"c{self.state.last_seq + 1:09d}"
        self.home.claimed.mkdir(parents=True, exist_ok=True)
        target = self.home.claimed / _fit(f"{claim}--", os.fsencode(path.name))
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return IntakeResult(_shown(path.name), "", "vanished", "removed before it was taken")
        _sync_dirs(path.parent, target.parent)
        return self._receive(target)

    def _receive(self, path: Path) -> IntakeResult:
        assert self.home is not None
        claim, _sep, raw_name = path.name.partition("--")
        name = _shown(raw_name)
        found = read_request_file(path)
        request_id = request_id_for(name, found.sha256, claim)
        known = self.state.requests.get(request_id)
        if known is not None or f"{request_id}/received" in self.recorder:
            # Claimed and recorded before a crash: only the move is left to do. (A finished
            # request may have left the state: the ledger's ids still know it.)
            rejected = f"{request_id}/rejected" in self.recorder
            shown = known.status if known is not None else "rejected" if rejected else "finished"
            self.log(
                f"request {request_id} ({name}): already recorded before a restart "
                f"({shown}); filed, not received again"
            )
            self._file_away(path, request_id, rejected)
            return IntakeResult(name, request_id, "duplicate", "already recorded")
        spec: Any = None
        extra: list[tuple[EventModel, str | None]] = []
        try:
            if found.problem is not None or found.raw is None:
                raise RequestError(found.problem or "not read")
            _payload, spec = parse_request_bytes(found.raw)
            spec = check_request(spec, home=self.home.root, state=self.state)
            verdict: EventModel = RequestValidated(
                request_id=request_id, request=spec.model_dump(mode="json")
            )
            extra = self._control_events(spec, request_id)
            status = "applied" if extra else "validated"
            reason = None
        except Exception as error:  # intake is total: any failure is this file's rejection
            reason = bounded_reason(
                str(error) if isinstance(error, RequestError)
                else f"cannot be read as a request ({type(error).__name__}: {error})"
            )
            verdict = RequestRejected(request_id=request_id, reason=reason)
            status = "rejected"
        # Only a request that passed validation has its payload recorded (its normalised
        # form): a rejected file may be anything, a secret the daemon could read included.
        payload = spec.model_dump(mode="json", exclude_defaults=True) if reason is None else None
        received = RequestReceived(
            request_id=request_id, source="file", name=name, sha256=found.sha256,
            bytes=found.size, payload=payload,
        )
        events = [
            self._event(received, f"{request_id}/received"),
            self._event(verdict, f"{request_id}/{'rejected' if reason else 'validated'}"),
        ]
        events += [self._event(p, f"{request_id}/applied", run_id) for p, run_id in extra]
        try:
            self.append(events)
        except EventRejected as error:
            # What the ledger cannot store is recorded as a rejection without it.
            received = received.model_copy(update={"payload": None})
            reason = bounded_reason(f"request cannot be recorded: {error}")
            verdict = RequestRejected(request_id=request_id, reason=reason)
            status = "rejected"
            self.append(
                [
                    self._event(received, f"{request_id}/received"),
                    self._event(verdict, f"{request_id}/rejected"),
                ]
            )
        self._file_away(path, request_id, status == "rejected")
        self.log(f"request {request_id} ({name}): {status}" + (f": {reason}" if reason else ""))
        return IntakeResult(name, request_id, status, reason)

    def _control_events(self, spec: Any, request_id: str) -> list[tuple[EventModel, str | None]]:
        if isinstance(spec, HaltRequest):
            return [(Halted(reason=spec.reason or "halted by request", request_id=request_id), None)]
        if isinstance(spec, ResumeRequest):
            return [(Resumed(reason=spec.reason, request_id=request_id), None)]
        if isinstance(spec, ApproveRequest):
            approved = Approved(
                run_id=spec.run_id, action=spec.action, request_id=request_id, note=spec.note
            )
            return [(approved, spec.run_id)]
        return []

    def _file_away(self, path: Path, request_id: str, rejected: bool) -> None:
        """Move a received file to ``archive/`` (or ``quarantine/``), never over another."""
        assert self.home is not None
        folder = self.home.quarantine if rejected else self.home.archive
        folder.mkdir(parents=True, exist_ok=True)
        raw_name = os.fsencode(path.name).partition(b"--")[2]
        base = _fit(f"{request_id}--", raw_name)
        target = folder / base
        n = 1
        while os.path.lexists(target):
            target = folder / _fit(f"{request_id}-{n}--", raw_name)
            n += 1
        os.rename(path, target)
        _sync_dirs(path.parent, folder)

    # --- executing -----------------------------------------------------------------------

    def next_command(self) -> Command | None:
        """What ``decide`` says now."""
        return decide(self.state)

    def _context(self, command: Any) -> HandlerContext:
        return HandlerContext(
            command=command,
            clock=self.clock,
            home=self.home.root if self.home else None,
            artifacts=self.artifacts,
            ledger_path=self.home.ledger if self.home else None,
        )

    def _timeout_for(self, command: Command) -> float:
        """The command's own timeout (every external command carries one, from the
        policies), else the policies' step timeout."""
        timeout = getattr(command, "timeout_s", None)
        if isinstance(timeout, (int, float)) and timeout > 0:
            return float(timeout)
        policies = self.state.policies or Policies()
        return policies.timeouts.step_s

    def _run_handler(
        self, command: Command, stop: threading.Event | None, intake: bool
    ) -> HandlerOutcome:
        """Run the command's handler where :attr:`isolation` says."""
        if self.isolation == "inline":
            handler = self.registry.get(command.kind)
            assert handler is not None  # installed() said so
            try:
                return HandlerOutcome("returned", tuple(handler(command, self._context(command))))
            except Exception as error:  # a handler's exception is a recorded failure
                return HandlerOutcome("raised", detail=f"{type(error).__name__}: {error}")
        if self._worker is None:
            # Handlers given to this process exist only in its memory: a fork reaches them.
            # Installed ones can be served by a fresh interpreter, which a process that has
            # loaded OpenMP or GPU libraries needs (see machine.watchdog).
            installed_only = set(self.registry.describe().values()) <= {"entry point"}
            fresh = installed_only and self.home is not None and not fork_is_safe()
            self._worker = HandlerWorker(
                self.registry.get, self._context, after_fork=self.recorder.forget_in_child,
                fresh_home=str(self.home.root) if fresh and self.home is not None else None,
            )

        def between() -> bool:
            # While the handler runs: a stop ends it; requests (halts first of all) are taken
            # in and recorded at once; a halt lets the running unit finish and nothing after.
            if stop is not None and stop.is_set():
                return True
            if intake:
                self.intake()
            return False

        return self._worker.run(
            command.kind, command, timeout_s=self._timeout_for(command), between=between
        )

    def execute(
        self, command: Command, *, stop: threading.Event | None = None, intake: bool = False
    ) -> list[Record]:
        """Run ``command`` and append its events (a handler failure is recorded, not raised).

        ``stop``: set, it ends a running handler (nothing is recorded; the command runs again
        at the next start). ``intake``: take in request files while a handler runs.
        """
        ctx = self._context(command)
        if command.kind in BUILTIN_KINDS:
            return self.append([ctx.event(p) for p in builtin_events(command)])
        # (describe() names what is installed without importing it: the worker imports.)
        if command.kind not in self.registry.describe():
            events = [ctx.event(p) for p in missing_handler_events(command)]
            return self.append(events)
        last_death = ""
        while True:
            starts = self._unfinished.get(command.id, 0)
            if starts >= MAX_UNFINISHED_STARTS:
                return self._record_failure(
                    command,
                    f"handler for {command.kind!r} was started {starts} times and never "
                    "finished (the process died inside it each time: a native crash, the OOM "
                    "killer, a kill)" + (f"; last: {last_death}" if last_death else ""),
                )
            # Recorded before the effect: a handler that takes the process down with it leaves
            # this behind, and the next start counts it. (The id names the seq: after an
            # interrupted start, the next one has the same number.)
            started = CommandStarted(command_id=command.id, kind=command.kind, start=starts + 1)
            at = self.state.last_seq + 1
            self.append(
                [
                    new_event(
                        started, id=f"{command.id}/start-{starts + 1}-at-{at}", ts=self.clock(),
                        run_id=command.run_id, causation_id=command.id,
                    )
                ]
            )
            outcome = self._run_handler(command, stop, intake)
            if outcome.status == "died":
                last_death = outcome.detail
                self.log(f"handler for {command.kind!r} [{command.id}] died: {outcome.detail}")
                continue
            break
        if outcome.status == "stopped":
            self.log(f"stopped while {command.kind!r} [{command.id}] ran; it runs again at "
                     "the next start (this start does not count as unfinished)")
            interrupted = CommandInterrupted(
                command_id=command.id, kind=command.kind, start=starts + 1,
                reason="stopped with the daemon (an orderly stop: SIGTERM, SIGINT or its "
                       "embedder's stop) while its handler ran; the handler's worker was killed",
            )
            return self.append(
                [
                    new_event(
                        interrupted, ts=self.clock(), run_id=command.run_id,
                        id=f"{command.id}/interrupted-{starts + 1}-at-{self.state.last_seq + 1}",
                        causation_id=command.id,
                    )
                ]
            )
        if outcome.status == "timeout":
            return self._record_failure(
                command, f"handler for {command.kind!r} {outcome.detail} (timeout)"
            )
        if outcome.status == "raised":
            return self._record_failure(
                command, f"handler for {command.kind!r} raised {outcome.detail}"
            )
        try:
            events = checked_events(command, outcome.events)
            if self.isolation == "process":
                # The worker's clock is a copy: the writer's clock stamps what it records.
                events = [e.model_copy(update={"ts": self.clock()}) for e in events]
            # A ledger that cannot store them (a full disk) is not the handler's failure:
            # whether anything was stored is unknown, so this must not record a failure after
            # them; it propagates, and the next start re-verifies the ledger.
            return self._append_or_raise(events)
        except _LedgerTrouble as trouble:
            raise trouble.error from None
        except (HandlerError, FoldError, EventRejected) as error:
            reason = f"handler for {command.kind!r} returned unusable events: {error}"
        except Exception as error:  # whatever its events break is its recorded failure
            reason = (f"handler for {command.kind!r} returned events that could not be "
                      f"checked: {type(error).__name__}: {error}")
        return self._record_failure(command, reason)

    def _append_or_raise(self, events: list[NewEvent]) -> list[Record]:
        try:
            return self.append(events)
        except EventRejected:
            raise
        except (LedgerError, OSError) as error:
            raise _LedgerTrouble(error) from error

    def _record_failure(self, command: Command, reason: str) -> list[Record]:
        """Record that ``command`` failed (its handler's failure events, ``reason`` in them)."""
        reason = bounded_reason(reason, 4000)
        self.log(reason)
        fallback = HandlerContext(command=command, clock=self.clock)
        return self.append(
            [
                fallback.event(p).model_copy(update={"id": f"{command.id}/f{i}"})
                for i, p in enumerate(fallback_events(command, reason))
            ]
        )

    def step(self) -> Command | None:
        """Decide and execute one command; ``None`` when there was nothing to do."""
        command = self.next_command()
        if command is None:
            return None
        self.execute(command)
        return command

    def _wait_until(
        self, command: Command, stop: threading.Event | None, intake: bool = True
    ) -> str:
        """Wait for a command's ``not_before``: "run", "stop" (stopped first) or "decide"
        (requests taken in while waiting changed what is next: a halt, an approval).

        A cooldown can be hours long: requests, halts first of all, are taken in every second
        of it, never only after it.
        """
        ts = command.not_before
        if ts is None:
            return "run"
        while True:
            left = (parse_ts(ts) - parse_ts(self.clock())).total_seconds()
            if left <= 0:
                return "run"
            if stop is not None:
                if stop.wait(min(left, 1.0)):
                    return "stop"
            else:
                self.sleep(min(left, 1.0))
            if intake and self.intake():
                after = self.next_command()
                if after is None or after.id != command.id:
                    return "decide"

    def run_until_idle(
        self,
        *,
        stop: threading.Event | None = None,
        max_commands: int | None = None,
        only: Callable[[Command], bool] | None = None,
        intake: bool = True,
    ) -> int:
        """Take in files and execute commands until there is nothing to do.

        ``only``: stop at the first command it refuses (the CLI's dry run uses it to record
        a plan without running anything else). Returns how many commands ran.
        """
        count = 0
        while stop is None or not stop.is_set():
            if intake:
                self.intake()
                ingest_dropped_draws(self, stop=stop)  # <home>/draws/ (machine.draw_intake)
            command = self.next_command()
            if command is None or (only is not None and not only(command)):
                break
            if max_commands is not None and count >= max_commands:
                break
            waited = self._wait_until(command, stop, intake)
            if waited == "stop":
                break
            if waited == "decide":
                continue
            records = self.execute(command, stop=stop, intake=intake)
            count += 1
            self.log(_describe(command, records))
        return count

    def serve(self, stop: threading.Event, *, poll_interval: float = 0.5) -> int:
        """The daemon loop: run until ``stop`` is set, polling for request files when idle."""
        count = 0
        while not stop.is_set():
            if self.state.active is None and self._policies_changed():
                self.ensure_policies()
            count += self.run_until_idle(stop=stop)
            if stop.is_set():
                break
            stop.wait(poll_interval)
        return count


def _describe(command: Command, records: list[Record]) -> str:
    what = ", ".join(f"{r.type}@{r.seq}" for r in records) or "nothing new (already recorded)"
    return f"{command.kind} [{command.id}] -> {what}"


class _LedgerTrouble(Exception):
    """Carries an append's failure past the handler-failure handlers of ``execute``."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _entries(folder: Path, wanted: Callable[[str], bool]) -> list[Path]:
    """The entries of ``folder`` (not dot-files) whose names ``wanted`` accepts, sorted."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return [folder / n for n in sorted(names) if not n.startswith(".") and wanted(n)]


def _is_claim(name: str) -> bool:
    return name.startswith("c") and "--" in name


def _fit(prefix: str, name: bytes, limit: int = 255) -> str:
    """``prefix + name`` cut to a file name the filesystem takes (``limit`` bytes)."""
    room = limit - len(prefix.encode())
    return prefix + os.fsdecode(name[:room])


def _shown(name: str) -> str:
    """A file name as recorded: undecodable bytes as ``\\xNN``, at most 255 characters."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")[:255] or "?"


def _sync_dirs(*folders: Path) -> None:
    """Make renames between ``folders`` durable (their entries are in the folders' data)."""
    for folder in dict.fromkeys(folders):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
