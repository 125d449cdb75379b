"""Chapter 13's one handler with effects: the next prediction of the identified hypothesis.

``chapter13.predict`` (a :class:`machine.commands.PredictNext`) runs the hypothesis in use from
its anchor (the position of the first draw it explains) to the draw the command names and
records it as ``PredictionIssued`` outside any run, before that draw arrives. The probability
is Laplace's rule over the hypothesis's scored predictions (``hits`` of ``target_index -
first_target``); the chance rate is one value in the draws' alphabet, as step 6 prices it.
"""

from __future__ import annotations

from typing import Any

from kernels.observation import Hypothesis, predict
from kernels.sieve.plan import infer_alphabet
from ledger import NewEvent

from handlers.history import draw_history
from machine.commands import PredictNext
from machine.events import PredictionIssued, PredictionPoolEntry
from machine.registry import HandlerContext

__all__ = ["predict_next", "next_draw"]


def next_draw(hypothesis: dict[str, Any], target_index: int) -> int:
    """The draw at ``target_index`` that ``hypothesis`` (with its ``anchor``) implies."""
    fields = dict(hypothesis)
    anchor = int(fields.pop("anchor"))
    if target_index < anchor:
        raise ValueError(f"draw {target_index} comes before the hypothesis's anchor {anchor}")
    steps = target_index - anchor
    return predict(Hypothesis.model_validate(fields), steps + 1)[steps]


def predict_next(command: PredictNext, ctx: HandlerContext) -> list[NewEvent]:
    """The ``chapter13.predict`` handler."""
    if ctx.ledger_path is None:
        raise ValueError("a prediction needs the ledger's draws (no home folder)")
    history = draw_history(ctx.ledger_path)
    if len(history) != command.target_index:
        raise ValueError(f"the history holds {len(history)} draws; draw {command.target_index} "
                         "is not the next")
    draw = next_draw(command.hypothesis, command.target_index)
    scored = command.target_index - command.first_target
    probability = (command.hits + 1) / (scored + 2)
    alphabet = infer_alphabet([*history.values, draw])
    event = PredictionIssued(
        target_index=command.target_index,
        pool=(PredictionPoolEntry(draw=draw, probability=probability),),
        identified=True, hypothesis=command.hypothesis, chance_rate=1 / alphabet)
    return [ctx.event(event)]
