"""Shadow predictions: the handler of ``policy.shadow`` (``ShadowScored``).

A selfplay candidate is promoted only on evidence from draws that arrived after it was
emitted (``machine.promotion``). For those draws this handler runs the loop in miniature
(``handlers.loop_simulation``) twice on the real recorded history, once with the candidate's
policy and once with the active one, each resuming where its previous shadow run stopped, and
records one hit or miss per draw for each.
"""

from __future__ import annotations

from ledger import NewEvent
from machine.commands import ShadowCandidate
from machine.events import ShadowScored
from machine.loop_policy import LoopPolicy
from machine.registry import HandlerContext

from .history import draw_history
from .loop_simulation import Resume, simulate, stream_of, unix_seconds

__all__ = ["shadow"]


def shadow(command: ShadowCandidate, ctx: HandlerContext) -> list[NewEvent]:
    """Both policies' shadow predictions of draws ``first_index .. stop_index - 1``."""
    assert ctx.ledger_path is not None
    history = draw_history(ctx.ledger_path)
    stop = min(command.stop_index, len(history))
    stream = stream_of(history.values[:stop], [unix_seconds(t) for t in history.timestamps[:stop]])
    first = command.first_index
    # A first shadow run may search windows reaching back before the emission: only the
    # draws it predicts must be new.
    fresh = Resume(regime_start=0, last_search=first - 1)
    runs = []
    for policy, resume in ((command.candidate_policy, command.candidate_resume),
                           (command.active_policy, command.active_resume)):
        runs.append(simulate(LoopPolicy.model_validate(policy), stream, first, stop,
                             alpha=command.alpha,
                             resume=Resume.of(resume) if resume else fresh))
    mine, theirs = runs
    return [ctx.event(ShadowScored(
        candidate_id=command.candidate_id, active_policy_sha256=command.active_policy_sha256,
        first_index=first, candidate_hits=tuple(o.hit for o in mine.outcomes),
        active_hits=tuple(o.hit for o in theirs.outcomes),
        candidate_resume=mine.resume.as_json(), active_resume=theirs.resume.as_json(),
        search_s=round(mine.search_s + theirs.search_s, 3)))]
