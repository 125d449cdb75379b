"""The WATCHER: events and commands, the pure fold and ``decide``, the state table, the runner.

- :mod:`machine.events`: frozen event models (one discriminated union) and ``validate_event``,
  the ledger's validator hook.
- :mod:`machine.commands`: frozen command models with deterministic ids.
- :mod:`machine.steps`: the six pipeline steps (number, name, GPU need, handler kind), the
  units and the dispatch scopes, defined once.
- :mod:`machine.policies`: ``policies.json`` and its documented defaults.
- :mod:`machine.requests`: request files, their schema, ids and validation.
- :mod:`machine.state`, :mod:`machine.fold`: ``fold(events) -> State`` (pure).
- :mod:`machine.statechart`: the states and transitions, as data, with ``transitions``.
- :mod:`machine.decide`: ``decide(State) -> Command | None`` (pure).
- :mod:`machine.registry`: handler lookup, built-in commands, checks on handler output.
- :mod:`machine.runner`: intake, execute, append (the daemon's loop); :mod:`machine.home`.
- :mod:`machine.replay`: verify, fold and re-decide a recorded ledger.
- :mod:`machine.cli` and :mod:`machine.commands_cli`: the ``watcher`` command line.
"""

from .commands import BUILTIN_KINDS, EXTERNAL_KINDS, Command, make_command
from .decide import GPU_HEAVY_STEPS, decide, plan_for
from .events import (
    EVENT_MODELS,
    AnyEvent,
    EventModel,
    Fact,
    Meta,
    new_event,
    parse_event,
    to_data,
    validate_event,
)
from .fold import FoldError, evolve, fold
from .home import Home, init_home, locate_home
from .policies import Policies, load_policies, policies_sha256
from .registry import (
    HandlerContext,
    HandlerRegistry,
    register_handler,
    registered_handlers,
    unregister_handler,
)
from .replay import ReplayReport, replay
from .requests import RequestError, parse_request, request_id_for, run_id_for
from .runner import Runner, utc_now
from .state import Phase, State
from .statechart import TRANSITIONS, mermaid
from .steps import SCOPES, SELFPLAY, STEPS, UNITS, Step, step_for, unit_label

__all__ = [
    "AnyEvent",
    "BUILTIN_KINDS",
    "Command",
    "EVENT_MODELS",
    "EXTERNAL_KINDS",
    "EventModel",
    "Fact",
    "FoldError",
    "GPU_HEAVY_STEPS",
    "HandlerContext",
    "HandlerRegistry",
    "Home",
    "Meta",
    "Phase",
    "Policies",
    "ReplayReport",
    "RequestError",
    "Runner",
    "SCOPES",
    "SELFPLAY",
    "STEPS",
    "State",
    "Step",
    "TRANSITIONS",
    "UNITS",
    "decide",
    "evolve",
    "fold",
    "init_home",
    "load_policies",
    "locate_home",
    "make_command",
    "mermaid",
    "new_event",
    "parse_event",
    "parse_request",
    "plan_for",
    "policies_sha256",
    "register_handler",
    "registered_handlers",
    "replay",
    "request_id_for",
    "run_id_for",
    "step_for",
    "to_data",
    "unit_label",
    "unregister_handler",
    "utc_now",
    "validate_event",
]
