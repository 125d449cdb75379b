"""``watcher policy``: the loop policy in force, its lineage, and the way back to the baseline.

- ``watcher policy show [--json]``: the active loop policy (``machine.loop_policy``) with the
  values that differ from the baseline marked, its lineage (every accepted change, promotion
  and rollback, from the ledger), the candidates and their shadow evidence, the proposals;
- ``watcher policy rollback [--reason TEXT]``: a ``policy_rollback`` request, applied at once
  (``PolicyRolledBack``) when no daemon holds the ledger, else by the daemon before any other
  work;
- ``watcher policy approve PROPOSAL [--reject]``: a person's answer to an escalated proposal
  (``proposal_approve``), applied by the daemon: the acceptance rules judge it again without
  the escalation (``ProposalAccepted``), or it is rejected (``ProposalRejected``).
"""

from __future__ import annotations

import argparse
from typing import Any

from .commands_cli import (
    Subparsers,
    _control,
    _echo,
    _home_arg,
    _json_arg,
    _print_json,
    _read_state,
)
from .home import locate_home
from .loop_policy import BASELINE, BASELINE_ID, LOOP_PARAMETERS, loop_policy_sha256
from .promotion import promotion_test
from .state import State

__all__ = ["register_policy", "policy_summary"]


def policy_summary(state: State) -> dict[str, Any]:
    """What ``watcher policy show --json`` prints."""
    loop = state.loop
    values = loop.policy.model_dump(mode="json")
    base = BASELINE.model_dump(mode="json")
    return {
        "active": loop.policy_id,
        "sha256": loop_policy_sha256(loop.policy),
        "is_baseline": loop.policy == BASELINE,
        "values": {name: values[name] for name in LOOP_PARAMETERS},
        "changed_from_baseline": {name: {"baseline": base[name], "active": values[name]}
                                  for name in LOOP_PARAMETERS if values[name] != base[name]},
        "lineage": [{"kind": BASELINE_ID, "source": BASELINE_ID, "policy": BASELINE_ID}] + [
            {"kind": item.kind, "source": item.source, "policy": item.policy_id,
             "ts": item.ts, "seq": item.seq, "detail": item.detail}
            for item in loop.lineage
        ],
        "candidates": [
            {"candidate": c.candidate_id, "status": c.status, "run": c.run_id,
             "emitted_after_draws": c.emitted_at, "shadow_draws": c.draws, "wins": c.wins,
             "losses": c.losses,
             "test": promotion_test(c.wins, c.losses, c.draws,
                                    loop.policy.acceptance_margin).describe()}
            for c in loop.candidates.values()
        ],
        "proposals": [
            {"proposal": p.proposal_id, "trigger": p.trigger_id, "source": p.source,
             "action": p.recommended_action, "risk": p.risk_level,
             "confidence": p.confidence, "values": [list(v) for v in p.values],
             "status": p.status}
            for p in loop.proposals.values()
        ],
    }


def _show(args: argparse.Namespace) -> int:
    home = locate_home(args.home).require()
    summary = policy_summary(_read_state(home))
    if args.json:
        _print_json(summary)
        return 0
    baseline = " (the baseline)" if summary["is_baseline"] else ""
    _echo(f"active loop policy: {summary['active']}{baseline}, sha256 {summary['sha256'][:16]}")
    changed = summary["changed_from_baseline"]
    for name, value in summary["values"].items():
        mark = f"   (baseline {changed[name]['baseline']})" if name in changed else ""
        _echo(f"  {name} = {value}{mark}")
    _echo("lineage:")
    for item in summary["lineage"]:
        if item["kind"] == BASELINE_ID:
            _echo("  baseline: the defaults of machine.loop_policy")
            continue
        _echo(f"  {item['ts']} seq {item['seq']} {item['kind']} {item['source']}: "
              f"{item['detail']}")
    if summary["candidates"]:
        _echo("candidates:")
        for c in summary["candidates"]:
            _echo(f"  {c['candidate']} {c['status']}: {c['test']}")
    if summary["proposals"]:
        _echo("proposals:")
        for p in summary["proposals"]:
            values = ", ".join(f"{n}={v:g}" for n, v in p["values"]) or "no values"
            answer = (f" (answer: watcher policy approve {p['proposal']} [--reject])"
                      if p["status"] == "escalated" else "")
            _echo(f"  {p['proposal']} ({p['source']}) {p['action']}, risk {p['risk']}, "
                  f"confidence {p['confidence']:g}, {values}: {p['status']}{answer}")
    return 0


def register_policy(subparsers: Subparsers) -> None:
    """``watcher policy show|rollback``."""
    p = subparsers.add_parser(
        "policy", help="the autonomous loop's policy: show it, or roll it back",
        description="The loop policy Chapter 13 tunes and selfplay explores: its values, its "
                    "lineage (accepted changes, promoted candidates, rollbacks) and the way "
                    "back to the baseline.")
    sub = p.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")
    sub.required = True
    show = sub.add_parser(
        "show", help="print the active loop policy and its lineage",
        description="Fold the ledger (no lock taken) and print the active loop policy, the "
                    "values that differ from the baseline, its lineage, the selfplay "
                    "candidates with their shadow evidence, and Chapter 13's proposals.")
    _home_arg(show)
    _json_arg(show, "the policy, lineage, candidates and proposals")
    show.set_defaults(func=_show)
    back = sub.add_parser(
        "rollback", help="restore the baseline loop policy (PolicyRolledBack)",
        description="Record a policy_rollback request: the loop policy becomes the baseline "
                    "again and pending candidates start their comparison anew. Applied at "
                    "once, or by the running daemon before any other work.")
    back.add_argument("--reason", default="", help="recorded with the rollback")
    _home_arg(back)
    _json_arg(back, "the outcome")
    back.set_defaults(func=_control("policy_rollback",
                                    lambda a: {"reason": a.reason} if a.reason else {}))
    approve = sub.add_parser(
        "approve", help="answer an escalated Chapter 13 proposal",
        description="Accept (or --reject) a proposal the acceptance rules escalated to a "
                    "person. An accepted one is judged again by the rules without the "
                    "escalation: its changes and its work apply unless a rule now rejects "
                    "it. The daemon applies the answer on its next turn.")
    approve.add_argument("proposal_id", metavar="PROPOSAL", help="the proposal's id "
                         "(watcher policy show lists the escalated ones)")
    approve.add_argument("--reject", action="store_true", help="reject it instead")
    _home_arg(approve)
    _json_arg(approve, "the outcome")
    approve.set_defaults(func=_control("proposal_approve", lambda a: {
        "proposal_id": a.proposal_id, "action": "reject" if a.reject else "accept"}))
