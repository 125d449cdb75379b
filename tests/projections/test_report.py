"""The HTML report: self-contained, well-formed, escaped; and, where Debian's Chromium is
installed, rendered headless to a screenshot that shows the page and its charts."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ledger import read_ledger
from projections.report import (
    collect,
    identifications,
    render_report,
    rolling_hit_rate,
    sieve_runs,
)

from .report_ledgers import HISTORY, HOSTILE, live_ledger

CHROMIUM = Path("/usr/bin/chromium")
HISTORIES = Path(__file__).resolve().parents[1] / "histories"
#: Tags that never close (HTML void elements).
VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "embed", "source",
        "track", "wbr", "param"}
#: SVG elements written self-closing (``<line .../>``): complete as they open.
SELF_CLOSING = re.compile(r"<(\w+)[^<>]*/>")


class _Structure(HTMLParser):
    """Tags that open and close in order; every attribute and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _structure(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    return parser


def test_the_page_is_self_contained_well_formed_and_complete() -> None:
    page = render_report(live_ledger(), source="live.jsonl", generated="2026-12-04T19:00:00Z")
    parsed = _structure(page)
    assert parsed.errors == [] and parsed.stack == []
    # Nothing is loaded and nothing runs: no scripts, no external resources, no handlers.
    assert "script" not in parsed.tags and "iframe" not in parsed.tags
    for tag, name, value in parsed.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name not in ("src", "href", "srcset", "action"), (tag, name, value)
    assert "url(" not in page and "@import" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    sections = [value for tag, name, value in parsed.attributes
                if tag == "section" and name == "id"]
    assert sections == ["draws", "hit-rate", "identifications", "survivors", "runs",
                        "timeline", "predictions"]
    # Every chart is well-formed SVG (a stray '<' or '&' from the ledger would break it).
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(charts) == 4  # draws, hit rate, survivors, timeline
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(list(root.iter())) > 10
    text = " ".join(parsed.text)
    assert "1 hit(s) in 2 scored prediction(s); chance alone would give 0.002" in text
    assert "java_random seed 1795535963" in text
    assert "first miss at draw 49" in text
    assert "TriggerFired" in text and "regime_change-50" in text
    # Chapter 13's events read as words on the timeline, each on its own lane.
    assert "rules: hold (regime_change, risk low, confidence 0.7): search again" in text
    assert "cand-1 replaces baseline: 9 wins, 2 losses over 40 shadow draws" in text
    lanes = re.search(r'<section id="timeline">.*?</svg>', page, flags=re.S)
    assert lanes is not None
    for lane in ("TriggerFired", "ProposalMade", "ProposalRejected", "PolicyPromoted",
                 "PolicyRolledBack", "RequestRejected", "Halted"):
        assert f">{lane}</text>" in lanes.group(0)


def test_ledger_strings_cannot_inject_markup() -> None:
    page = render_report(live_ledger(), title=HOSTILE, source=HOSTILE)
    parsed = _structure(page)
    assert parsed.errors == []
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert all(not name.startswith("on") for _tag, name, _value in parsed.attributes)
    assert HOSTILE not in page and "</style></svg>" not in page.split("</style>", 1)[1]
    # The text is still there for a person to read, as text.
    # title, request name and reason, halt, proposal reasoning and rejection
    assert sum(HOSTILE in chunk for chunk in parsed.text) >= 6
    for chart in re.findall(r"<svg .*?</svg>", page, flags=re.S):
        ET.fromstring(chart)


def test_identification_lag_and_evidence() -> None:
    data = collect(live_ledger())
    [found] = identifications(data.predictions, data.steps)
    assert found["hypothesis"]["generator"] == "java_random"
    assert (found["since"], found["first_target"], found["lag"]) == (0, 48, 48)
    assert (found["scored"], found["hits"], found["first_miss"]) == (2, 1, 49)
    assert found["evidence"]["survivors"] == 1
    assert found["evidence"]["hypotheses_tried"] == 4432448
    assert found["evidence"]["history_matches"] == 46
    [run] = sieve_runs(data)
    assert (run["survivors"], run["draws"], run["history"], run["identified"]) == (1, 48, 48, True)
    assert 0 < run["expected"] < 1e-30
    points = rolling_hit_rate(data.predictions, window=20)
    assert [(p["target_index"], p["rate"]) for p in points] == [(48, 1.0), (49, 0.5)]
    assert all(p["low"] <= p["chance"] <= p["high"] for p in points)


@pytest.mark.parametrize("ledger", sorted(HISTORIES.glob("*/ledger.jsonl")),
                         ids=lambda path: path.parent.name)
def test_every_recorded_history_renders(ledger: Path) -> None:
    records = list(read_ledger(ledger))
    page = render_report(records)
    parsed = _structure(page)
    assert parsed.errors == [] and parsed.stack == []
    assert page.count("<section ") == 7
    data = collect(records)
    assert data.events == len(records) and data.head == records[-1].hash
    identified = {str(sorted(r.data["hypothesis"].items())) for r in records
                  if r.type == "PredictionIssued" and r.data["identified"]}
    assert len(identifications(data.predictions, data.steps)) == len(identified)
    assert len(sieve_runs(data)) == sum(r.type == "StepCompleted" and r.data["step"] == 2
                                        for r in records)


def _screenshot(page: str, folder: Path) -> Path:
    html_path = folder / "report.html"
    html_path.write_text(page, encoding="utf-8")
    png = folder / "report.png"
    profile = tempfile.mkdtemp(dir=folder)
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", f"--screenshot={png}",
         "--window-size=1400,2200", html_path.as_uri()],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(folder)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.is_file(), done.stderr[-2000:]
    return png


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Debian's chromium is not installed (apt-get install chromium)")
def test_chromium_renders_the_page_with_its_charts(tmp_path: Path) -> None:
    from PIL import Image  # matplotlib's dependency

    def colours(records: list[Any], name: str) -> dict[tuple[int, int, int], int]:
        folder = tmp_path / name
        folder.mkdir()
        image = Image.open(_screenshot(render_report(records), folder)).convert("RGB")
        assert image.size == (1400, 2200)
        return {rgb: n for n, rgb in image.getcolors(maxcolors=1 << 24) or []}

    live = colours(live_ledger(), "live")
    white = live.get((255, 255, 255), 0)
    assert white < 0.97 * sum(live.values()), "the screenshot is blank"
    # The same page before the predicted draws arrived (the recorded loop alone): its legends
    # are the same, so more of each colour means the charts drew the data: the green of the
    # exact prediction, the red of the identified miss and the trigger, the blue of the
    # hit-rate line.
    before = colours(list(read_ledger(HISTORY / "ledger.jsonl")), "before")
    for name, rgb in (("green", (0x1A, 0x7F, 0x37)), ("red", (0xCF, 0x22, 0x2E)),
                      ("blue", (0x09, 0x69, 0xDA))):
        assert live.get(rgb, 0) > before.get(rgb, 0) > 0, f"the {name} marks did not render"


def test_a_long_history_keeps_the_page_bounded() -> None:
    from ledger import InMemoryRecorder
    from machine.events import DrawIngested, PredictionIssued, PredictionPoolEntry, new_event
    from machine.events import validate_event

    events = []
    for t in range(1500):
        pool = tuple(PredictionPoolEntry(draw=(t * 7 + k) % 1000, probability=0.001)
                     for k in range(10))
        events.append(new_event(PredictionIssued(target_index=t, pool=pool, identified=False,
                                                 chance_rate=0.01), id=f"p{t}",
                                ts="2026-12-04T10:00:00.000000Z"))
        value = (t * 7 + (0 if t % 3 else 500)) % 1000  # every third draw outside its pool
        events.append(new_event(DrawIngested(source="s", position=t, values=(value,)),
                                id=f"d{t}", ts="2026-12-04T10:00:00.000000Z"))
    recorder = InMemoryRecorder(validator=validate_event)
    recorder.append(events)
    page = render_report(recorder.read())
    assert _structure(page).errors == []
    assert "The newest 1000 of 1500 draws (from draw 500)." in page
    draws_chart = re.search(r'<section id="draws">.*?</section>', page, flags=re.S)
    assert draws_chart is not None
    assert draws_chart.group(0).count("<circle") == 1000
    assert "The 300 newest of 1500 predictions." in page
    # Two draws in three were in their pool: 1000 hits of 1500, 15 expected by chance.
    assert "1000 hit(s) in 1500 scored prediction(s); chance alone would give 15." in page
    assert "above the band" in page
