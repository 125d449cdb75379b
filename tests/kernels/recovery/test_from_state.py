"""PRNG.from_state (a stream at a recovered state, never seeded) resumes every catalog stream."""

from __future__ import annotations

import pytest

from kernels.registry import all_generators


@pytest.mark.parametrize("name", list(all_generators()))
def test_from_state_resumes_the_stream(name):
    cls = all_generators()[name]
    seed = 12345 % (1 << cls.seed_bits) or 1
    stream = cls(seed)
    for _ in range(7):
        stream.next_raw()
    resumed = cls.from_state(stream.get_state())
    assert [resumed.next_raw() for _ in range(40)] == [stream.next_raw() for _ in range(40)]
