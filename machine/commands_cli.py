"""The WATCHER's ``watcher`` subcommands (registered through ``prng_watcher.cli``).

Writers (``submit``, ``dispatch``, ``halt``, ``resume``, ``approve``) validate their input
first: a bad request is refused with one line and exit code 2, and nothing is written. A good
one becomes a request file in ``watcher_requests/``; while a daemon holds the ledger it picks
the file up (the command says so), otherwise the command takes the lock and records the
request itself. Readers (``status``, ``replay``, ``machine``) never take the lock.

Exit codes: 0 done; 1 ``replay`` found a divergence; 2 bad input, a damaged or tampered
ledger, or a ledger another writer holds; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Callable

import orjson

from ledger import LedgerLocked, follow, read_ledger
from projections.diagnostics import hit_rate_band

from .commands import PlanDispatch, RollBackPolicy
from .decide import decide
from .draw_intake import MAX_INGEST_BYTES, MAX_INGEST_DRAWS
from .fold import evolve, fold
from .home import Home, init_home, locate_home, lock_holder
from .policies import load_policies
from .replay import replay
from .requests import (
    CONTROL_KINDS,
    MAX_REQUEST_BYTES,
    RequestError,
    check_request,
    parse_request,
    parse_request_bytes,
)
from .runner import MAX_UNFINISHED_STARTS, Runner, utc_now
from .state import Phase, State
from .statechart import mermaid, table_rows, unit_lines
from .steps import SCOPES, SCREEN, STEPS, step_for, unit_label

_STEP_NAMES = ", ".join(step.label for step in STEPS)

__all__ = [
    "register_init",
    "register_submit",
    "register_dispatch",
    "register_daemon",
    "register_replay",
    "register_status",
    "register_halt",
    "register_resume",
    "register_approve",
    "register_approvals",
    "register_machine",
]

Subparsers = Any  # argparse._SubParsersAction (private in typeshed)


def _home_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="the watcher home folder (default: $WATCHER_HOME, else ./watcher-home)",
    )


def _json_arg(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


#: Characters a terminal may act on: C0 and C1 controls, DEL, and bidirectional overrides
#: (which reorder what is shown). Ledger strings (reasons, notes, file names) can hold them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on written as a visible escape
    (``\\x1b``, ``\\u202e``): an OSC 52 sequence in a halt reason is shown, never run."""
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _echo(*parts: object, **kwargs: Any) -> None:
    """``print`` for this CLI: every line goes through :func:`printable`."""
    print(*(printable(str(p)) for p in parts), **kwargs)


def _json_line(value: Any, option: int = 0) -> str:
    """JSON text safe for a terminal (orjson escapes C0 controls; this escapes the rest)."""
    text = orjson.dumps(value, option=option).decode()
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _print_json(value: Any) -> None:
    sys.stdout.write(_json_line(value, orjson.OPT_INDENT_2) + "\n")


def _read_state(home: Home) -> State:
    """Fold the ledger without the lock (a reader); a torn tail is skipped, not repaired."""
    return fold(read_ledger(home.ledger))


# --- init -------------------------------------------------------------------------------


def register_init(subparsers: Subparsers) -> None:
    """``watcher init``."""
    p = subparsers.add_parser(
        "init",
        help="create a home folder",
        description=(
            "Create a watcher home folder: ledger.jsonl (with the policies in force recorded "
            "as its first event), artifacts/, watcher_requests/, archive/ and policies.json "
            "with the documented defaults. Safe to repeat: nothing existing is overwritten."
        ),
    )
    _home_arg(p)
    _json_arg(p, "what was created")
    p.set_defaults(func=_cmd_init)


def _cmd_init(args: argparse.Namespace) -> int:
    home = locate_home(args.home)
    created = init_home(home)
    try:
        with Runner.open(home) as runner:
            events = runner.state.events
    except LedgerLocked as error:
        # Initialised already, and a daemon is at work on it: nothing to do.
        _echo(f"watcher home {home.root}: already initialised; in use by pid {error.holder_pid}")
        return 0
    if args.json:
        _print_json({"home": str(home.root), "created": created, "events": events})
    else:
        what = ", ".join(created) if created else "nothing (already initialised)"
        _echo(f"watcher home {home.root}: created {what}; ledger has {events} event(s)")
    return 0


# --- writers: request files ---------------------------------------------------------------


def _request_name(kind: str) -> str:
    stamp = utc_now().replace("-", "").replace(":", "").replace(".", "")
    return f"{stamp}-{kind}-{uuid.uuid4().hex[:8]}.json"


def _write_request(home: Home, raw: bytes, kind: str) -> Path:
    """Write a request file atomically (a dot-file, then renamed into place)."""
    home.requests.mkdir(parents=True, exist_ok=True)
    name = _request_name(kind)
    tmp = home.requests / f".{name}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        path = home.requests / name
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written dot-file left behind
        raise
    # The request exists for the daemon only once the folder's entry is on disk.
    fd = os.open(home.requests, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _validate(home: Home, payload: Any) -> Any:
    """Schema and home/state checks, against a lock-free read of the ledger."""
    spec = parse_request(payload)
    return check_request(spec, home=home.root, state=_read_state(home))


def _hand_over(home: Home, spec: Any, args: argparse.Namespace) -> int:
    """Give a validated request to the daemon, or record it (and a dry run's plan) here."""
    raw = orjson.dumps(spec.model_dump(mode="json", exclude_defaults=True))
    try:
        runner = Runner.open(home)
    except LedgerLocked as error:
        path = _write_request(home, raw, spec.kind)
        pid = error.holder_pid
        message = (
            f"handed to the running daemon (pid {pid}) as {path.relative_to(home.root)}; "
            "follow it with: watcher status --follow"
        )
        if args.json:
            _print_json({"handed_over": True, "daemon_pid": pid, "file": str(path)})
        else:
            _echo(message)
        return 0
    with runner:
        path = _write_request(home, raw, spec.kind)
        result = runner.intake_file(path)
        plan = None
        # Dry-run plans and policy rollbacks are pure and consume nothing: record any that
        # are due (this one, or ones queued while halted) right away, and nothing else.
        runner.run_until_idle(intake=False,
                              only=lambda c: isinstance(c, (PlanDispatch, RollBackPolicy)))
        if runner.state.requests[result.request_id].status == "planned":
            plan = _recorded_plan(runner, result.request_id)
        state = runner.state
    request = state.requests[result.request_id]
    out: dict[str, Any] = {
        "handed_over": False,
        "request_id": result.request_id,
        "status": request.status,
        "reason": result.reason,
        "run_id": request.run_id,
        "halted": state.halted,
    }
    if plan is not None:
        out["plan"] = plan
    if args.json:
        _print_json(out)
    else:
        _print_request_outcome(out, spec)
    return 0 if result.status != "rejected" else 2


def _recorded_plan(runner: Runner, request_id: str) -> dict[str, Any] | None:
    """The recorded plan of a dry-run request (from the ledger, not recomputed)."""
    for record in runner.recorder.read(after_seq=runner.state.requests[request_id].seq):
        if record.type == "DispatchPlanned" and record.data.get("request_id") == request_id:
            return dict(record.data["plan"])
    return None


def _print_request_outcome(out: dict[str, Any], spec: Any) -> None:
    rid = out["request_id"]
    status = out["status"]
    if status == "rejected":
        _echo(f"request {rid} rejected: {out['reason']}")
        return
    if status == "planned" and out.get("plan"):
        plan = out["plan"]
        units = ", ".join(
            f"{unit_label(u['unit'])}{' (GPU: LLM stopped first)' if u['gpu_heavy'] else ''}"
            for u in plan["units"]
        )
        _echo(f"dry run {rid}: plan recorded (DispatchPlanned), nothing consumed")
        _echo(f"  kind: {plan['kind']}; run id would be {out['run_id']}")
        _echo(f"  units: {units}")
        _echo(f"  retries: {plan['retries_per_step']} per step, {plan['retries_per_run']} per run")
        _echo("  commands on the all-proceed path:")
        for item in plan["sequence"]:
            _echo(f"    {item}")
        return
    if spec.kind in CONTROL_KINDS:
        _echo(f"request {rid} ({spec.kind}) recorded" + ("; machine is halted" if out["halted"] else ""))
        return
    extra = "; the machine is halted: nothing runs until `watcher resume`" if out["halted"] else ""
    if status == "queued" and getattr(spec, "dry_run", False):
        _echo(f"dry run {rid} queued; its plan is recorded when the machine is resumed{extra}")
        return
    _echo(f"request {rid} queued ({spec.kind}); run it with: watcher daemon --once{extra}")


def register_submit(subparsers: Subparsers) -> None:
    """``watcher submit FILE``."""
    p = subparsers.add_parser(
        "submit",
        help="submit a request file",
        description=(
            "Validate a request file (JSON, at most 1 MiB; kinds selfplay_retrain, "
            "learning_loop, pipeline_rerun, halt, resume, approve) and queue it. A bad file "
            "is refused with the reason and nothing is written. See examples/requests/."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the request file (JSON object)")
    p.add_argument("--dry-run", action="store_true", help="record the plan only (DispatchPlanned)")
    _home_arg(p)
    _json_arg(p, "the outcome")
    p.set_defaults(func=_cmd_submit)


def _cmd_submit(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    path = Path(args.file)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_REQUEST_BYTES:
        raise ValueError(f"{path}: {size} bytes; request files are limited to 1 MiB")
    try:
        payload, _spec = parse_request_bytes(path.read_bytes())
    except RequestError as error:
        raise ValueError(f"{path}: {error}") from None
    assert payload is not None
    if args.dry_run:
        if payload.get("kind") in CONTROL_KINDS:
            raise ValueError(f"{path}: --dry-run applies to dispatch requests, not {payload['kind']}")
        payload = {**payload, "dry_run": True}
    try:
        spec = _validate(home, payload)
    except RequestError as error:
        raise ValueError(f"{path}: {error}") from None
    return _hand_over(home, spec, args)


def register_dispatch(subparsers: Subparsers) -> None:
    """``watcher dispatch selfplay|learning-loop|pipeline-rerun``."""
    p = subparsers.add_parser(
        "dispatch",
        help="request a selfplay run, a learning loop or a pipeline rerun",
        description="Queue a dispatch request (or, with --dry-run, record only its plan).",
    )
    sub = p.add_subparsers(dest="what", metavar="WHAT")
    sub.required = True

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--dry-run", action="store_true",
                       help="record the full plan (DispatchPlanned); run and consume nothing")
        q.add_argument("--draws", metavar="FILE", help="a draw file inside the home folder")
        q.add_argument("--id", metavar="ID", help="a client id (a second request with it is refused)")
        q.add_argument("--note", metavar="TEXT", help="free text recorded with the request")
        _home_arg(q)
        _json_arg(q, "the outcome (and the plan of a dry run)")

    s = sub.add_parser(
        "selfplay",
        help="explore: selfplay episodes emit candidate policies",
        description=(
            "Stop the LLM, run selfplay episodes, restart the LLM, judge the candidates. "
            "Selfplay never promotes a candidate."
        ),
    )
    s.add_argument("--episodes", type=int, metavar="N", help="1 to 50 (default: policies)")
    s.add_argument("--seed", type=int, metavar="S", help="selfplay seed (default: from the run id)")
    common(s)
    s.set_defaults(func=_cmd_dispatch, kind="selfplay_retrain")

    ll = sub.add_parser(
        "learning-loop",
        help="run pipeline steps, judging each",
        description=(
            f"Run pipeline steps in order ({_STEP_NAMES}); before GPU-heavy steps "
            f"({', '.join(str(s.number) for s in STEPS if s.gpu_heavy)}) the LLM is "
            "stopped; each step is judged (guardrail, then the LLM) and the loop stops on any "
            "verdict other than proceed."
        ),
    )
    ll.add_argument(
        "scope",
        nargs="?",
        default="steps_3_5_6",
        metavar="SCOPE",
        help="steps_3_5_6 (default), full, or a comma-separated list of steps by number or "
        "name, such as 2,3,5 or sieve,scoring,training",
    )
    common(ll)
    ll.set_defaults(func=_cmd_dispatch, kind="learning_loop")

    pr = sub.add_parser(
        "pipeline-rerun",
        help="re-run the whole pipeline (steps 1 to 6)",
        description=f"Re-run the whole pipeline ({_STEP_NAMES}), judging each step.",
    )
    common(pr)
    pr.set_defaults(func=_cmd_dispatch, kind="pipeline_rerun")


def _scope(text: str) -> Any:
    if text in SCOPES:
        return text
    parts = [part.strip() for part in text.split(",") if part.strip()]
    try:
        # A number goes through as written: the request's validation names one out of range.
        return [int(part) if part.isdigit() else step_for(part).number for part in parts]
    except KeyError:
        raise ValueError(
            f"scope {text!r}: use {', '.join(SCOPES)}, or a comma-separated list of steps by "
            f"number or name ({_STEP_NAMES})"
        ) from None


def _cmd_dispatch(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    payload: dict[str, Any] = {"kind": args.kind}
    if args.kind == "learning_loop":
        payload["scope"] = _scope(args.scope)
    if args.kind == "selfplay_retrain":
        if args.episodes is not None:
            payload["episodes"] = args.episodes
        if args.seed is not None:
            payload["seed"] = args.seed
    for name in ("draws", "id", "note"):
        if getattr(args, name) is not None:
            payload[name] = getattr(args, name)
    if args.dry_run:
        payload["dry_run"] = True
    try:
        spec = _validate(home, payload)
    except RequestError as error:
        raise ValueError(str(error)) from None
    return _hand_over(home, spec, args)


def _control(kind: str, build: Callable[[argparse.Namespace], dict[str, Any]]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        home = locate_home(args.home).require()
        try:
            spec = _validate(home, {"kind": kind, **build(args)})
        except RequestError as error:
            raise ValueError(str(error)) from None
        return _hand_over(home, spec, args)

    return run


def register_halt(subparsers: Subparsers) -> None:
    """``watcher halt``."""
    p = subparsers.add_parser(
        "halt",
        help="pull the kill switch: dispatch nothing until resumed",
        description=(
            "Record Halted. While halted nothing is dispatched (fail-closed): a running unit "
            "finishes, nothing after it starts. Requests are still received and queued."
        ),
    )
    p.add_argument("--reason", default="", help="recorded with the halt")
    _home_arg(p)
    _json_arg(p, "the outcome")
    p.set_defaults(func=_control("halt", lambda a: {"reason": a.reason} if a.reason else {}))


def register_resume(subparsers: Subparsers) -> None:
    """``watcher resume``."""
    p = subparsers.add_parser(
        "resume",
        help="lift the kill switch",
        description="Record Resumed: the machine continues exactly where it was halted.",
    )
    p.add_argument("--reason", default="", help="recorded with the resume")
    _home_arg(p)
    _json_arg(p, "the outcome")
    p.set_defaults(func=_control("resume", lambda a: {"reason": a.reason} if a.reason else {}))


def register_approve(subparsers: Subparsers) -> None:
    """``watcher approve ID``."""
    p = subparsers.add_parser(
        "approve",
        help="answer an escalation",
        description=(
            "Answer the escalation of run ID (a run id, or its request id): continue past it, "
            "or --abort the run. An escalated failure can never proceed: approving it closes "
            "the run as failed (resubmit to run it again)."
        ),
    )
    p.add_argument("run_id", metavar="ID", help="the escalated run (run-... or rq-...)")
    p.add_argument("--abort", action="store_true", help="close the run as failed")
    p.add_argument("--note", metavar="TEXT", help="recorded with the approval")
    _home_arg(p)
    _json_arg(p, "the outcome")

    def build(a: argparse.Namespace) -> dict[str, Any]:
        out: dict[str, Any] = {"run_id": a.run_id, "action": "abort" if a.abort else "continue"}
        if a.note:
            out["note"] = a.note
        return out

    p.set_defaults(func=_control("approve", build))


def register_approvals(subparsers: Subparsers) -> None:
    """``watcher approvals``."""
    p = subparsers.add_parser(
        "approvals",
        help="list escalations waiting for approval, and every approval given",
        description=(
            "Read the ledger (no lock taken) and list the escalated runs that wait for "
            "`watcher approve ID`, then every approval ever given, oldest first: each is an "
            "Approved event appended to the ledger, never overwritten."
        ),
    )
    _home_arg(p)
    _json_arg(p, "{pending: [...], given: [...]}")
    p.set_defaults(func=_cmd_approvals)


def _cmd_approvals(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    state = State()
    escalated: dict[str, dict[str, Any]] = {}
    given: list[dict[str, Any]] = []
    for record in read_ledger(home.ledger):
        evolve(state, record)
        d = record.data
        if record.type == "Escalated":
            escalated[d["run_id"]] = {
                "run_id": d["run_id"], "request_id": d["request_id"], "unit": d["unit"],
                "attempt": d["attempt"], "reason": d["reason"], "seq": record.seq,
                "ts": record.ts,
            }
        elif record.type == "Approved":
            given.append({
                "run_id": d["run_id"], "action": d.get("action", "continue"),
                "note": d.get("note"), "request_id": d.get("request_id"),
                "escalation": escalated.get(d["run_id"], {}).get("reason"),
                "seq": record.seq, "ts": record.ts,
            })
    pending = [
        escalated[run.run_id] for run in state.runs.values()
        if run.status == "escalated" and run.run_id in escalated
    ]
    if args.json:
        _print_json({"pending": pending, "given": given})
        return 0
    _echo(f"waiting for approval: {len(pending) or 'none'}")
    for e in pending:
        _echo(f"  {e['run_id']} (request {e['request_id']}): unit {unit_label(e['unit'])} "
              f"attempt {e['attempt']}, escalated at seq {e['seq']} ({e['ts']}): {e['reason']}")
        _echo(f"    answer with: watcher approve {e['run_id']}   (or --abort)")
    _echo(f"approvals given: {len(given) or 'none'}")
    for a in given:
        note = f"; note: {a['note']}" if a["note"] else ""
        _echo(f"  seq {a['seq']} {a['ts']}: {a['action']} {a['run_id']}"
              + (f" (escalated: {a['escalation']})" if a["escalation"] else "") + note)
    return 0


# --- the daemon -------------------------------------------------------------------------


def register_daemon(subparsers: Subparsers) -> None:
    """``watcher daemon``."""
    p = subparsers.add_parser(
        "daemon",
        help="run the WATCHER: pick up requests, decide, run handlers, record",
        description=(
            "Hold the ledger (one daemon per home: a second refuses to start), take in "
            "request files from watcher_requests/ (each becomes exactly one RequestReceived, "
            "then is archived), decide, run handlers, append. Handlers run in a worker "
            "process, stopped at their command's timeout (policies.json timeouts); requests "
            "and halts are taken in while one runs. SIGTERM and SIGINT stop the daemon, a "
            "running handler included (recorded as CommandInterrupted: such a start never "
            f"counts among the {MAX_UNFINISHED_STARTS} unfinished starts that fail a command; "
            "a SIGKILL or a crash does). Files dropped into draws/ are parsed in a worker too (at most "
            f"{MAX_INGEST_BYTES >> 20} MiB and {MAX_INGEST_DRAWS:,} draws a file; a refused "
            "one goes to quarantine/). "
            "Handlers come from the prng_watcher.handlers entry points "
            "($WATCHER_DISABLE_HANDLERS=pattern,... ignores some, e.g. 'llm.*' to run on the "
            "guardrails alone); a command without one is recorded as failed."
        ),
    )
    p.add_argument("--once", action="store_true", help="stop when there is nothing left to do")
    p.add_argument("--poll", type=float, default=0.5, metavar="S",
                   help="seconds between looks at watcher_requests/ when idle (default 0.5)")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")
    _home_arg(p)
    p.set_defaults(func=_cmd_daemon)


def _cmd_daemon(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    if not 0.01 <= args.poll <= 3600:
        raise ValueError("--poll must be between 0.01 and 3600 seconds")
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    def log(line: str) -> None:
        if not args.quiet:
            _echo(line, flush=True)

    try:
        try:
            runner = Runner.open(home, log=log)
        except LedgerLocked as error:
            raise ValueError(
                f"another writer (pid {error.holder_pid}) holds {home.ledger}; "
                "one daemon per home folder"
            ) from None
        with runner:
            log(f"daemon pid {os.getpid()} holds {home.ledger} (seq {runner.state.last_seq})")
            if args.once:
                count = runner.run_until_idle(stop=stop)
            else:
                count = runner.serve(stop, poll_interval=args.poll)
            state = runner.state
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    why = "stopped by signal" if stop.is_set() else "idle"
    _echo(
        f"daemon {why}: {count} command(s) run; phase {state.phase.value}"
        + ("; HALTED" if state.halted else "")
        + f"; {len(state.queue)} queued; ledger at seq {state.last_seq}",
        flush=True,
    )
    return 0


# --- readers ----------------------------------------------------------------------------


def register_replay(subparsers: Subparsers) -> None:
    """``watcher replay PATH``."""
    p = subparsers.add_parser(
        "replay",
        help="verify a ledger and re-decide every recorded command",
        description=(
            "Verify the hash chain and the artifacts, fold the events, and at every recorded "
            "command ask today's machine what it decides, comparing with what was recorded. "
            "PATH is a ledger file or a home folder. Exit 0 clean, 1 divergence, 2 damaged "
            "or tampered (a changed or missing line, a ledger shorter than its head witness "
            "ledger.jsonl.head or without --expect-head's record). An incomplete final batch "
            "(a write in progress) is reported, not replayed, and is not damage. Takes no lock."
        ),
    )
    p.add_argument("path", metavar="PATH", help="ledger.jsonl or a home folder")
    p.add_argument(
        "--expect-head", metavar="HASH",
        help=(
            "the hash of a record this ledger must hold (a head noted earlier, e.g. from "
            "`watcher status`, kept outside the home): catches lines cut from the end even "
            "when the witness ledger.jsonl.head was removed or rewritten too"
        ),
    )
    _json_arg(p, "the report")
    p.set_defaults(func=_cmd_replay)


def _cmd_replay(args: argparse.Namespace) -> int:
    head = args.expect_head
    if head is not None and not re.fullmatch(r"[0-9a-f]{64}", head):
        raise ValueError(f"--expect-head {head!r}: a record hash is 64 lowercase hex digits")
    report = replay(args.path, expect_head=head)
    if args.json:
        _print_json(report.as_dict())
        return report.exit_code
    _echo(f"ledger {report.path}: {report.verdict}")
    _echo(f"  events: {report.events}; requests: {report.requests}; runs: {report.runs}; "
          f"dry-run plans: {report.plans}")
    _echo(f"  decisions checked: {report.decisions_checked}; divergences: {len(report.divergences)}")
    if report.artifacts_checked:
        _echo(f"  artifacts checked: {report.artifacts_checked}")
    for d in report.divergences[:20]:
        _echo(f"  divergence at seq {d.seq}: {d.detail}")
    if report.damage:
        _echo(f"  damage: {report.damage}")
    if report.pending:
        _echo(f"  {report.pending}")
    if report.snapshot:
        _echo(f"  {report.snapshot}")
    return report.exit_code


def register_status(subparsers: Subparsers) -> None:
    """``watcher status``."""
    p = subparsers.add_parser(
        "status",
        help="what the WATCHER is doing (read-only)",
        description=(
            "Fold the ledger (no lock taken) and print the phase, the halt switch, the LLM, "
            "the queue, the active run and recent runs. --follow then prints each new event "
            "as it is appended (Ctrl-C to stop)."
        ),
    )
    p.add_argument("--follow", action="store_true", help="keep printing new events")
    p.add_argument("--timeout", type=float, metavar="S", help="with --follow: stop after S seconds")
    _home_arg(p)
    _json_arg(p, "the status (with --follow: one JSON object per event)")
    p.set_defaults(func=_cmd_status)


def _status_dict(home: Home, state: State) -> dict[str, Any]:
    run = state.run
    pending = sorted(
        p.name for p in home.requests.glob("*.json") if not p.name.startswith(".")
    ) if home.requests.is_dir() else []
    runs = sorted(state.runs.values(), key=lambda r: r.run_id)
    out: dict[str, Any] = {
        "home": str(home.root),
        "phase": state.phase.value,
        "halted": state.halted,
        "halt_reason": state.halt_reason,
        "llm": state.llm,
        "policies_sha256": state.policies_sha256,
        "events": state.events,
        "last_seq": state.last_seq,
        "last_ts": state.last_ts,
        "writer_pid": lock_holder(home),
        "pending_files": pending,
        "queue": [
            {"request_id": rid, "kind": state.requests[rid].kind, "dry_run": state.requests[rid].dry_run}
            for rid in state.queue
        ],
        "active": None,
        "runs": {
            r.run_id: {"kind": r.kind, "status": r.status, "retries": r.retries,
                       "outcome": r.outcome, "escalation": r.escalation}
            for r in runs
        },
        "requests": dict(sorted(state.request_counts.items())),
        "next": None,
        "chapter13": _chapter13_status(state),
    }
    if run is not None:
        out["active"] = {
            "run_id": run.run_id, "kind": run.kind,
            "unit": run.attempt.unit if run.attempt and run.cursor >= 0 else SCREEN,
            "attempt": run.attempt.attempt if run.attempt and run.cursor >= 0 else 0,
            "units": [u.unit for u in run.plan.units], "retries": run.retries,
            "escalation": run.escalation,
        }
    try:
        load_policies(home.policies)
        out["policies_problem"] = None
    except ValueError as error:
        out["policies_problem"] = str(error)
    command = decide(state)
    if command is not None:
        out["next"] = {"kind": command.kind, "id": command.id}
    return out


def _chapter13_status(state: State) -> dict[str, Any]:
    c13 = state.chapter13
    identified = c13.identified
    return {
        "autonomous": bool(state.policies is not None and state.policies.autonomous),
        "scored": c13.scored, "hits": c13.hits,
        # over the scored predictions the state keeps (the newest 1000)
        "expected_hits_by_chance": hit_rate_band(c13.outcomes).expected,
        "open": sorted(c13.open), "late": c13.late,
        "identified": None if identified is None else {
            "hypothesis": identified.hypothesis, "first_target": identified.first_target,
            "hits": identified.hits},
        "missed_at": c13.miss_at, "triggers_fired": c13.fired,
        "last_fired": dict(sorted(c13.last_fired.items())),
    }


def _print_chapter13(c: dict[str, Any]) -> None:
    mode = "autonomous" if c["autonomous"] else "scoring only (policy autonomous is off)"
    line = (f"  chapter 13 ({mode}): {c['scored']} prediction(s) scored, {c['hits']} hit(s) "
            f"({c['expected_hits_by_chance']:.3g} expected by chance)")
    found = c["identified"]
    if found is not None:
        h = found["hypothesis"]
        line += (f"; identified {h.get('generator')} seed {h.get('seed')} ({h.get('reduction')})"
                 f" since draw {found['first_target']}")
    elif c["missed_at"] is not None:
        line += f"; the identified generator missed at draw {c['missed_at']}"
    _echo(line)
    if c["open"] or c["triggers_fired"]:
        fired = ", ".join(f"{kind} at draw {at}" for kind, at in c["last_fired"].items())
        _echo(f"    open predictions: {', '.join(map(str, c['open'])) or 'none'}; triggers "
              f"fired: {c['triggers_fired']}" + (f" (latest: {fired})" if fired else ""))


def _print_status(s: dict[str, Any]) -> None:
    halted = f"HALTED ({s['halt_reason']})" if s["halted"] else "not halted"
    _echo(f"watcher home {s['home']}")
    _echo(f"  phase: {s['phase']}; {halted}; LLM: {s['llm']}")
    writer = f"pid {s['writer_pid']}" if s["writer_pid"] else "none"
    _echo(f"  ledger: {s['events']} events (last seq {s['last_seq']}, {s['last_ts']}); writer: {writer}")
    if s.get("head"):
        _echo(f"  head: {s['head']}")
    if s.get("policies_problem"):
        _echo(f"  policies.json: {s['policies_problem']}; the recorded policies stay in force")
    pol = (s["policies_sha256"] or "none")[:12]
    _echo(f"  policies: {pol}; requests: " +
          (", ".join(f"{n} {k}" for k, n in s["requests"].items()) or "none"))
    if s["pending_files"]:
        _echo(f"  waiting in watcher_requests/: {len(s['pending_files'])} file(s)")
    if s["queue"]:
        _echo("  queue: " + ", ".join(
            f"{q['request_id']} ({q['kind']}{', dry run' if q['dry_run'] else ''})" for q in s["queue"]))
    a = s["active"]
    if a:
        _echo(f"  active run {a['run_id']} ({a['kind']}): unit {unit_label(a['unit'])} attempt "
              f"{a['attempt']} of units {', '.join(map(unit_label, a['units']))}; "
              f"{a['retries']} retries")
        if a["escalation"]:
            _echo(f"    escalated: {a['escalation']}")
            _echo(f"    answer with: watcher approve {a['run_id']}   (or --abort)")
    _print_chapter13(s["chapter13"])
    if s["next"]:
        _echo(f"  next: {s['next']['kind']}")
    for run_id, r in list(s["runs"].items())[-10:]:
        _echo(f"  run {run_id} ({r['kind']}): {r['status']}" + (f" - {r['outcome']}" if r["outcome"] else ""))


def _cmd_status(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    reader = read_ledger(home.ledger)
    state = fold(reader)
    summary = _status_dict(home, state)
    # Note it somewhere safe: `watcher replay --expect-head` then catches a cut ledger.
    summary["head"] = reader.last_hash
    if args.json and not args.follow:
        _print_json(summary)
        return 0
    if args.json:
        sys.stdout.write(_json_line({"status": summary}) + "\n")
    else:
        _print_status(summary)
    if not args.follow:
        return 0
    stop = threading.Event()
    if args.timeout is not None:
        timer = threading.Timer(args.timeout, stop.set)
        timer.daemon = True
        timer.start()
    try:
        for record in follow(home.ledger, after_seq=state.last_seq, stop=stop, poll_interval=0.1):
            evolve(state, record)
            line = {
                "seq": record.seq, "ts": record.ts, "type": record.type, "run_id": record.run_id,
                "phase": state.phase.value, "halted": state.halted,
            }
            if args.json:
                sys.stdout.write(_json_line({**line, "data": record.data}) + "\n")
            else:
                detail = _one_line_detail(record.type, record.data)
                _echo(f"{record.seq:>6} {record.ts} {record.type:<18} {state.phase.value:<11} {detail}")
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    return 0


def _one_line_detail(type_: str, data: dict[str, Any]) -> str:
    keys = ("request_id", "step", "unit", "attempt", "source", "decision", "effective", "reason",
            "phase", "summary", "name")
    parts = [
        f"{k}={unit_label(data[k]) if k in ('step', 'unit') else data[k]}"
        for k in keys
        if k in data and data[k] not in (None, "")
    ]
    return " ".join(parts)[:160]


def register_machine(subparsers: Subparsers) -> None:
    """``watcher machine``."""
    p = subparsers.add_parser(
        "machine",
        help="print the WATCHER's state table (or its Mermaid diagram)",
        description=(
            "Print the transition table the machine runs on: source, trigger event, "
            "destination, conditions, actions. --diagram prints it as a Mermaid state diagram."
        ),
    )
    p.add_argument("--diagram", action="store_true", help="Mermaid stateDiagram-v2")
    _json_arg(p, "the table")
    p.set_defaults(func=_cmd_machine)


def _cmd_machine(args: argparse.Namespace) -> int:
    if args.diagram:
        sys.stdout.write(mermaid())
        return 0
    rows = table_rows()
    if args.json:
        _print_json([
            {"source": s, "trigger": t, "dest": d, "conditions": c, "after": a}
            for s, t, d, c, a in rows
        ])
        return 0
    width = max(len(t) for _s, t, _d, _c, _a in rows)
    for s, t, d, c, a in rows:
        cond = f" [{c}]" if c else ""
        act = f" / {a}" if a else ""
        _echo(f"{s:>10} --{t:<{width}}--> {d:<10}{cond}{act}")
    _echo(f"units (run in the {Phase.RUNNING.value} state):")
    for line in unit_lines():
        _echo(f"  {line}")
    return 0

