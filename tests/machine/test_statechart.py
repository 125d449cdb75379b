"""The state table: data, drawn as Mermaid, every node a state and every edge a row."""

from __future__ import annotations

import re

import pytest

from machine.cli import main
from machine.state import Phase
from machine.statechart import ACTIONS, CONDITIONS, TRANSITIONS, mermaid, table_rows

EDGE = re.compile(r"^\s+(\w+) --> (\w+) : (\w+)(?: \[(\w+)\])?$")
NODE = re.compile(r'^\s+state "(\w+)" as (\w+)$')


def _parse(diagram: str) -> tuple[set[str], list[tuple[str, str, str, str]]]:
    nodes: set[str] = set()
    edges = []
    lines = diagram.splitlines()
    assert lines[0] == "stateDiagram-v2"
    # The note on the running state lists the units (tests/machine/test_steps.py checks it).
    start = lines.index(f"    note right of {Phase.RUNNING.value}")
    del lines[start : lines.index("    end note", start) + 1]
    for line in lines[1:]:
        if "[*]" in line:
            assert line.strip() == f"[*] --> {Phase.IDLE.value}"
            continue
        if m := NODE.match(line):
            assert m.group(1) == m.group(2)
            nodes.add(m.group(1))
            continue
        m = EDGE.match(line)
        assert m, f"unexpected diagram line {line!r}"
        source, dest, trigger, cond = m.groups()
        nodes.update((source, dest))
        edges.append((source, trigger, dest, cond or ""))
    return nodes, edges


def test_diagram_nodes_are_the_states_and_edges_the_rows() -> None:
    nodes, edges = _parse(mermaid())
    assert nodes == {p.value for p in Phase}
    assert sorted(edges) == sorted((s, t, d, c) for s, t, d, c, _a in table_rows())
    assert len(edges) == len(TRANSITIONS)


def _reachable(start: Phase, edges: set[tuple[Phase, Phase]]) -> set[Phase]:
    """Every state a path of ``edges`` leads to from ``start`` (``start`` included)."""
    seen, todo = {start}, [start]
    while todo:
        here = todo.pop()
        for source, dest in edges:
            if source == here and dest not in seen:
                seen.add(dest)
                todo.append(dest)
    return seen


def test_every_state_is_reachable_from_idle_and_leads_back_to_it() -> None:
    # Conditions are ignored: a row a condition can never take is a separate question.
    edges = {(row["source"], row["dest"]) for row in TRANSITIONS}
    assert _reachable(Phase.IDLE, edges) == set(Phase), "unreachable from idle"
    backwards = {(dest, source) for source, dest in edges}
    assert _reachable(Phase.IDLE, backwards) == set(Phase), "no way back to idle"


def test_conditions_and_actions_are_declared() -> None:
    for row in TRANSITIONS:
        conds = row.get("conditions", [])
        for name in [conds] if isinstance(conds, str) else conds:
            assert name in CONDITIONS
        after = row.get("after", [])
        for name in [after] if isinstance(after, str) else after:
            assert name in ACTIONS


def test_rows_with_a_shared_trigger_are_told_apart_by_conditions() -> None:
    seen: dict[tuple[object, str], int] = {}
    for row in TRANSITIONS:
        key = (row["source"], row["trigger"])
        seen[key] = seen.get(key, 0) + 1
    for (source, trigger), count in seen.items():
        if count > 1:
            rows = [r for r in TRANSITIONS if (r["source"], r["trigger"]) == (source, trigger)]
            assert all("conditions" in r for r in rows), (source, trigger)


def test_cli_prints_the_diagram_and_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["machine", "--diagram"]) == 0
    assert capsys.readouterr().out == mermaid()
    assert main(["machine", "--json"]) == 0
    assert '"trigger": "DispatchStarted"' in capsys.readouterr().out
    assert main(["machine"]) == 0
    assert "--DispatchStarted" in capsys.readouterr().out
