"""Properties of the pcg_counter family (PCG, Philox, SFC, JSF) and of numpy's SeedSequence.

The known-answer files (``tests/vectors/``) pin the streams and ``test_prng_contract.py`` the
interface properties every generator shares; these tests pin what neither reaches: counters that
wrap both ways, and numpy's own state, jump and word conventions where numpy is the runtime.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.generators import _seed_sequence
from kernels.generators.counter import SFC64, Philox4x32, Philox4x64
from kernels.generators.pcg import PCG32, PCG64, PCG64DXSM
from kernels.registry import all_generators

FAMILY = [cls for cls in all_generators().values() if cls.family == "pcg_counter"]
NUMPY = {PCG64: np.random.PCG64, PCG64DXSM: np.random.PCG64DXSM, Philox4x64: np.random.Philox,
         SFC64: np.random.SFC64}


def seeds_for(cls) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=(1 << cls.seed_bits) - 1)


by_class = pytest.mark.parametrize("cls", FAMILY, ids=lambda c: c.name)


# ---- pinned known answers (docs/generators.md) -------------------------------------------------


def test_pcg32_demo_known_answer():
    # pcg32-demo: pcg32_srandom_r(&rng, 42u, 54u)
    assert PCG32(42).outputs(3) == [0xA15C02B7, 0x7B47F409, 0xBA1D3330]


def test_philox4x32_10_kat_counter_0_key_0():
    # Random123 kat_vectors: philox4x32 10, ctr 0, key 0
    assert Philox4x32(0).outputs(4) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]


def test_philox_block_functions_match_random123_kat():
    from kernels.generators.counter import philox4x32_10, philox4x64_10

    ctr32 = 0x03707344_13198A2E_85A308D3_243F6A88
    assert philox4x32_10(ctr32, 0x299F31D0_A4093822) == [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]
    ones = (1 << 128) - 1
    assert philox4x32_10(ones, (1 << 64) - 1) == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    assert philox4x64_10(0, 0) == [0x16554D9ECA36314C, 0xDB20FE9D672D0FDC,
                                   0xD7E772CEE186176B, 0x7E68B68AEC7BA23B]
    words = [0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89]
    ctr64 = sum(w << (64 * i) for i, w in enumerate(words))
    key64 = 0x452821E638D01377 | (0xBE5466CF34E90C6C << 64)
    assert philox4x64_10(ctr64, key64) == [0xA528F45403E61D95, 0x38C72DBD566E9788,
                                           0xA5A1610E72FD18B5, 0x57BD43B5E52B7FE6]


# ---- family properties ---------------------------------------------------------------------------


@by_class
def test_metadata(cls):
    assert cls.invertible
    assert cls.output_bits in (32, 64)


def test_philox_counters_wrap_both_ways():
    stream = Philox4x32(5)
    stream.step_back()  # before counter 0: the last word of the last block
    assert stream.get_state() == ((1 << 128) - 1, 5, 3)
    last = stream.next_raw()
    assert stream.get_state() == (0, 5, 0)
    stream.step_back()
    assert stream.next_raw() == last
    wide = Philox4x64(5)
    start = wide.get_state()
    first = wide.outputs(2)
    for _ in range(6):
        wide.step_back()
    wide.jump(4)
    assert wide.get_state() == start
    assert wide.outputs(2) == first


# ---- numpy as the runtime -------------------------------------------------------------------------


@pytest.mark.parametrize("cls", tuple(NUMPY), ids=lambda c: c.name)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_numpy_bit_generators_raw_and_state(cls, data):
    seed = data.draw(seeds_for(cls))
    bitgen = NUMPY[cls](seed)
    stream = cls(seed)
    assert stream.outputs(9) == bitgen.random_raw(9).tolist()
    state = bitgen.state["state"]
    ours = stream.get_state()
    if cls in (PCG64, PCG64DXSM):
        assert ours == (state["state"], state["inc"])
    elif cls is SFC64:
        assert list(ours) == state["state"].tolist()
    else:
        counter = sum(int(w) << (64 * i) for i, w in enumerate(state["counter"]))
        key = sum(int(w) << (64 * i) for i, w in enumerate(state["key"]))
        assert ours == (counter, key, bitgen.state["buffer_pos"])


@pytest.mark.parametrize("cls", (PCG64, PCG64DXSM), ids=lambda c: c.name)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, (1 << 64) - 1), delta=st.integers(0, (1 << 128) - 1))
def test_pcg_jump_matches_numpy_advance(cls, seed, delta):
    bitgen = NUMPY[cls](seed)
    bitgen.advance(delta)
    stream = cls(seed)
    stream.jump(delta)
    assert stream.get_state() == (bitgen.state["state"]["state"], bitgen.state["state"]["inc"])


@pytest.mark.parametrize("cls", tuple(NUMPY), ids=lambda c: c.name)
def test_next_u32_is_numpys_low_half_first(cls):
    # Generator.integers(0, 2**32, uint32) takes numpy's next_uint32 words unchanged.
    words = np.random.Generator(NUMPY[cls](11)).integers(0, 1 << 32, size=9, dtype=np.uint32)
    stream = cls(11)
    assert [stream.next_u32() for _ in range(9)] == words.tolist()


@settings(max_examples=40, deadline=None)
@given(seed=st.one_of(st.integers(0, (1 << 64) - 1), st.integers(0, 1 << 300)),
       n_words=st.integers(1, 9), bits=st.sampled_from((32, 64)))
def test_seed_sequence_matches_numpy(seed, n_words, bits):
    expected = np.random.SeedSequence(seed).generate_state(n_words, np.uint64 if bits == 64 else np.uint32)
    assert _seed_sequence.generate_state(seed, n_words, bits) == expected.tolist()
    assert _seed_sequence.pool(seed) == np.random.SeedSequence(seed).pool.tolist()


@settings(max_examples=10, deadline=None)
@given(seeds=st.lists(st.integers(0, (1 << 64) - 1), min_size=1, max_size=6),
       n_words=st.integers(1, 6), bits=st.sampled_from((32, 64)))
def test_seed_sequence_vectorised_matches_scalar(seeds, n_words, bits):
    rows = _seed_sequence.generate_state_many(np.array(seeds, dtype=np.uint64), n_words, bits)
    assert rows.dtype == (np.uint64 if bits == 64 else np.uint32)
    assert rows.tolist() == [_seed_sequence.generate_state(s, n_words, bits) for s in seeds]


def test_seed_sequence_rejects_negative_entropy():
    with pytest.raises(ValueError):
        _seed_sequence.generate_state(-1, 4)
