"""A writer killed at random points: the ledger always reopens, nothing acknowledged is lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ledger import JsonlRecorder, verify_ledger

WRITER = textwrap.dedent(
    """
    import sys
    from ledger import JsonlRecorder, NewEvent
    path, start = sys.argv[1], int(sys.argv[2])
    with JsonlRecorder(path) as rec:
        i = start
        while True:
            batch = [
                NewEvent(id=f"k{i + j}", type="T", ts="2026-11-25T10:00:00.000000Z",
                         data={"i": i + j, "pad": "x" * (i % 300)})
                for j in range(1 + i % 7)
            ]
            records = rec.append(batch)
            i += len(batch)
            # acknowledged: append returned, so these are durable
            print(records[-1].seq, flush=True)
    """
)


def test_sigkill_at_random_points(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    rng = random.Random(1234)
    acknowledged = -1
    next_id = 0
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(next_id)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        # let it append a while (at least one acknowledged batch), then kill it mid-flight
        first = proc.stdout.readline()
        assert first.strip(), "writer produced nothing"
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        seqs = [int(x) for x in (first + out).split()]
        acknowledged = max(acknowledged, seqs[-1])
        # reopening verifies the whole chain (a torn tail would be repaired and reported)
        with JsonlRecorder(path) as rec:
            assert rec.last_seq() >= acknowledged
            assert rec.repair is None or rec.repair.at_seq > acknowledged
            next_id = rec.last_seq() + 1
    report = verify_ledger(path)
    assert report.ok and report.last_seq >= acknowledged
