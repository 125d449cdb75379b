"""Small seeds observed deep into the stream (identify's ``deep`` and ``deeper`` tiers): their
seeds are likeliest small, as in the small tier; the schedule reaches them early; they are found
within a small budget beside other generators; and their size counts in every p-value, so that
ten raw words stay decisive and a few reduced draws say how many more they need."""

from __future__ import annotations

import math
import time

import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.reductions import parse_reduction
from kernels.registry import get_generator
from kernels.sieve.engine import per_draw_match_probability
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.plan import (DEEP_OFFSETS, TIER_WEIGHTS, CostCache, NotEnoughDraws,
                                build_plan, run_plan)
from kernels.statistics import log_binomial_tail
from tests.kernels.sieve.test_identify import REFERENCE, _order_of_chunks

#: std::mt19937's default seed, ten outputs from the ninth hundred
DEFAULT_SEED_DEEP = Hypothesis(generator="mt19937", seed=5489, reduction="raw", offset=850)


def test_deep_seeds_fall_off_from_zero_as_the_small_tiers_do():
    plan = build_plan(predict(DEFAULT_SEED_DEEP, 10), reference_s=REFERENCE,
                      generators=["mt19937"])
    items = {item.tier: item for item in plan.items}
    for tier in ("small", *DEEP_OFFSETS):
        item = items[tier]
        # half of a tier's probability in its first 256 seeds, as log(257) / log(65537) says
        assert item.mass([(0, 256)]) == pytest.approx(
            item.prior * math.log(257) / math.log(65537))
    deep_share = (TIER_WEIGHTS["deep"] + TIER_WEIGHTS["deeper"]) / (
        TIER_WEIGHTS["small"] + TIER_WEIGHTS["deep"] + TIER_WEIGHTS["deeper"])
    assert 0.2 < deep_share < 0.35  # the documented share of the small seeds


def test_the_schedule_reaches_the_likeliest_deep_seeds_before_uniform_spaces():
    """With equal costs per seed the first deep chunks come right after the small, recent and
    typed ones of the same generators, before any full 32-bit space."""
    observed = predict(DEFAULT_SEED_DEEP, 10)
    plan = build_plan(observed, reference_s=REFERENCE,
                      generators=["java_random", "mt19937", "glibc_random"])
    order = list(dict.fromkeys(_order_of_chunks(plan, observed, 200)))
    assert "mt19937/deep" in order[:10]
    assert order.index("mt19937/deep") < order.index("mt19937/deeper")
    full = [i for i, what in enumerate(order) if what.endswith("/full32")]
    assert full and min(full) > order.index("mt19937/deeper")


@pytest.mark.parametrize("truth, draws", [
    (DEFAULT_SEED_DEEP, 10),
    # new Random(7), 300 nextInt(100) used before the printed ones
    (Hypothesis(generator="java_random", seed=7, reduction="java_nextint:100", offset=300), 20),
])
def test_a_deep_small_seed_is_found_beside_other_generators_within_a_small_budget(truth, draws):
    observed = predict(truth, draws)
    plan = build_plan(observed, reference_s=REFERENCE,
                      generators=["java_random", "mt19937", "cpython_random", "glibc_random"])
    run = run_plan(plan, observed, NumpyBackend(), deadline=time.monotonic() + 90,
                   cost_cache=CostCache(None))
    assert run.identified
    assert predict(run.survivors[0].hypothesis, draws + 10) == predict(truth, draws + 10)
    deep = next(c for c in run.coverage if c.generator == truth.generator and c.tier == "deep")
    assert 0 < deep.covered_seeds < deep.seeds  # found near the likeliest seeds


@pytest.mark.parametrize("truth, bound", [
    (DEFAULT_SEED_DEEP, -60.0),
    # srand(7), 2000 rand() used, then rand() % 1000
    (Hypothesis(generator="glibc_random", seed=7, reduction="c_rand_mod:1000", offset=2000),
     math.log10(0.01) - 4),
])
def test_ten_draws_deep_in_the_stream_stay_decisive_against_the_whole_plan(truth, bound):
    """The whole catalog's plan, deep tiers counted (seeds x offsets x skips): ten matched
    32-bit words leave a p-value far below any alpha, ten draws of 0..999 one well below,
    with the plan's own correction for the deep item that holds them."""
    observed = predict(truth, 10)
    plan = build_plan(observed, reference_s=REFERENCE)
    deep = sum(item.hypotheses for item in plan.items if item.tier in DEEP_OFFSETS)
    assert deep >= (1 << 16) * 9_000  # every small seed at every deep offset, at least once
    holder = next(item for item in plan.items
                  if item.tier in DEEP_OFFSETS and item.generator == truth.generator
                  and item.reductions == (truth.reduction,) and truth.offset in item.offsets)
    q = per_draw_match_probability(get_generator(truth.generator),
                                   parse_reduction(truth.reduction))
    log_p = plan.log_correction(holder) + log_binomial_tail(10, 10, q)
    assert log_p / math.log(10) < bound
    # never far from the plain correction over the whole plan, deep tiers included
    assert plan.log_correction(holder) < math.log(plan.hypotheses) + math.log(10)


# (the correction weighs hypotheses by the plan's priors: five draws of 0..999 single out a
# likely small seed, two cannot; eight dice cannot)
@pytest.mark.parametrize("spec, count", [("mod:1000", 2), ("c_rand_mod:6", 8)])
def test_a_few_reduced_draws_say_how_many_the_deep_plan_needs(spec, count):
    truth = Hypothesis(generator="glibc_random", seed=7, reduction=spec, offset=2000,
                       skip=SkipSchedule.constant(0))
    observed = predict(truth, count)
    with pytest.raises(NotEnoughDraws, match=r"at least \d+ draws are needed"):
        build_plan(observed, reference_s=REFERENCE)
    # the deep tiers are part of what the draws must single their hypothesis out of
    shallow = build_plan(predict(truth, 40), reference_s=REFERENCE, offsets=range(0, 8))
    assert sum(i.hypotheses for i in shallow.items if i.tier in DEEP_OFFSETS) > sum(
        i.hypotheses for i in shallow.items if i.tier == "small")
