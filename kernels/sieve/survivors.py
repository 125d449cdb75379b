"""Survivors as a binary artifact (npz): every field of every hypothesis, nothing truncated.

Columns: ``generator``, ``reduction`` (unicode), ``seed`` (uint64), ``offset`` (uint64),
``skip_then`` (uint32), ``skips`` (uint32, the per-draw skip lists concatenated) with
``skips_start`` (int64 index into ``skips``, one more entry than rows), ``matched``,
``compared`` (int64), ``p_value``, ``log10_p_value`` (float64), and ``observation_model`` (a
scalar: the version of ``kernels/observation.py`` whose offsets and skips the file holds).
Files without it were written under model 1 (offsets in draws) and are converted exactly on
reading.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from kernels.observation import OBSERVATION_MODEL, Hypothesis, SkipSchedule, upgrade_draw_offset
from kernels.sieve.engine import Survivor

__all__ = ["survivors_to_npz", "survivors_from_npz", "write_survivors"]


def survivors_to_npz(survivors: list[Survivor]) -> bytes:
    skips_start = np.zeros(len(survivors) + 1, dtype=np.int64)
    flat: list[int] = []
    for row, survivor in enumerate(survivors):
        flat.extend(survivor.hypothesis.skip.skips)
        skips_start[row + 1] = len(flat)
    columns: dict[str, Any] = {
        "generator": np.array([s.hypothesis.generator for s in survivors], dtype=np.str_),
        "reduction": np.array([s.hypothesis.reduction for s in survivors], dtype=np.str_),
        "seed": np.array([s.hypothesis.seed for s in survivors], dtype=np.uint64),
        "offset": np.array([s.hypothesis.offset for s in survivors], dtype=np.uint64),
        "skip_then": np.array([s.hypothesis.skip.then for s in survivors], dtype=np.uint32),
        "skips": np.array(flat, dtype=np.uint32),
        "skips_start": skips_start,
        "matched": np.array([s.matched for s in survivors], dtype=np.int64),
        "compared": np.array([s.compared for s in survivors], dtype=np.int64),
        "p_value": np.array([s.p_value for s in survivors], dtype=np.float64),
        "log10_p_value": np.array([s.log10_p_value for s in survivors], dtype=np.float64),
        "observation_model": np.array(OBSERVATION_MODEL, dtype=np.int64),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **columns)
    return buffer.getvalue()


def survivors_from_npz(data: bytes) -> list[Survivor]:
    with np.load(io.BytesIO(data), allow_pickle=False) as columns:
        model = int(columns["observation_model"]) if "observation_model" in columns.files else 1
        if model not in (1, OBSERVATION_MODEL):
            raise ValueError(f"survivor file of observation model {model}; this version reads "
                             f"models 1 and {OBSERVATION_MODEL}")
        starts = columns["skips_start"]
        skips = columns["skips"]
        survivors = []
        for row in range(len(columns["seed"])):
            schedule = SkipSchedule(
                skips=tuple(int(k) for k in skips[starts[row]:starts[row + 1]]),
                then=int(columns["skip_then"][row]))
            generator, seed = str(columns["generator"][row]), int(columns["seed"][row])
            reduction, offset = str(columns["reduction"][row]), int(columns["offset"][row])
            if model == 1:
                hypothesis = upgrade_draw_offset(generator, seed, reduction, offset, schedule)
            else:
                hypothesis = Hypothesis(generator=generator, seed=seed, reduction=reduction,
                                        offset=offset, skip=schedule)
            survivors.append(Survivor(
                hypothesis=hypothesis, matched=int(columns["matched"][row]),
                compared=int(columns["compared"][row]), p_value=float(columns["p_value"][row]),
                log10_p_value=float(columns["log10_p_value"][row])))
    return survivors


def write_survivors(path: str | Path, survivors: list[Survivor]) -> None:
    Path(path).write_bytes(survivors_to_npz(survivors))
