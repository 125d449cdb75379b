"""Step 2, the sieve: run step 1's plan with ``kernels.sieve`` over the training segment.

Each planned window start ``p`` is one search of every planned space over the training draws
from ``p`` on, with offsets reaching past the ``p`` draws before the window
(:func:`handlers.pipeline.common.window_offsets`): a survivor found there explains the history from its *anchor* ``p``
on (the draws before it are not part of its claim). The windows are searched in order and the search
stops at the first certain identification. Every survivor's p-value is corrected for all the
hypotheses of all the windows searched (Bonferroni), so a survivor is as honest as one search
of the lot. Survivors are an artifact (``survivors.json``: each hypothesis in full, its
anchor, matched and compared draws, corrected p-value).
"""

from __future__ import annotations

import math
from typing import Any

from kernels.sieve.backends import make_backend
from kernels.sieve.engine import (
    SearchSpace,
    SkipSpace,
    Survivor,
    SurvivorCapExceeded,
    search,
)
from ledger import NewEvent

from .common import StepInput, completed, run_step, window_offsets

__all__ = ["run", "survivor_rows"]


def survivor_rows(found: list[tuple[Survivor, int]], windows: int,
                  tolerant: bool = False) -> list[dict[str, Any]]:
    """Survivors with their anchors, p-values corrected for ``windows`` searches, best first."""
    log_windows = math.log10(max(windows, 1))
    rows: list[dict[str, Any]] = []
    for survivor, anchor in found:
        log10_p = min(0.0, survivor.log10_p_value + log_windows)
        row: dict[str, Any] = {"hypothesis": survivor.hypothesis.model_dump(mode="json"),
                               "anchor": anchor, "matched": survivor.matched,
                               "compared": survivor.compared, "log10_p_value": log10_p}
        if tolerant:  # the wrong draws, positions from the anchor, for steps 3-5 to rank by
            row.update(errors=survivor.errors, mismatches=list(survivor.mismatches))
        rows.append(row)
    rows.sort(key=lambda r: (r["log10_p_value"], r["anchor"], r["hypothesis"]["generator"],
                             r["hypothesis"]["seed"]))
    return rows


def sieve(step: StepInput) -> list[NewEvent]:
    """Step 2: the plan's search, survivors as an artifact."""
    ref, plan_run = step.earlier(1, "plan.json")
    train = [step.history.values[i] for i in step.split.train_range]
    empty: dict[str, Any] = {"hypotheses_tried": 0, "chunks_failed": 0, "expected_chance_survivors": 0.0,
                             "survivors": 0, "best_corrected_p": None, "identified": False}
    if ref is None:
        table = step.put_json("survivors.json", {"hypotheses": 0, "survivors": []})
        return [completed(step, {**empty, "degenerate": True, "plan_from_run": None},
                          summary="no plan from step 1 in this run or an earlier one",
                          artifacts=(table,))]
    plan = step.read_json(ref)
    spaces_plan = plan.get("spaces", [])
    if not spaces_plan or len(train) < plan.get("window", 1):
        table = step.put_json("survivors.json", {"hypotheses": 0, "survivors": []})
        return [completed(step, {**empty, "degenerate": True, "plan_from_run": plan_run},
                          summary="the plan holds no space that fits this history",
                          artifacts=(table,))]
    window = int(plan["window"])
    offsets = int(plan["offsets"])
    skip = SkipSpace(low=int(plan["skip"]["low"]), high=int(plan["skip"]["high"]))
    backend = make_backend(str(plan.get("backend", "numpy")))
    alpha = float(step.command.alpha)
    # wrong draws a survivor may have in each window (the plan's tolerated errors)
    errors = int(plan.get("errors", 0))
    starts = [int(p) for p in plan["window_starts"] if p + window <= len(train)]
    total = 0
    chance = 0.0
    found: list[tuple[Survivor, int]] = []
    searched_windows = 0
    capped = False
    for start in starts:
        first, stop = window_offsets(start, offsets, skip.low, skip.high)
        spaces = [
            SearchSpace(generator=piece["generator"], reductions=tuple(piece["reductions"]),
                        seed_start=int(low), seed_stop=int(high),
                        offset_start=first, offset_stop=stop, skip=skip)
            for piece in spaces_plan for low, high in piece["ranges"]
        ]
        try:
            result = search(spaces, train[start:], window=window, alpha=alpha, backend=backend,
                            errors=errors)
        except SurvivorCapExceeded:
            capped = True  # a window too short for the space: try the next one
            searched_windows += 1
            continue
        searched_windows += 1
        total += result.hypotheses
        chance += result.expected_chance_survivors
        found.extend((survivor, start) for survivor in result.survivors)
        if result.survivors and result.survivors[0].log10_p_value < -12:
            break  # certain: the later windows could not change the verdict
    # Bonferroni over every window searched: each survivor's p-value times the windows
    survivors = survivor_rows(found, searched_windows, tolerant=errors > 0)
    table = step.put_json("survivors.json", {"hypotheses": total, "survivors": survivors})
    best = survivors[0] if survivors else None
    best_log10 = best["log10_p_value"] if best else None
    metrics = {
        "hypotheses_tried": total, "expected_chance_survivors": chance,
        "survivor_cap_hit": capped,
        # a chunk that fails raises out of the search (the step fails): none failed for good
        "chunks_failed": 0,
        "survivors": len(survivors),
        "best_corrected_p": 10 ** best_log10 if best_log10 is not None else None,
        "best_log10_corrected_p": best_log10,
        "identified": bool(best_log10 is not None and best_log10 < math.log10(alpha)),
        "windows_searched": searched_windows, "spaces": len(spaces_plan),
        "window": window, "plan_from_run": plan_run, "degenerate": False,
    }
    summary = (f"{total} hypotheses over {searched_windows} window(s): {len(survivors)} "
               f"survivor(s), {chance:.3g} expected by chance"
               + (f"; best {best['hypothesis']['generator']} seed {best['hypothesis']['seed']} "
                  f"from position {best['anchor']} (log10 p {best_log10:.3g})" if best else ""))
    return [completed(step, metrics, summary=summary, artifacts=(table,))]


run = run_step(sieve)
