"""The handlers' watchdog: external handlers run in a worker process the daemon can kill.

A handler may hang (a deadlock, a network wait, a loop inside llama.cpp or a GPU driver): no
timeout inside the daemon's own process can stop code stuck in C. So the runner hands each
external command to a worker, a process forked from the daemon on the first such command and
reused for the next ones (a model loaded by ``llm.start`` stays loaded for ``llm.evaluate``;
forking once costs milliseconds, a fresh interpreter would cost the imports every time). The
daemon waits for the answer with the command's timeout, and between looks it keeps taking in
requests (a halt is recorded at once) and watches for a stop signal.

- A handler past its timeout (``timeout_s`` of its command, from the policies; plus a grace of
  10 %, at most :data:`GRACE_MAX_S`, so that a handler enforcing its own deadline reports its
  own, better described failure) is killed with its process group: ``SIGKILL`` stops a
  handler in C code as surely as one in Python. The runner records it as failed.
- A worker that dies during a command (a native crash, the OOM killer) is noticed at once; the
  runner starts the command again in a new worker, counting starts as it does for a daemon
  that died.
- A stop (``SIGTERM``, ``SIGINT``) kills the worker and returns without an outcome: the
  command was started and not finished, and runs again when the daemon is started again (the
  runner records ``CommandInterrupted``: an orderly stop does not count as a death).
- ``memory_bytes`` caps what a worker may map beyond what it holds at its start
  (``RLIMIT_AS``): the draw files' worker (``machine.draw_intake``) runs so.

The worker closes its copies of the ledger's descriptors right after the fork (it can never
append, and never holds the writer's lock after the writer is gone), ignores ``SIGINT`` (the
daemon decides), and is killed by the kernel when the daemon dies (``PR_SET_PDEATHSIG``).

A fork copies the daemon as it is: a process that has run OpenMP (torch, LightGBM, XGBoost),
OpenCL or CUDA work itself leaves a child whose next parallel region hangs for good (measured
here with torch, LightGBM and XGBoost). The daemon never runs such handlers itself, so its
fork is clean; a process that embeds a runner after loading those libraries
(:data:`NATIVE_RUNTIMES`) gets a fresh interpreter as its worker instead (the installed
handlers only; about the cost of the imports, once).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

__all__ = [
    "GRACE_MAX_S", "POLL_S", "NATIVE_RUNTIMES", "HandlerOutcome", "HandlerWorker", "grace_for",
    "fork_is_safe",
]

#: At most this much time past its timeout is left to a handler to report its own timeout.
GRACE_MAX_S = 2.0
#: How often the daemon looks up from a running handler (requests, halts, a stop).
POLL_S = 0.2
#: How long a new worker may take to be ready (a fresh interpreter imports the machine
#: first); its start never counts against a command's timeout.
START_LIMIT_S = 300.0

_PR_SET_PDEATHSIG = 1
#: The worker's exit code when something the daemon cannot hear about (a ``BaseException``)
#: ended it.
_EXIT_UNCAUGHT = 70

Status = Literal["returned", "raised", "timeout", "died", "stopped"]


#: Libraries whose thread pools or device contexts a fork does not carry over: once one is
#: loaded here, it may have been used, and a forked worker could hang in it.
NATIVE_RUNTIMES = ("torch", "lightgbm", "xgboost", "catboost", "sklearn", "pyopencl", "cupy",
                   "llama_cpp")


def fork_is_safe() -> bool:
    """Whether none of :data:`NATIVE_RUNTIMES` is loaded in this process."""
    return not any(name in sys.modules for name in NATIVE_RUNTIMES)


def grace_for(timeout_s: float) -> float:
    """The grace after ``timeout_s`` before the worker is killed."""
    return min(GRACE_MAX_S, 0.1 * timeout_s)


@dataclass(frozen=True)
class HandlerOutcome:
    """What became of one command given to the worker.

    ``returned``: ``events`` holds what the handler returned (still to be checked);
    ``raised``: the handler raised, ``detail`` says what (``message``: the exception's own
    words; ``refused``: it was a ``ValueError``, the handler refusing its input);
    ``timeout``: it ran past its time and was killed; ``died``: the worker died under it
    (``detail``: the signal or exit code); ``stopped``: the daemon was asked to stop and
    killed it.
    """

    status: Status
    events: tuple[Any, ...] = ()
    detail: str = ""
    elapsed_s: float = 0.0
    message: str = ""
    refused: bool = False


class HandlerWorker:
    """One worker process, forked when first needed and again after it was killed or died.

    ``lookup(kind)`` finds the handler inside the worker (installed handlers are imported
    there, not in the daemon); ``context(command)`` builds its ``HandlerContext`` there;
    ``after_fork()`` runs first thing in the child (the runner drops its ledger descriptors).
    """

    def __init__(
        self,
        lookup: Callable[[str], Callable[..., Sequence[Any]] | None],
        context: Callable[[Any], Any],
        *,
        after_fork: Callable[[], None] = lambda: None,
        poll_s: float = POLL_S,
        fresh_home: str | None = None,
        memory_bytes: int | None = None,
    ) -> None:
        """``fresh_home``: start each worker as a fresh interpreter serving the installed
        handlers for that home folder, instead of forking this process. ``memory_bytes``:
        the worker may map at most this much more memory than it holds when it starts (an
        allocation past it fails with ``MemoryError`` in the worker, before the OOM killer
        picks a process)."""
        self._fresh_home = fresh_home
        self._memory_bytes = memory_bytes
        self._lookup = lookup
        self._context = context
        self._after_fork = after_fork
        self.poll_s = poll_s
        self._process: _Child | None = None
        self._conn: Connection | None = None
        #: How many worker processes were started (a test and the benchmark read it).
        self.forks = 0

    @property
    def pid(self) -> int | None:
        """The live worker's pid, if there is one."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def _ensure(self) -> Connection | None:
        """The live worker's connection; a new worker, once it says it is ready; ``None``
        when a new one died or hung before that."""
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        conn = self._start()
        try:
            if conn.poll(START_LIMIT_S) and conn.recv() == ("ready", None):
                return conn
        except (OSError, EOFError):
            pass
        self._kill()
        return None

    def _start(self) -> Connection:
        self._discard()
        parent_end, child_end = multiprocessing.Pipe(duplex=True)
        if self._fresh_home is not None:
            return self._spawn(parent_end, child_end, self._fresh_home)
        _flush()  # buffered output would be written twice, once by each process
        parent_pid = os.getpid()
        # A plain fork, not multiprocessing.Process: that one is joined when the daemon exits
        # (a deadlock with a worker waiting for its next command) and forbids a handler to
        # start processes of its own.
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                parent_end.close()
                _serve(child_end, self._lookup, self._context, self._after_fork, parent_pid,
                       self._memory_bytes)
            except BaseException:
                code = _EXIT_UNCAUGHT
                traceback.print_exc()
            finally:
                _flush()
                os._exit(code)
        child_end.close()
        self._process, self._conn = _Child(pid), parent_end
        self.forks += 1
        return parent_end

    def _spawn(self, parent_end: Connection, child_end: Connection, home: str) -> Connection:
        fd = child_end.fileno()
        os.set_inheritable(fd, True)
        try:
            pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-c", _FRESH_MAIN, str(fd), str(os.getpid()), home,
                 str(self._memory_bytes or 0)],
                dict(os.environ),
            )
        finally:
            child_end.close()
        self._process, self._conn = _Child(pid), parent_end
        self.forks += 1
        return parent_end

    def run(
        self,
        kind: str,
        command: Any,
        *,
        timeout_s: float,
        between: Callable[[], bool] = lambda: False,
    ) -> HandlerOutcome:
        """Run ``kind``'s handler on ``command`` in the worker; wait at most ``timeout_s``
        (and its grace). ``between()`` is called every :attr:`poll_s` seconds while waiting
        and returns ``True`` to stop now."""
        conn = self._ensure()
        if conn is None:
            return HandlerOutcome("died", detail="its worker process did not start")
        began = time.monotonic()
        deadline = began + timeout_s + grace_for(timeout_s)
        try:
            conn.send((kind, command))
        except (OSError, EOFError) as error:
            return self._died(began, f"the worker could not be reached ({error})")
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._kill()
                return HandlerOutcome("timeout", detail=f"ran past its timeout of {timeout_s:g} s "
                                      "and was stopped", elapsed_s=time.monotonic() - began)
            try:
                ready = conn.poll(min(self.poll_s, left))
            except (OSError, EOFError):
                return self._died(began)
            if ready:
                try:
                    status, payload = conn.recv()
                except (OSError, EOFError):
                    return self._died(began)
                except Exception as error:  # an answer that cannot be unpickled here
                    return HandlerOutcome("raised", detail=f"its answer could not be read "
                                          f"({type(error).__name__}: {error})",
                                          elapsed_s=time.monotonic() - began)
                elapsed = time.monotonic() - began
                if status == "returned":
                    return HandlerOutcome("returned", tuple(payload), elapsed_s=elapsed)
                detail, message, refused = payload
                return HandlerOutcome("raised", detail=detail, elapsed_s=elapsed,
                                      message=message, refused=refused)
            if between():
                self._kill()
                return HandlerOutcome("stopped", detail="stopped with the daemon",
                                      elapsed_s=time.monotonic() - began)

    def _died(self, began: float, detail: str | None = None) -> HandlerOutcome:
        process = self._process
        code = process.join(5.0) if process is not None else None
        if process is not None and code is None:  # its pipe broke, yet it lives on
            self._kill()
        if detail is None:
            if code is not None and code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"signal {-code}"
                detail = f"its process was killed by {name}"
            else:
                detail = f"its process exited (code {code})"
        self._discard()
        return HandlerOutcome("died", detail=detail, elapsed_s=time.monotonic() - began)

    def _kill(self) -> None:
        process = self._process
        if process is not None:
            for kill in (os.killpg, os.kill):
                try:
                    kill(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    continue
            process.join(10.0)
        self._discard()

    def _discard(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(0.0)  # reap it if it is gone
        self._process, self._conn = None, None

    def close(self) -> None:
        """Ask the worker to exit (a second later it is killed); frees everything it holds."""
        process, conn = self._process, self._conn
        if process is None or conn is None:
            self._discard()
            return
        try:
            conn.send(None)
        except (OSError, EOFError):
            pass
        process.join(1.0)
        if process.is_alive():
            self._kill()
        else:
            self._discard()


class _Child:
    """A forked process: whether it lives, and its exit code once reaped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None

    def is_alive(self) -> bool:
        return self.join(0.0) is None

    def join(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for it to end; its exit code (negative: the
        signal that killed it), ``None`` while it runs."""
        end = time.monotonic() + timeout
        while self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.exitcode = -1
                break
            if pid == self.pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() >= end:
                break
            time.sleep(0.01)
        return self.exitcode


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


def _serve(
    conn: Connection,
    lookup: Callable[[str], Callable[..., Sequence[Any]] | None],
    context: Callable[[Any], Any],
    after_fork: Callable[[], None],
    parent_pid: int,
    memory_bytes: int | None = None,
) -> None:
    """The worker: answer commands until told to stop or the daemon is gone."""
    _die_with(parent_pid)
    try:
        os.setpgid(0, 0)  # a kill of the group takes any process the handler started
    except OSError:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    after_fork()
    if memory_bytes:
        _cap_memory(memory_bytes)
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        kind, command = message
        reply: tuple[str, Any]
        try:
            handler = lookup(kind)
            if handler is None:
                raise LookupError(f"no handler installed for {kind!r}")
            reply = ("returned", list(handler(command, context(command))))
        except Exception as error:  # reported to the daemon, which records the failure
            reply = ("raised", (f"{type(error).__name__}: {error}", str(error),
                                isinstance(error, ValueError)))
        try:
            conn.send(reply)
        except Exception as error:  # an answer that cannot be pickled
            detail = f"returned what cannot be sent back ({type(error).__name__}: {error})"
            conn.send(("raised", (detail, detail, False)))


def _cap_memory(extra: int) -> None:
    """Let this process map at most ``extra`` bytes more than it maps now (``RLIMIT_AS``):
    past it, an allocation raises ``MemoryError`` here instead of starving the machine.
    Linux only (``/proc``); elsewhere nothing is capped."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with(parent_pid: int) -> None:
    """Have the kernel kill this process when the daemon dies (Linux); elsewhere the worker
    notices at its next read."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the daemon died before the line above took effect
        os._exit(0)


#: The fresh worker's program (``-c``: ``-m`` would import this module twice).
_FRESH_MAIN = "import sys; from machine.watchdog import _fresh_worker; _fresh_worker(sys.argv[1:])"


def _fresh_worker(argv: list[str]) -> None:
    """``python -c _FRESH_MAIN FD DAEMON_PID HOME MEMORY_BYTES``: serve the installed
    handlers (``MEMORY_BYTES`` 0: no cap)."""
    from ledger import ArtifactStore

    from .home import Home
    from .registry import HandlerContext, HandlerRegistry
    from .runner import utc_now

    fd, parent_pid, home = int(argv[0]), int(argv[1]), Home(Path(argv[2]))
    registry = HandlerRegistry()
    store = ArtifactStore(home.artifacts)

    def context(command: Any) -> HandlerContext:
        return HandlerContext(command=command, clock=utc_now, home=home.root, artifacts=store,
                              ledger_path=home.ledger)

    _serve(Connection(fd), registry.get, context, lambda: None, parent_pid,
           int(argv[3]) or None)
