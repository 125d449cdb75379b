"""Shared builders for the ledger tests (no test functions here)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ledger import GENESIS_HASH, JsonlRecorder, NewEvent

TS = "2026-11-25T10:00:00.000000Z"


def ev(i: int | str, *, type: str = "StepCompleted", **data: Any) -> NewEvent:
    """A small event with id ``e<i>``."""
    return NewEvent(
        id=f"e{i}",
        type=type,
        ts=TS,
        run_id="run-1",
        causation_id=None,
        data={"i": i, **data},
    )


def reference_hash(envelope: dict[str, Any]) -> str:
    """The record hash computed independently of ledger/ (stdlib json, not orjson).

    Valid for the ASCII-only, float-free data the tests use with it.
    """
    body = {k: v for k, v in envelope.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reference_line(envelope: dict[str, Any]) -> bytes:
    """The stored line (with newline), computed with stdlib json."""
    text = json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8") + b"\n"


def rechain(envelopes: list[dict[str, Any]]) -> bytes:
    """Re-hash a list of envelopes *in order as given* (prev taken from the list as is)."""
    out = []
    for env in envelopes:
        env = dict(env)
        env["hash"] = reference_hash(env)
        out.append(reference_line(env))
    return b"".join(out)


def relink(envelopes: list[dict[str, Any]]) -> bytes:
    """Recompute prev and hash of every envelope so the chain is internally consistent."""
    prev = GENESIS_HASH
    out = []
    for env in envelopes:
        env = dict(env)
        env["prev"] = prev
        env["hash"] = reference_hash(env)
        prev = env["hash"]
        out.append(reference_line(env))
    return b"".join(out)


def write_ledger(path: Path, n: int, *, batch: int = 1) -> bytes:
    """Write ``n`` events with a real recorder; return the file's bytes."""
    with JsonlRecorder(path, durability="batch") as rec:
        for start in range(0, n, batch):
            rec.append([ev(i) for i in range(start, min(n, start + batch))])
    return path.read_bytes()


def envelopes_of(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.splitlines()]
