"""The autonomous loop on a live stream: random draws, then a server that reseeds its generator
with the clock, fed one draw at a time through ``watcher ingest -`` and ``watcher daemon
--once``. The reseeds are made by the real runtimes (glibc's ``srand(time)`` and ``rand() %
1000``, then ``std::mt19937(time)() % 1000``): skipped where gcc or g++ is missing. The full
three-reseed stream (with ``new java.util.Random(millis)``) runs in
``benchmarks/loop_bench.py``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger import read_ledger

from handlers.pipeline.synthetic import Reseed, RuntimeMissing, reseeded_stream
from machine.cli import main
from machine.replay import replay

#: What the suite feeds: a few random draws, then two reseeds.
RANDOM_DRAWS = 8
SEGMENTS = [("glibc_srand_time", 12), ("mt19937_time", 10)]
#: Draws after a reseed by which every prediction must be exact (the loop's bound; it aims at 8).
MAX_LAG = 20


@pytest.fixture(autouse=True)
def _guardrails_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the LLM judges nothing here (its verdicts are tested elsewhere): guardrails and the
    # advisor's rules decide, as they do when no model is installed
    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "llm.*,chapter13.advise")
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))


def _feed(home: Path, record: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO((json.dumps(record) + "\n").encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["ingest", "-", "--home", str(home)]) == 0
    assert main(["daemon", "--once", "--quiet", "--home", str(home)]) == 0
    capsys.readouterr()


def stream_outcome(ledger: list[Any], reseeds: list[Reseed], total: int) -> dict[str, Any]:
    """Per reseed, the lag (draws after it until every later prediction of its segment is an
    exact identified hit), and the predictions that claimed a generator on the random part,
    or were issued after their draw."""
    drawn = 0
    late = []
    predictions: dict[int, dict[str, Any]] = {}
    hits: dict[int, bool] = {}
    for record in ledger:
        if record.type == "DrawIngested":
            drawn += len(record.data["values"])
        elif record.type == "PredictionIssued":
            if record.data["target_index"] < drawn:
                late.append(record.data["target_index"])
            else:
                predictions[record.data["target_index"]] = record.data
        elif record.type == "PredictionScored":
            hits[record.data["target_index"]] = record.data["hit"]
    first = reseeds[0].position if reseeds else total
    claims = sorted(t for t, p in predictions.items() if t < first and p["identified"])
    lags = []
    ends = [r.position for r in reseeds[1:]] + [total]
    for reseed, end in zip(reseeds, ends):
        exact = [t for t in range(reseed.position, end)
                 if predictions.get(t, {}).get("identified") and hits.get(t)]
        # the first target from which every prediction of the segment was exact
        start = end
        for t in range(end - 1, reseed.position - 1, -1):
            if t in exact:
                start = t
            else:
                break
        lags.append(start - reseed.position if start < end else None)
    return {"lags": lags, "claims_on_random": claims, "late": late}


def test_a_reseeded_stream_is_caught_again_after_every_reseed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    try:
        records, reseeds = reseeded_stream(RANDOM_DRAWS, SEGMENTS)
    except RuntimeMissing as missing:
        pytest.skip(str(missing))
    home = tmp_path / "home"
    assert main(["init", "--home", str(home)]) == 0
    for record in records:
        _feed(home, record, monkeypatch, capsys)
    ledger = list(read_ledger(home / "ledger.jsonl"))
    outcome = stream_outcome(ledger, reseeds, len(records))
    assert outcome["claims_on_random"] == []
    assert outcome["late"] == []
    for reseed, lag in zip(reseeds, outcome["lags"]):
        assert lag is not None and lag <= MAX_LAG, (reseed, outcome)
    types = {r.type for r in ledger}
    assert "TriggerFired" in types and "Escalated" not in types  # no approval was needed
    triggers = [r.data for r in ledger if r.type == "TriggerFired"]
    # the second reseed is a regime change: the identified hypothesis missed at its first draw
    regime = [t for t in triggers if t["trigger"] == "regime_change"]
    assert regime and regime[0]["since"] == reseeds[1].position
    # every trigger's work became a request named after it, and ran
    received = {r.data["name"] for r in ledger
                if r.type == "RequestReceived" and r.data["source"] == "chapter13"}
    assert {t["trigger_id"] for t in triggers} <= received
    report = replay(home / "ledger.jsonl")
    assert report.exit_code == 0, report.divergences
    assert main(["status", "--json", "--home", str(home)]) == 0
    status = json.loads(capsys.readouterr().out)["chapter13"]
    # the last segment is std::mt19937 % 1000: PHP's mt_rand range over the same MT words is the
    # same draws for its seed (named first when its reduction weighs more in the plan)
    identified = status["identified"]["hypothesis"]
    assert status["autonomous"] and identified["seed"] == reseeds[-1].seed
    assert identified["generator"] in ("mt19937", "php_mt_rand")
    assert status["scored"] == sum(r.type == "PredictionScored" for r in ledger)
