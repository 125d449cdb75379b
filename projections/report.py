"""``watcher report``: one self-contained HTML page of what the WATCHER saw and did.

Everything comes from the ledger's records through the read models of :mod:`projections.views`
(the draws, every prediction with its outcome, the runs and their steps); the page holds its
CSS and its charts (hand-made SVG) inline, loads nothing and runs no script, so it reads the
same offline, in a mail client or years later. Every string that came from the ledger (request
names and reasons, summaries, hypotheses) is escaped before it is written: a request reason
cannot inject markup.

Sections: the draws; the hit rate against the chance band over time; each identification with
its lag and its evidence; survivors against the survivors chance alone would give, per sieve
run; the runs; the timeline of triggers, proposals, verdicts, runs and promotions (every event
type the page does not chart elsewhere, by type, so event types added later appear without a
change here); the predictions.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from machine.events import DrawIngested, DrawIngestedV1, Fact
from machine.steps import step_for, unit_label

from .diagnostics import calibration, hit_rate_band, hypothesis_identity, sequential_test
from .views import DrawsView, PredictionsView, RunsView, StepsView

__all__ = [
    "ReportData",
    "collect",
    "identifications",
    "sieve_runs",
    "rolling_hit_rate",
    "render_report",
    "HIT_RATE_WINDOW",
    "CHARTED_TYPES",
]

#: Predictions per point of the hit-rate chart: the rate over the last this many scored ones.
HIT_RATE_WINDOW = 20
#: Event types the page shows in its own sections (draws, predictions, steps) or that are
#: bookkeeping of the machine; every other type is on the timeline.
CHARTED_TYPES = frozenset({
    "DrawIngested", "PredictionIssued", "PredictionScored", "CommandStarted", "LLMStarted",
    "LLMStopped", "RequestValidated", "StepStarted", "SelfplayStarted", "PoliciesSet",
})
#: Timeline lanes in the order a reader follows the loop; types not named here come after,
#: alphabetically.
_LANE_ORDER = (
    "TriggerFired", "ProposalMade", "ProposalAccepted", "ProposalRejected", "ProposalEscalated",
    "RequestReceived", "RequestRejected", "DispatchPlanned", "DispatchStarted", "StepCompleted",
    "StepFailed", "VerdictRecorded", "LLMUnavailable", "Escalated", "Approved",
    "DispatchCompleted", "DispatchFailed", "SelfplayCompleted", "SelfplayFailed",
    "CandidateEmitted", "ShadowScored", "PolicyPromoted", "CandidateRetired",
    "PolicyRolledBack", "Halted", "Resumed", "LedgerRepaired",
)
#: Rows of the timeline table (the newest); the lanes chart shows every event.
TIMELINE_ROWS = 400
#: Rows of the predictions table (the newest).
PREDICTION_ROWS = 300


@dataclass
class TimelineEvent:
    """One event of the timeline: where it sits (seq, time, draws recorded before it)."""

    seq: int
    ts: str
    type: str
    run_id: str | None
    draws: int
    detail: str


@dataclass
class ReportData:
    """What the page is made of, gathered in one pass over the records."""

    events: int = 0
    first_ts: str | None = None
    last_ts: str | None = None
    head: str | None = None
    predictions: PredictionsView = field(default_factory=PredictionsView)
    draws: DrawsView = field(default_factory=DrawsView)
    steps: StepsView = field(default_factory=StepsView)
    runs: RunsView = field(default_factory=RunsView)
    timeline: list[TimelineEvent] = field(default_factory=list)
    #: run id -> draws recorded when the run started
    run_draws: dict[str, int] = field(default_factory=dict)


def collect(records: Iterable[Any]) -> ReportData:
    """Fold ``records`` (ledger records, in seq order) into the page's data."""
    data = ReportData()
    views = (data.predictions, data.draws, data.steps, data.runs)
    drawn = 0
    for record in records:
        fact = Fact.of(record)
        for view in views:
            view.apply(fact)
        event = fact.event
        if isinstance(event, DrawIngestedV1):
            event = event.upcast(drawn)
        if isinstance(event, DrawIngested):
            drawn = event.position + len(event.values)
        if fact.meta.run_id and fact.meta.run_id not in data.run_draws:
            data.run_draws[fact.meta.run_id] = drawn
        data.events += 1
        data.first_ts = data.first_ts or fact.meta.ts
        data.last_ts = fact.meta.ts
        data.head = getattr(record, "hash", None)
        if record.type not in CHARTED_TYPES:
            data.timeline.append(TimelineEvent(
                seq=fact.meta.seq, ts=fact.meta.ts, type=record.type, run_id=fact.meta.run_id,
                draws=drawn, detail=event_detail(record.type, dict(record.data))))
    return data


# --- what the sections compute ------------------------------------------------------------


def _step_metrics(steps: StepsView, run_id: str | None, step: str) -> dict[str, Any]:
    """The metrics of the run's last completed attempt of ``step`` (empty when none)."""
    unit = step_for(step).unit
    for item in reversed(steps.items):
        if item["run_id"] == run_id and item["unit"] == unit and item["outcome"] == "completed":
            metrics: dict[str, Any] = item["metrics"]
            return metrics
    return {}


def identifications(predictions: PredictionsView, steps: StepsView) -> list[dict[str, Any]]:
    """Each hypothesis the predictions were identified under (the same one by
    :func:`projections.diagnostics.hypothesis_identity`), in the order it first was.

    ``lag`` counts the draws from the start of its regime to its first identified prediction:
    the regime starts at the hypothesis's anchor (the first draw it explains), or earlier at
    the draw the previous identification first missed (where the generator was seen to
    change). ``evidence`` is what the run that identified it measured: the sieve's search size,
    survivors and the survivors chance alone would give, and the prediction step's matches
    over the whole history with their corrected p-value.
    """
    found: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for item in predictions.items:
        hypothesis = item["hypothesis"]
        if not item["identified"] or not isinstance(hypothesis, dict):
            continue
        key = hypothesis_identity(hypothesis)
        entry = by_key.get(key)
        if entry is None:
            anchor = hypothesis.get("anchor")
            since = anchor if isinstance(anchor, int) else None
            previous_miss = found[-1]["first_miss"] if found else None
            if previous_miss is not None and (since is None or previous_miss < since):
                since = previous_miss
            sieve = _step_metrics(steps, item["run_id"], "sieve")
            prediction = _step_metrics(steps, item["run_id"], "prediction")
            entry = {
                "hypothesis": hypothesis, "run_id": item["run_id"], "seq": item["seq"],
                "ts": item["ts"], "first_target": item["target_index"], "since": since,
                "lag": item["target_index"] - since if since is not None else None,
                "predictions": 0, "scored": 0, "hits": 0, "first_miss": None,
                "evidence": {
                    "hypotheses_tried": sieve.get("hypotheses_tried"),
                    "survivors": sieve.get("survivors"),
                    "expected_chance_survivors": sieve.get("expected_chance_survivors"),
                    "best_log10_corrected_p": sieve.get("best_log10_corrected_p"),
                    "history_matches": prediction.get("top_history_matches"),
                    "history_compared": prediction.get("top_history_compared"),
                    "log10_corrected_p": prediction.get("top_log10_corrected_p"),
                },
            }
            by_key[key] = entry
            found.append(entry)
        entry["predictions"] += 1
        if item["status"] == "scored":
            entry["scored"] += 1
            entry["hits"] += bool(item["hit"])
            if not item["hit"] and entry["first_miss"] is None:
                entry["first_miss"] = item["target_index"]
    return found


def sieve_runs(data: ReportData) -> list[dict[str, Any]]:
    """Every completed sieve attempt: its search size, survivors and the survivors chance
    alone would give a search that size."""
    unit = step_for("sieve").unit
    rows = []
    for item in data.steps.items:
        if item["unit"] != unit or item["outcome"] != "completed":
            continue
        metrics = item["metrics"]
        rows.append({
            "run_id": item["run_id"], "attempt": item["attempt"], "started": item["started"],
            "history": data.run_draws.get(item["run_id"] or ""),
            "draws": metrics.get("draws"),
            "hypotheses": metrics.get("hypotheses_tried"),
            "survivors": metrics.get("survivors"),
            "expected": metrics.get("expected_chance_survivors"),
            "best_log10_p": metrics.get("best_log10_corrected_p"),
            "identified": metrics.get("identified"),
        })
    return rows


def rolling_hit_rate(predictions: PredictionsView,
                     window: int = HIT_RATE_WINDOW) -> list[dict[str, Any]]:
    """Per scored prediction (in target order): the hit rate over the last ``window`` scored
    predictions, the chance rate of those pools, and the band a chance hit rate stays inside
    95% of the time (:func:`projections.diagnostics.hit_rate_band`, as rates)."""
    outcomes = sorted((o for o in predictions.outcomes() if o.chance_rate is not None),
                      key=lambda o: o.target_index)
    points = []
    for n, outcome in enumerate(outcomes, 1):
        band = hit_rate_band(outcomes[max(0, n - window):n])
        size = band.scored
        points.append({
            "target_index": outcome.target_index, "hit": outcome.hit,
            "identified": outcome.identified, "rate": band.hits / size,
            "chance": band.expected / size, "low": band.band_low / size,
            "high": min(1.0, band.band_high / size),
        })
    return points


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_detail(type_: str, data: dict[str, Any]) -> str:
    """One line saying what an event of any type holds (plain text, escaped when written)."""
    if type_ == "VerdictRecorded":
        turn = (f"{data.get('decision')} → {data.get('effective')}"
                if data.get("clamped") else str(data.get("effective")))
        reasons = "; ".join(str(r) for r in data.get("reasons") or ())
        return _short(f"{unit_label(str(data.get('unit')))}: {data.get('source')} {turn}"
                      f"{': ' + reasons if reasons else ''}", 240)
    if type_ in ("DispatchStarted", "DispatchPlanned"):
        plan = data.get("plan") or {}
        units = ", ".join(unit_label(str(u.get("unit"))) for u in plan.get("units", ()))
        return _short(f"{plan.get('kind')}: {units}", 240)
    if type_ == "StepCompleted":
        return _short(f"{unit_label(str(data.get('step')))}: {data.get('summary') or ''}", 240)
    if type_ == "RequestReceived":
        payload = data.get("payload") or {}
        return _short(f"{data.get('name')} ({payload.get('kind', 'unreadable')})", 240)
    if type_ == "TriggerFired":
        evidence = " ".join(f"{k}={_short(v, 40)}" for k, v in sorted(
            (data.get("evidence") or {}).items()))
        return _short(f"{data.get('trigger_id')}: {data.get('trigger')} after draw "
                      f"{int(data.get('position', 0)) - 1}, "
                      f"searching from draw {data.get('since')}: {evidence}", 240)
    if type_ == "ProposalMade":
        return _short(f"{data.get('source')}: {data.get('recommended_action')} "
                      f"({data.get('failure_mode')}, risk {data.get('risk_level')}, confidence "
                      f"{data.get('confidence')}): {data.get('reasoning')}", 240)
    if type_ == "ProposalAccepted":
        changes = ", ".join(f"{c.get('name')} {c.get('old')} → {c.get('new')}"
                            for c in data.get("changes") or ())
        return _short(f"{data.get('proposal_id')}: {changes or 'no parameter changed'}"
                      f"{'; request ' + str(data['request_name']) if data.get('request_name') else ''}",
                      240)
    if type_ in ("ProposalRejected", "ProposalEscalated"):
        return _short(f"{data.get('proposal_id')}: {'; '.join(map(str, data.get('reasons') or ()))}",
                      240)
    if type_ == "PolicyPromoted":
        return _short(f"{data.get('candidate_id')} replaces {data.get('previous')}: "
                      f"{data.get('wins')} wins, {data.get('losses')} losses over "
                      f"{data.get('shadow_draws')} shadow draws; {data.get('evidence')}", 240)
    if type_ == "ShadowScored":
        candidate, active = data.get("candidate_hits") or (), data.get("active_hits") or ()
        return _short(f"{data.get('candidate_id')} from draw {data.get('first_index')}: "
                      f"{sum(map(bool, candidate))} hit(s) against the active policy's "
                      f"{sum(map(bool, active))} in {len(candidate)}", 240)
    parts = []
    for key, value in sorted(data.items()):
        if value in (None, "", [], {}) or key in ("sha256", "source_sha256", "model_sha256"):
            continue
        parts.append(f"{key}={_short(value, 80)}")
    return _short(" ".join(parts), 240)


# --- SVG ------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Any value as text safe inside HTML and SVG, attributes included."""
    return html.escape(str(value), quote=True)


def _ticks(low: float, high: float, count: int = 6, *, whole: bool = False) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten
    (``whole``: never below 1, for axes that count draws or runs)."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1)
    start = math.ceil(low / step) * step
    return [start + i * step for i in range(int((high - start) / step + 1e-9) + 1)]


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}"


@dataclass
class _Plot:
    """A plotting area: data coordinates to pixels, axes, and the SVG elements drawn so far."""

    width: int
    height: int
    x0: float
    x1: float
    y0: float
    y1: float
    title: str
    left: int = 56
    right: int = 16
    top: int = 28
    bottom: int = 36
    parts: list[str] = field(default_factory=list)

    def x(self, value: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return self.left + (value - self.x0) / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return self.height - self.bottom - (value - self.y0) / span * (
            self.height - self.top - self.bottom)

    def axes(self, x_label: str, y_label: str, y_format: Any = _number,
             y_ticks: Sequence[float] | None = None) -> None:
        bottom, left = self.height - self.bottom, self.left
        out = self.parts
        for tick in (y_ticks if y_ticks is not None else _ticks(self.y0, self.y1, 5)):
            py = self.y(tick)
            out.append(f'<line class="grid" x1="{left}" y1="{py:.1f}" '
                       f'x2="{self.width - self.right}" y2="{py:.1f}"/>')
            out.append(f'<text class="tick" x="{left - 6}" y="{py + 4:.1f}" '
                       f'text-anchor="end">{_e(y_format(tick))}</text>')
        for tick in _ticks(self.x0, self.x1, 8, whole=True):
            px = self.x(tick)
            out.append(f'<line class="axis" x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" '
                       f'y2="{bottom + 4}"/>')
            out.append(f'<text class="tick" x="{px:.1f}" y="{bottom + 16}" '
                       f'text-anchor="middle">{_e(_number(tick))}</text>')
        out.append(f'<line class="axis" x1="{left}" y1="{bottom}" '
                   f'x2="{self.width - self.right}" y2="{bottom}"/>')
        out.append(f'<line class="axis" x1="{left}" y1="{self.top}" x2="{left}" y2="{bottom}"/>')
        out.append(f'<text class="label" x="{(left + self.width - self.right) / 2:.0f}" '
                   f'y="{self.height - 4}" text-anchor="middle">{_e(x_label)}</text>')
        out.append(f'<text class="label" x="12" y="{(self.top + bottom) / 2:.0f}" '
                   f'text-anchor="middle" transform="rotate(-90 12 '
                   f'{(self.top + bottom) / 2:.0f})">{_e(y_label)}</text>')

    def svg(self, legend: Sequence[tuple[str, str]] = ()) -> str:
        items = []
        px = self.left
        for css, label in legend:
            items.append(f'<rect class="{css}" x="{px}" y="8" width="12" height="12"/>'
                         f'<text class="legend" x="{px + 16}" y="18">{_e(label)}</text>')
            px += 40 + round(6.5 * len(label))
        return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
                f'viewBox="0 0 {self.width} {self.height}" width="{self.width}" '
                f'height="{self.height}"><title>{_e(self.title)}</title>'
                + "".join(items) + "".join(self.parts) + "</svg>")


def _marker_lines(plot: _Plot, data: ReportData) -> None:
    """Identifications (blue) and triggers (orange) as vertical lines at their draw."""
    for entry in identifications(data.predictions, data.steps):
        px = plot.x(entry["first_target"])
        plot.parts.append(f'<line class="ident" x1="{px:.1f}" y1="{plot.top}" x2="{px:.1f}" '
                          f'y2="{plot.height - plot.bottom}"><title>identified '
                          f'{_e(entry["hypothesis"].get("generator"))} from draw '
                          f'{entry["first_target"]}</title></line>')
    for event in data.timeline:
        # A trigger fires after the draws before it: between the last of them and the next.
        where = event.draws - 0.5
        if event.type == "TriggerFired" and plot.x0 <= where <= plot.x1:
            px = plot.x(where)
            plot.parts.append(f'<line class="trigger" x1="{px:.1f}" y1="{plot.top}" '
                              f'x2="{px:.1f}" y2="{plot.height - plot.bottom}"><title>'
                              f'{_e(event.detail)}</title></line>')


def _draws_chart(data: ReportData, width: int) -> str:
    recent = data.draws.recent
    if not recent:
        return '<p class="empty">No draws recorded.</p>'
    first = data.draws.count - len(recent)
    top = max(data.predictions.alphabet or 0, max(recent) + 1)
    plot = _Plot(width, 260, first - 0.5, data.draws.count - 0.5, 0, top,
                 "the draws, predicted ones marked")
    plot.axes("position of the draw in the history", "draw")
    predicted: dict[int, str] = {}
    for item in data.predictions.scored():
        if item["hit"]:
            predicted[item["target_index"]] = "hit-ident" if item["identified"] else "hit-chance"
        elif item["identified"]:
            predicted[item["target_index"]] = "miss-ident"
    _marker_lines(plot, data)
    radius = 2.6 if len(recent) <= 400 else 1.6
    for offset, value in enumerate(recent):
        position = first + offset
        css = predicted.get(position, "draw")
        plot.parts.append(f'<circle class="{css}" cx="{plot.x(position):.1f}" '
                          f'cy="{plot.y(value):.1f}" r="{radius}"><title>draw {position}: '
                          f'{value}</title></circle>')
    svg = plot.svg([("draw", "draw"), ("hit-ident", "predicted exactly (identified)"),
                    ("miss-ident", "identified, missed"), ("hit-chance", "in a chance pool"),
                    ("ident", "identification"), ("trigger", "trigger")])
    if first:
        svg += (f'<p class="note">The newest {len(recent)} of {data.draws.count} draws '
                f'(from draw {first}).</p>')
    return svg


def _hit_rate_chart(data: ReportData, width: int) -> str:
    points = rolling_hit_rate(data.predictions)
    if not points:
        return '<p class="empty">No prediction has been scored yet.</p>'
    x0 = min(p["target_index"] for p in points) - 0.5
    x1 = max(max(p["target_index"] for p in points), data.draws.count - 1) + 0.5
    plot = _Plot(width, 240, x0, x1, 0.0, 1.0,
                 f"hit rate over the last {HIT_RATE_WINDOW} scored predictions against chance")
    plot.axes("position of the predicted draw", "hit rate",
              y_format=lambda v: f"{v:.0%}", y_ticks=[0, 0.25, 0.5, 0.75, 1.0])
    upper = " ".join(f"{plot.x(p['target_index']):.1f},{plot.y(p['high']):.1f}" for p in points)
    lower = " ".join(f"{plot.x(p['target_index']):.1f},{plot.y(p['low']):.1f}"
                     for p in reversed(points))
    plot.parts.append(f'<polygon class="band" points="{upper} {lower}"/>')
    plot.parts.append('<polyline class="chance" points="' + " ".join(
        f"{plot.x(p['target_index']):.1f},{plot.y(p['chance']):.1f}" for p in points) + '"/>')
    _marker_lines(plot, data)
    plot.parts.append('<polyline class="rate" points="' + " ".join(
        f"{plot.x(p['target_index']):.1f},{plot.y(p['rate']):.1f}" for p in points) + '"/>')
    if len(points) <= 300:  # dots too, so that a line of one point is seen
        plot.parts.extend(f'<circle class="rate-dot" cx="{plot.x(p["target_index"]):.1f}" '
                          f'cy="{plot.y(p["rate"]):.1f}" r="2.5"/>' for p in points)
    for p in points:
        css = ("hit-ident" if p["identified"] else "hit-chance") if p["hit"] else "miss"
        plot.parts.append(f'<rect class="{css}" x="{plot.x(p["target_index"]) - 1:.1f}" '
                          f'y="{plot.height - plot.bottom - 6}" width="2" height="6"><title>'
                          f'draw {p["target_index"]}: {"hit" if p["hit"] else "miss"}</title>'
                          f'</rect>')
    return plot.svg([("rate", "hit rate"), ("band", "chance (95% band)"),
                     ("hit-ident", "hit (identified)"), ("hit-chance", "hit (chance pool)"),
                     ("miss", "miss"),
                     ("ident", "identification"), ("trigger", "trigger")])


def _survivors_chart(rows: list[dict[str, Any]], width: int) -> str:
    numeric = [r for r in rows if isinstance(r["survivors"], (int, float))
               and isinstance(r["expected"], (int, float))]
    if not numeric:
        return '<p class="empty">No sieve run has completed.</p>'
    # Counts and expectations span dozens of decades: log10, with zero survivors on the floor.
    logs = [math.log10(r["expected"]) for r in numeric if r["expected"] > 0]
    logs += [math.log10(r["survivors"]) for r in numeric if r["survivors"] > 0]
    floor = math.floor(min(logs + [0.0])) - 1
    ceiling = math.ceil(max(logs + [0.0])) + 1
    plot = _Plot(width, 240, 0.5, len(numeric) + 0.5, floor, ceiling,
                 "survivors against the survivors chance alone would give, per sieve run")
    plot.axes("sieve run (in order)", "count (log scale)",
              y_format=lambda v: "0" if v == floor else f"1e{int(v)}",
              y_ticks=[floor] + [t for t in _ticks(floor + 1, ceiling, 6) if t == int(t)])
    for n, row in enumerate(numeric, 1):
        px = plot.x(n)
        expected = math.log10(row["expected"]) if row["expected"] > 0 else floor
        survivors = math.log10(row["survivors"]) if row["survivors"] > 0 else floor
        label = (f"run {row['run_id']} attempt {row['attempt']}: {row['survivors']} survivor(s),"
                 f" {row['expected']:.3g} expected by chance, {row['hypotheses']} hypotheses")
        plot.parts.append(f'<rect class="expected" x="{px - 6:.1f}" y="{plot.y(expected) - 2:.1f}"'
                          f' width="12" height="4"><title>{_e(label)}</title></rect>')
        plot.parts.append(f'<circle class="survivors" cx="{px:.1f}" cy="{plot.y(survivors):.1f}"'
                          f' r="4"><title>{_e(label)}</title></circle>')
    return plot.svg([("survivors", "survivors"), ("expected", "expected by chance")])


def _timeline_chart(data: ReportData, width: int) -> str:
    if not data.timeline:
        return '<p class="empty">No events yet.</p>'
    types = sorted({e.type for e in data.timeline},
                   key=lambda t: (_LANE_ORDER.index(t) if t in _LANE_ORDER else len(_LANE_ORDER),
                                  t))
    lane = 18
    plot = _Plot(width, 40 + lane * len(types) + 36, -0.5, max(data.draws.count, 1) + 0.5,
                 0, len(types), "events by type, placed at the draws recorded before them",
                 left=150)
    plot.axes("draws recorded before the event", "", y_ticks=[])
    for n, type_ in enumerate(types):
        py = plot.top + n * lane + lane / 2
        plot.parts.append(f'<text class="tick" x="{plot.left - 6}" y="{py + 4:.1f}" '
                          f'text-anchor="end">{_e(type_)}</text>')
        plot.parts.append(f'<line class="grid" x1="{plot.left}" y1="{py:.1f}" '
                          f'x2="{width - plot.right}" y2="{py:.1f}"/>')
    # Lanes are laid out top to bottom in pixel space: the plot's y scale is not used.
    for event in data.timeline:
        py = plot.top + types.index(event.type) * lane + lane / 2
        css = "ev-" + ("bad" if event.type.endswith(("Failed", "Rejected", "Escalated"))
                       or event.type in ("LLMUnavailable", "Halted", "LedgerRepaired",
                                         "TriggerFired", "PolicyRolledBack")
                       else "ok")
        plot.parts.append(f'<circle class="{css}" cx="{plot.x(event.draws):.1f}" '
                          f'cy="{py:.1f}" r="4"><title>{event.seq} {_e(event.ts)} '
                          f'{_e(event.type)}: {_e(event.detail)}</title></circle>')
    return plot.svg()


# --- the page -------------------------------------------------------------------------------


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
margin:24px auto;max-width:1280px;padding:0 16px;color:#1d232a;background:#fff;line-height:1.4}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;
border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:13px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:130px}
.card b{display:block;font-size:20px}.card span{color:#57606a;font-size:12px}
.verdict{font-size:15px;margin:6px 0}
table{border-collapse:collapse;font-size:12.5px;width:100%;margin:6px 0}
th,td{border-bottom:1px solid #eaeef2;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.detail{word-break:break-word;max-width:640px}
.note,.empty{color:#57606a;font-size:13px}.hit{color:#1a7f37;font-weight:600}
.miss{color:#57606a}.open{color:#9a6700}
svg{display:block;max-width:100%;height:auto;margin:6px 0}
svg .grid{stroke:#eaeef2}svg .axis{stroke:#57606a}
svg .tick,svg .legend{font-size:11px;fill:#57606a}svg .label{font-size:12px;fill:#1d232a}
svg .draw{fill:#8c959f}svg .hit-ident{fill:#1a7f37}svg .hit-chance{fill:#bf8700}
svg .miss-ident{fill:#cf222e}td.ts{white-space:nowrap}
svg rect.miss{fill:#d0d7de}svg .band{fill:#c8d1da;fill-opacity:.6}
svg .chance{fill:none;stroke:#57606a;stroke-dasharray:4 3}
svg .rate{fill:none;stroke:#0969da;stroke-width:2}svg rect.rate,svg .rate-dot{fill:#0969da}
svg rect.band{fill:#c8d1da}svg rect.chance{fill:#57606a}
svg .ident{stroke:#0969da;stroke-dasharray:3 3}svg rect.ident{fill:#0969da;stroke:none}
svg .trigger{stroke:#cf222e;stroke-opacity:.45}svg rect.trigger{fill:#cf222e;stroke:none}
svg .survivors{fill:#0969da}svg .expected{fill:#cf222e}
svg .ev-ok{fill:#0969da;fill-opacity:.75}svg .ev-bad{fill:#cf222e}
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[tuple[str, str]]]) -> str:
    """A table; each cell is (css class, already escaped HTML)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="{css}">{cell}</td>' for css, cell in row)
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _when(ts: str) -> str:
    """A ledger time as a person reads it: to the second, UTC."""
    return ts[:19].replace("T", " ")


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return _e(value)


def _hypothesis_text(hypothesis: dict[str, Any] | None) -> str:
    if not hypothesis:
        return "–"
    skip = hypothesis.get("skip")
    if isinstance(skip, dict):
        skip = (f"{skip.get('skips')}+{skip.get('then')}" if skip.get("skips")
                else skip.get("then"))
    return _e(f"{hypothesis.get('generator')} seed {hypothesis.get('seed')} "
              f"{hypothesis.get('reduction')} offset {hypothesis.get('offset')} skip {skip}")


def _diagnostics_table(data: ReportData) -> str:
    """Chapter 13's diagnostics over every scored prediction."""
    outcomes = data.predictions.outcomes()
    if not outcomes:
        return ""
    band = hit_rate_band(outcomes)
    test = sequential_test(outcomes)
    claims = calibration(outcomes)
    rows = [
        [("", "hits against chance"),
         ("", _e(f"{band.hits} hit(s) in {band.scored} scored prediction(s) whose chance is "
                 f"known; chance alone gives {band.expected:.3g} (95% band {band.band_low:.3g} "
                 f"to {band.band_high:.3g}, a normal approximation): "
                 + ("inside the band" if band.inside_band else
                    "above the band" if band.hits > band.band_high else "below the band")))],
        [("", "sequential test"),
         ("", _e(f"first bound crossed: {test.verdict}; log likelihood ratio now "
                 f"{test.log_ratio:.3g} after {test.n} prediction(s) ('above chance' at "
                 f"{test.accept_at:.3g} or more, 'chance' at {test.reject_at:.3g} or less)"))],
        [("", "calibration"),
         ("", _e(f"the predictions claimed {claims.claimed:.3g} hit(s) and made {claims.hits}; "
                 f"Brier score {_fmt(claims.brier)}, z {_fmt(claims.z)}"))],
    ]
    return _table(["diagnostic", "over every scored prediction"], rows)


def _identifications_section(data: ReportData) -> str:
    found = identifications(data.predictions, data.steps)
    if not found:
        return ('<p class="empty">No prediction has been made under an identified hypothesis: '
                'the system has claimed no generator.</p>')
    rows = []
    for n, entry in enumerate(found, 1):
        ev = entry["evidence"]
        evidence = (f"sieve: {_fmt(ev['hypotheses_tried'])} hypotheses, "
                    f"{_fmt(ev['survivors'])} survivor(s), "
                    f"{_fmt(ev['expected_chance_survivors'])} expected by chance, best log10 "
                    f"corrected p {_fmt(ev['best_log10_corrected_p'])}; history: "
                    f"{_fmt(ev['history_matches'])} of {_fmt(ev['history_compared'])} draws "
                    f"matched, log10 corrected p {_fmt(ev['log10_corrected_p'])}")
        ended = ("still exact" if entry["first_miss"] is None
                 else f"first miss at draw {entry['first_miss']}")
        rows.append([
            ("num", str(n)), ("", _hypothesis_text(entry["hypothesis"])),
            ("num", _fmt(entry["since"])), ("num", _fmt(entry["first_target"])),
            ("num", _fmt(entry["lag"])),
            ("num", f"{entry['hits']} / {entry['scored']}"), ("", _e(ended)),
            ("detail", evidence), ("", _e(entry["run_id"] or "–")),
        ])
    return (_table(["#", "hypothesis", "regime from draw", "first identified prediction",
                    "lag (draws)", "hits / scored", "until", "evidence", "run"], rows)
            + '<p class="note">Lag: draws from the start of the regime (the hypothesis\'s '
              'anchor, or the draw the previous identification first missed) to the first '
              'prediction made under the identified hypothesis.</p>')


def _survivors_section(data: ReportData, width: int) -> str:
    rows = sieve_runs(data)
    table = _table(
        ["run", "attempt", "history (draws)", "draws it read", "hypotheses", "survivors",
         "expected by chance", "best log10 corrected p", "identified"],
        ([("", _e(r["run_id"] or "–")), ("num", _fmt(r["attempt"])),
          ("num", _fmt(r["history"])), ("num", _fmt(r["draws"])),
          ("num", _fmt(r["hypotheses"])), ("num", _fmt(r["survivors"])),
          ("num", _fmt(r["expected"])), ("num", _fmt(r["best_log10_p"])),
          ("", _fmt(r["identified"]))] for r in rows[-TIMELINE_ROWS:]))
    return _survivors_chart(rows, width) + (table if rows else "")


def _runs_section(data: ReportData) -> str:
    runs = list(data.runs.items.values())
    if not runs:
        return '<p class="empty">No run has started.</p>'
    shown = runs[-TIMELINE_ROWS:]
    note = (f'<p class="note">The {len(shown)} newest of {len(runs)} runs.</p>'
            if len(shown) < len(runs) else "")
    return note + _table(
        ["run", "kind", "units", "draws", "started (UTC)", "ended (UTC)", "status", "outcome"],
        ([("", _e(r["run_id"])), ("", _e(r["kind"])),
          ("", _e(", ".join(unit_label(u) for u in r["units"]))),
          ("num", _fmt(data.run_draws.get(r["run_id"]))), ("ts", _e(_when(r["started"]))),
          ("ts", _e(_when(r["ended"] or "") or "–")), ("", _e(r["status"])),
          ("detail", _e(r["outcome"] or ""))] for r in shown))


def _timeline_section(data: ReportData, width: int) -> str:
    events = data.timeline[-TIMELINE_ROWS:]
    left_out = len(data.timeline) - len(events)
    note = (f'<p class="note">The {len(events)} newest of {len(data.timeline)} events are '
            f'listed; the chart shows all of them.</p>' if left_out else "")
    table = _table(["seq", "time (UTC)", "draws", "event", "run", "what"],
                   ([("num", str(e.seq)), ("ts", _e(_when(e.ts))), ("num", str(e.draws)),
                     ("", _e(e.type)), ("", _e(e.run_id or "")), ("detail", _e(e.detail))]
                    for e in events))
    return _timeline_chart(data, width) + note + (table if events else "")


def _predictions_section(data: ReportData) -> str:
    items = data.predictions.items
    if not items:
        return '<p class="empty">No prediction has been issued.</p>'
    shown = items[-PREDICTION_ROWS:]
    rows = []
    for item in shown:
        pool = item["pool"]
        values = " ".join(str(d) for d, _p in pool[:5]) + (f" +{len(pool) - 5}"
                                                         if len(pool) > 5 else "")
        if item["status"] == "scored":
            outcome = ('<span class="hit">hit</span>' if item["hit"]
                       else '<span class="miss">miss</span>')
        elif item["status"] == "late":
            outcome = "late: issued after its draw, not counted"
        elif item["status"] == "superseded":
            outcome = "superseded by a later prediction"
        elif item["status"] == "open":
            outcome = '<span class="open">open</span>'
        else:
            outcome = _e(item["status"])
        rows.append([
            ("num", str(item["target_index"])), ("ts", _e(_when(item["ts"]))),
            ("", "identified" if item["identified"] else "chance"), ("", _e(values)),
            ("num", _fmt(item["chance"])), ("num", _fmt(item["draw"])), ("", outcome),
            ("num", _fmt(item["rank"])), ("num", _fmt(item["probability"])),
        ])
    note = (f'<p class="note">The {len(shown)} newest of {len(items)} predictions.</p>'
            if len(shown) < len(items) else "")
    return note + _table(["target draw", "issued (UTC)", "kind", "pool", "chance of a hit",
                          "draw", "outcome", "rank", "probability given"], rows)


def _verdict(summary: dict[str, Any]) -> str:
    scored, hits, expected = summary["scored"], summary["hits"], summary["expected_hits"]
    if not scored:
        return "No prediction has been scored yet."
    text = f"{hits} hit(s) in {scored} scored prediction(s)"
    if expected is not None:
        text += f"; chance alone would give {expected:.3g}"
    if summary["identified"]:
        text += (f". Under an identified hypothesis: {summary['identified_hits']} of "
                 f"{summary['identified']} exact")
    return text + "."


def render_report(records: Iterable[Any], *, title: str = "prng-watcher report",
                  source: str = "", generated: str = "", width: int = 1200) -> str:
    """The whole page for the ledger ``records`` (in seq order)."""
    data = collect(records)
    summary = data.predictions.summary()
    found = identifications(data.predictions, data.steps)
    runs = data.runs.items.values()
    cards = [
        (str(data.draws.count), "draws"),
        (str(summary["predictions"]), "predictions"),
        (f"{summary['hits']} / {summary['scored']}", "hits / scored"),
        ("–" if summary["expected_hits"] is None else f"{summary['expected_hits']:.3g}",
         "hits expected by chance"),
        (str(summary["open"]), "open"),
        (str(len(found)), "identifications"),
        (str(sum(r["status"] == "completed" for r in runs)), "runs completed"),
        (str(sum(r["status"] == "failed" for r in runs)), "runs failed"),
        (str(sum(e.type == "TriggerFired" for e in data.timeline)), "triggers"),
        (str(sum(e.type == "ProposalMade" for e in data.timeline)), "proposals"),
        (str(sum(e.type == "PolicyPromoted" for e in data.timeline)), "promotions"),
    ]
    meta = (f"{_e(source)} · {data.events} events, seq 0 to {data.events - 1} · "
            f"{_e(data.first_ts or '–')} to {_e(data.last_ts or '–')} · head "
            f"{_e(data.head or '–')}" + (f" · written {_e(generated)}" if generated else ""))
    sections = [
        ("draws", "The draws", _draws_chart(data, width)),
        ("hit-rate", "Hit rate against chance",
         _hit_rate_chart(data, width) + _diagnostics_table(data)),
        ("identifications", "Identifications", _identifications_section(data)),
        ("survivors", "Survivors against chance, per sieve run", _survivors_section(data, width)),
        ("runs", "Runs", _runs_section(data)),
        ("timeline", "Timeline: triggers, proposals, verdicts, runs, promotions",
         _timeline_section(data, width)),
        ("predictions", "Predictions", _predictions_section(data)),
    ]
    body = "".join(f'<section id="{key}"><h2>{_e(heading)}</h2>{content}</section>'
                   for key, heading, content in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class=\"meta\">{meta}</p>"
        '<div class="cards">' + "".join(f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}'
                                         f'</span></div>' for v, k in cards) + "</div>"
        f'<p class="verdict">{_e(_verdict(summary))}</p>' + body + "</body></html>\n"
    )
