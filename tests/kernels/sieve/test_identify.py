"""`watcher identify` and its plan: what the draws look like, the order of the search, the hard
budget, resuming, short input, equivalent entries, and calibration of the plan (planted
sequences are identified, random ones are not)."""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import time

import pytest

from kernels.draws import write_draws
from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.registry import get_generator
from kernels.sieve.engine import SearchResult
from kernels.sieve.numpy_backend import NumpyBackend
from kernels.sieve.plan import (TIERS, CostCache, NotEnoughDraws, _ItemCursor, build_plan,
                                equivalent_generators, infer_shape, run_plan)
from kernels.sieve.cli import bounds_that_fit_too
from machine.cli import main

REFERENCE = 1_796_400_000  # a fixed "now" for plans built in tests


def urandom_draws(count: int, alphabet: int = 1000) -> list[int]:
    """Truly random draws (``random.Random`` would be found: it is cpython_random)."""
    return [int.from_bytes(os.urandom(4), "little") % alphabet for _ in range(count)]


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _private_cost_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHER_CACHE_DIR", str(tmp_path / "cache"))


class TickClock:
    """A clock that advances a fixed step per reading: chunk costs become exact and equal per
    call, so the order the plan chooses depends on the priors alone."""

    def __init__(self, step: float = 0.001) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


# ---- shapes ---------------------------------------------------------------------------------------


def test_raw_looking_values_are_searched_raw_first():
    rng = random.Random(7)
    words = [rng.getrandbits(32) for _ in range(12)]
    shape = infer_shape(words)
    assert shape.alphabet is None  # no bounded reduction reaches values above 10**9
    assert shape.reductions(get_generator("mt19937")) == ["raw"]
    assert shape.reductions(get_generator("java_random")) == ["raw"]
    assert shape.reductions(get_generator("glibc_random")) == []  # 31-bit outputs


def test_31_bit_values_try_raw_and_the_word_shifted_right():
    rng = random.Random(8)
    shape = infer_shape([rng.getrandbits(31) for _ in range(12)])
    assert shape.reductions(get_generator("glibc_random"))[0] == "raw"
    # PHP mt_rand() is the MT word >> 1 (12 words below 2**31 are still just plausible as raw
    # 32-bit words: one chance in 4096)
    assert f"java_nextint:{1 << 31}" in shape.reductions(get_generator("php_mt_rand"))
    longer = infer_shape([rng.getrandbits(31) for _ in range(40)])
    assert longer.reductions(get_generator("php_mt_rand")) == [f"java_nextint:{1 << 31}"]


def test_15_bit_values_are_raw_rand_and_no_duplicate_modulo():
    rng = random.Random(9)
    shape = infer_shape([rng.getrandbits(15) for _ in range(20)])
    specs = shape.reductions(get_generator("msvc_rand"))
    assert specs[0] == "raw"
    assert not any(s.startswith(("mod:", "c_rand_mod:")) for s in specs)


def test_k_digit_draws_include_digits_k():
    rng = random.Random(10)
    shape = infer_shape([rng.randrange(1000) for _ in range(20)])
    assert (shape.alphabet, shape.digits, shape.raw_widths) == (1000, 3, ())
    assert shape.reductions(get_generator("java_random")) == [
        "java_nextint:1000", "mod:1000", "float_mul:1000", "digits:3"]
    assert shape.reductions(get_generator("glibc_random")) == [
        "c_rand_mod:1000", "float_mul:1000", "digits:3"]  # mod:1000 is c_rand_mod:1000


def test_bounds_just_above_the_largest_draw_are_searched_as_the_draws_leave_them_likely():
    # 30 draws of nextInt(37) whose largest is 34 (seed 2): 37 is as likely as the draws allow
    draws = predict(Hypothesis(generator="java_random", seed=2, reduction="java_nextint:37"), 30)
    shape = infer_shape(draws)
    assert (shape.alphabet, shape.other_bounds) == (35, (36, 37, 38))  # 39: (35/39)**30 < 5%
    assert shape.bound_weight(35) == 1.0
    assert shape.bound_weight(37) == pytest.approx((35 / 37) ** 30)
    assert "java_nextint:37" in shape.reductions(get_generator("java_random"))
    # many draws that never pass 34 leave no room above 35
    rng = random.Random(11)
    many = infer_shape([rng.randrange(35) for _ in range(400)])
    assert (many.alphabet, many.other_bounds) == (35, ())


def test_a_bound_above_the_largest_draw_is_identified_with_its_seed(capsys, tmp_path):
    truth = Hypothesis(generator="java_random", seed=2, reduction="java_nextint:37")
    path = tmp_path / "roulette.json"
    draws = predict(truth, 40)
    write_draws(path, draws[:30])
    code, out, err = run(capsys, "identify", "--draws", path, "--generators", "java_random",
                         "--backend", "numpy", "--budget", "60", "--predict", "10", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"]
    if payload["identified_by"] == "seed":
        found = payload["best"][0]["hypothesis"]
        assert (found["seed"], found["reduction"]) == (2, "java_nextint:37")
    else:  # the state tier solved it first, and walked back to the seed
        found = payload["state_tier"]["best"]
        assert (found["seed"], found["reduction"]) == (2, "java_nextint:37")
    assert payload["next"] == draws[30:]


@pytest.mark.parametrize("generator, reduction, added, reads_from", [
    # mt_rand(1, 100) whose draws show neither 1 nor 100: read from 0 first, from 1 too
    ("php_mt_rand", "php_range:0:99", 1, 1),
    # rand() % 100 whose smallest draw is 1: read from 1 first, from 0 too
    ("glibc_random", "c_rand_mod:100", 0, 0),
])
def test_a_range_start_the_draws_do_not_show_is_read_both_ways(capsys, tmp_path, generator,
                                                               reduction, added, reads_from):
    seed = 1 if generator == "php_mt_rand" else 3
    draws = [d + added for d in predict(Hypothesis(generator=generator, seed=seed,
                                                   reduction=reduction), 30)]
    assert 1 <= min(draws[:20]) and max(draws[:20]) < 100  # neither end shows
    path = tmp_path / "range.txt"
    path.write_text("".join(f"{d}\n" for d in draws[:20]))
    code, out, err = run(capsys, "identify", "--draws", path, "--generators",
                         f"{generator},java_random", "--backend", "numpy", "--budget", "60",
                         "--predict", "10", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"] and payload["identified_by"] == "seed", payload["verdict"]
    found = payload["best"][0]["hypothesis"]
    assert (found["seed"], found["reduction"]) == (seed, reduction)
    assert payload["next"] == draws[20:]
    assert payload["sieve_reads"] == ({"shift": reads_from} if reads_from else {})


def test_bounds_the_draws_cannot_tell_apart_are_named():
    # randint(-10, 10) is randbelow(21) - 10; twenty draws that never show its 10 are made
    # exactly by randbelow(20) of the same seed: identified, but its predictions part at a 10
    truth = Hypothesis(generator="cpython_random", seed=31337, reduction="python_randbelow:21")
    observed = predict(truth, 20)
    assert max(observed) < 20
    found = truth.model_copy(update={"reduction": "python_randbelow:20"})
    assert predict(found, 20) == observed
    assert "python_randbelow:21" in bounds_that_fit_too(found, observed, infer_shape(observed))
    assert bounds_that_fit_too(truth, observed, infer_shape(observed + [20])) == []


def test_raw_sequence_is_identified_where_it_used_to_crash(capsys, tmp_path):
    truth = Hypothesis(generator="mt19937", seed=31337, reduction="raw")
    path = tmp_path / "raw.json"
    write_draws(path, predict(truth, 12))
    code, out, err = run(capsys, "identify", "--draws", path, "--generators",
                         "mt19937,glibc_random,java_random", "--backend", "numpy", "--budget",
                         "60", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"]
    assert Hypothesis.model_validate(payload["best"][0]["hypothesis"]) == truth


# ---- short input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("draws", [[417], [417, 93]])
def test_short_input_says_how_many_draws_are_needed(capsys, tmp_path, draws):
    with pytest.raises(NotEnoughDraws, match=r"at least \d+ draws are needed"):
        build_plan(draws, reference_s=REFERENCE)
    path = tmp_path / "short.json"
    write_draws(path, draws)
    code, out, err = run(capsys, "identify", "--draws", path, "--backend", "numpy")
    assert code == 2 and "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1 and "draws are needed" in err
    assert "state recovery needs at least" in err
    # each family's need for this shape, fewest first
    assert out.startswith(f"too short: {len(draws)} draw")
    needs = [int(line.rsplit("needs ", 1)[1].split()[0].replace(",", ""))
             for line in out.splitlines() if ": needs " in line]
    assert needs and needs == sorted(needs) and min(needs) > len(draws)
    assert "java_random through java_nextint:1000: needs" in out


@pytest.mark.parametrize("values", [[0.25], [0.25, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5], [-7], [-7, 9]])
def test_short_floats_and_signed_ints_say_how_many_draws_each_family_needs(capsys, tmp_path,
                                                                           values):
    path = tmp_path / "short.txt"
    path.write_text("".join(f"{v!r}\n" for v in values))
    code, out, err = run(capsys, "identify", "--draws", path, "--backend", "numpy", "--json",
                         "--budget", "20")
    assert "Traceback" not in out + err
    payload = json.loads(out)
    if code == 2:
        assert payload["verdict"] == "too short" and len(err.strip().splitlines()) == 1
    else:  # a few hypotheses need no more than this: they were tried, and found nothing
        assert code == 0 and payload["verdict"] == "no generator explains this data"
    needs = payload["state_tier"]["needs_more_draws"]
    assert needs and all(need["minimum_draws"] > len(values) for need in needs)


# ---- the order of the search ----------------------------------------------------------------------


class _Enough(Exception):
    pass


def _order_of_chunks(plan, observed, chunks: int) -> list[str]:
    """The first ``chunks`` items the plan searches when every generator costs the same."""
    backend = NumpyBackend()
    cache = CostCache(None)
    for item in plan.items:
        cache.put(CostCache.key(backend, item), 1e-8, 0.0)
    order: list[str] = []

    def note(_covered, _elapsed, what):
        order.append("/".join(what.split()[0].split("/")[:2]))  # generator/tier
        if len(order) >= chunks:
            raise _Enough

    def nothing_found(spaces, observed, *, window, alpha, **_options) -> SearchResult:
        return SearchResult(window=window, observed=len(observed), alpha=alpha, hypotheses=0,
                            expected_chance_survivors=0.0, reports=[], survivors=[],
                            identified=False)

    with pytest.raises(_Enough):
        run_plan(plan, observed, backend, deadline=1e9, clock=TickClock(1e-9), cost_cache=cache,
                 progress=note, search_function=nothing_found)
    return order


def test_plan_searches_likeliest_per_second_first():
    """With equal costs, the order follows the priors: a generator's small seeds (much
    probability in few seeds) first, by generator prior, then recent Unix times, and uniform
    full 32-bit spaces last."""
    observed = predict(Hypothesis(generator="xorshift32", seed=12345, reduction="mod:1000"), 20)
    plan = build_plan(observed, reference_s=REFERENCE,
                      generators=["java_random", "mt19937", "randu"])
    order = list(dict.fromkeys(_order_of_chunks(plan, observed, 150)))  # first visits
    # (mt19937's prior is spread over three reductions: uniform_int_distribution's, % and
    # the double's; Java's over two)
    assert order[0] == "java_random/small"
    assert set(order[:3]) == {"java_random/small", "mt19937/small", "java_random/unix_s"}
    # randu's prior is a hundredth of Java's: its likeliest seeds wait behind Java's and
    # mt19937's recent times and typed numbers
    randu = order.index("randu/small") if "randu/small" in order else len(order)
    for earlier in ("java_random/unix_s", "java_random/typed", "mt19937/typed"):
        assert order.index(earlier) < randu
    full = [i for i, what in enumerate(order) if what.endswith("/full32")]
    assert not full or min(full) > randu  # uniform 2**32 spaces come last


def test_masses_fall_off_from_the_origin_and_sum_to_the_prior():
    plan = build_plan([417, 93, 250, 8, 999, 51, 620], reference_s=REFERENCE,
                      generators=["java_random"])
    items = {item.tier: item for item in plan.items if item.group == "java_nextint:1000"}
    # each reduction is an item of its own, the runtime's own function likeliest
    shares = {item.group: item.prior for item in plan.items if item.tier == "small"}
    assert set(shares) == {"java_nextint:1000", "mod:1000", "float_mul:1000", "digits:3"}
    assert shares["java_nextint:1000"] == max(shares.values())
    assert set(items) == set(TIERS)
    assert sum(item.prior for item in plan.items) == pytest.approx(1.0)
    unix = items["unix_s"]
    newest = unix.mass([(REFERENCE - 1000, REFERENCE)])
    older = unix.mass([(REFERENCE - 101_000, REFERENCE - 100_000)])
    assert newest > 50 * older
    small = items["small"]
    assert small.mass([(0, 100)]) > small.mass([(60_000, 60_100)]) * 100
    full = items["full32"]
    assert full.mass([(20_000_000, 20_001_000)]) == pytest.approx(
        full.mass([(4_000_000_000, 4_000_001_000)]))
    # full32 is what the other tiers leave of the 32-bit seeds: no seed is counted twice
    covered = sorted(r for item in items.values()
                     if item.tier not in ("unix_ms", "deep", "deeper") for r in item.ranges)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(covered))
    # the deep tiers hold the small seeds again at the offsets the small tier leaves, to 10,000
    depths = [items[tier].offsets for tier in ("small", "deep", "deeper")]
    assert items["deep"].ranges == items["small"].ranges == items["deeper"].ranges
    assert [(r.start, r.stop) for r in depths] == [(0, 8), (8, 1001), (1001, 10_001)]


def test_chunks_take_the_seeds_nearest_the_likeliest_from_both_sides():
    """A chunk is never a sliver at the reference time: with one second past "now" searched,
    the first chunk is that second and the 65,535 before it."""
    plan = build_plan([417, 93, 250, 8, 999, 51, 620], reference_s=REFERENCE, forward_s=0,
                      generators=["java_random"])
    unix = next(item for item in plan.items if item.tier == "unix_s")
    cursor = _ItemCursor.start(unix, [])
    assert cursor.peek(1 << 16) == [(REFERENCE - (1 << 16) + 1, REFERENCE + 1)]
    cursor.consume(cursor.peek(1 << 16))
    assert cursor.peek(10) == [(REFERENCE - (1 << 16) - 9, REFERENCE - (1 << 16) + 1)]


def test_time_seeds_are_searched_newest_first(capsys, tmp_path):
    """With a timestamped draw file, the Unix-seconds tier starts at the first draw's time."""
    stamp = REFERENCE - 86_400 * 3
    truth = Hypothesis(generator="java_random", seed=stamp - 40, reduction="java_nextint:1000")
    path = tmp_path / "draws.jsonl"
    moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
    path.write_text("".join(json.dumps({"ts": moment, "draw": d}) + "\n"
                            for d in predict(truth, 20)))
    # a named reduction leaves the state tier out (it would recover java_random first)
    code, out, err = run(capsys, "identify", "--draws", path, "--generators", "java_random",
                         "--reduce", "java_nextint:1000", "--backend", "numpy", "--budget", "60",
                         "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["identified"] and payload["identified_by"] == "seed", payload
    assert Hypothesis.model_validate(payload["best"][0]["hypothesis"]) == truth
    assert payload["reference"]["unix_seconds"] == stamp
    unix = next(c for c in payload["coverage"] if c["tier"] == "unix_s")
    assert unix["covered_seeds"] < unix["seeds"] / 100  # found near the top, not by sweeping


# ---- the budget and --continue ---------------------------------------------------------------------


def test_tiny_budget_stops_and_reports_coverage(capsys, tmp_path):
    path = tmp_path / "draws.json"
    write_draws(path, urandom_draws(30))
    began = time.monotonic()
    # the state tier (its first recovery loads compiled code) takes up to half of it first
    code, out, err = run(capsys, "identify", "--draws", path, "--backend", "numpy",
                         "--budget", "6", "--json")
    elapsed = time.monotonic() - began
    assert code == 0, err
    payload = json.loads(out)
    assert elapsed < 6 + 2.5  # the budget, plus reading and the equivalence checks
    assert payload["elapsed_seconds"] <= 6.5
    assert payload["stopped_by_budget"] and not payload["identified"]
    assert 0 < payload["covered_prior"] < 1
    cells = payload["coverage"]
    assert {c["tier"] for c in cells} == set(TIERS)
    assert any(c["covered_seeds"] == 0 for c in cells)
    assert payload["state_file"] and os.path.exists(payload["state_file"])

    code, out, _ = run(capsys, "identify", "--draws", path, "--backend", "numpy", "--budget", "3")
    assert "stopped at the budget" in out and "--continue" in out
    assert "covered part held the answer with probability" in out
    assert "java_random" in out and "unix_s" in out


def test_a_chunk_still_running_at_the_deadline_is_abandoned():
    """A device compile can outlast any estimate: the plan stops at its deadline anyway and
    counts the unfinished chunk as not searched."""
    observed = urandom_draws(20)
    plan = build_plan(observed, reference_s=REFERENCE, generators=["java_random"])

    def stuck(spaces, observed, **_options):
        time.sleep(3.0)
        raise AssertionError("an abandoned chunk's result must not be used")

    began = time.monotonic()
    result = run_plan(plan, observed, NumpyBackend(), deadline=time.monotonic() + 0.5,
                      search_function=stuck)
    assert time.monotonic() - began < 1.5
    assert result.stopped_by_budget and result.abandoned
    assert result.covered_prior == 0 and not result.reports


def test_continue_resumes_without_redoing_chunks():
    observed = urandom_draws(30)
    plan = build_plan(observed, reference_s=REFERENCE, generators=["java_random", "mt19937"])
    backend = NumpyBackend()
    first = run_plan(plan, observed, backend, deadline=time.monotonic() + 2.0)
    assert first.stopped_by_budget
    second = run_plan(plan, observed, backend, deadline=time.monotonic() + 2.0,
                      covered=first.covered)
    # an item is its generator, reductions and offsets (the deep tiers search the small tier's
    # seeds again at other offsets)
    searches = {item.key: (item.generator, item.reductions, item.offsets.start, item.offsets.stop)
                for item in plan.items}
    searched_again = []
    for report in second.reports:
        space = report.space
        for item_key, ranges in first.covered.items():
            if searches[item_key] != (space.generator, space.reductions, space.offset_start,
                                      space.offset_stop):
                continue
            for low, high in ranges:
                if space.seed_start < high and low < space.seed_stop:
                    searched_again.append((item_key, report.describe()))
    assert not searched_again
    assert second.reports
    assert second.covered_prior > first.covered_prior


def test_continue_from_the_command_line(capsys, tmp_path):
    path = tmp_path / "draws.json"
    write_draws(path, urandom_draws(30))
    args = ["identify", "--draws", path, "--backend", "numpy", "--generators",
            "java_random,mt19937", "--json"]
    code, out, err = run(capsys, *args, "--budget", "2")
    assert code == 0, err
    before = json.loads(out)
    code, out, err = run(capsys, *args, "--budget", "2", "--continue")
    assert code == 0, err
    after = json.loads(out)
    assert after["covered_prior"] > before["covered_prior"]
    for old, new in zip(before["coverage"], after["coverage"]):
        assert new["covered_seeds"] >= old["covered_seeds"]
    other = tmp_path / "other.json"
    write_draws(other, urandom_draws(30))
    code, _, err = run(capsys, "identify", "--draws", other, "--backend", "numpy", "--continue",
                       "--state", tmp_path / "draws.identify-state.json")
    assert code == 2 and "other draws" in err


# ---- equivalent entries ---------------------------------------------------------------------------


def test_equivalent_catalog_entries_are_named():
    found = Hypothesis(generator="mt19937", seed=20261204, reduction="mod:1000")
    twins = equivalent_generators(found, predict(found, 20))
    assert "php_mt_rand" in twins and "numpy_random_state" in twins
    assert "java_random" not in twins


def test_twins_one_word_apart_are_named_with_their_offset():
    # std::mt19937's double takes its top bits from its second word, numpy RandomState's (res53)
    # from its first: at 10 bits (six printed decimals), numpy one word later is the same draws
    found = Hypothesis(generator="numpy_random_state", seed=20261204, reduction="float_mul:1024",
                       offset=1)
    observed = predict(found, 20)
    assert "mt19937 at offset 0" in equivalent_generators(found, observed, nearby_offsets=2)
    assert not any("mt19937" == t.split()[0] for t in equivalent_generators(found, observed))


def test_identify_reports_equivalents(capsys, tmp_path):
    truth = Hypothesis(generator="php_mt_rand", seed=4242, reduction="mod:1000")
    path = tmp_path / "draws.json"
    write_draws(path, predict(truth, 20))
    code, out, err = run(capsys, "identify", "--draws", path, "--backend", "numpy", "--generators",
                         "mt19937,php_mt_rand", "--budget", "60")
    assert code == 0, err
    assert "IDENTIFIED" in out and "php_mt_rand" in out and "mt19937" in out
    assert "equivalent catalog entries" in out


# ---- calibration of the plan ----------------------------------------------------------------------

PLANTED = [
    # (generator, reduction, seed relative to the reference or absolute, offset, skip)
    ("java_random", "java_nextint:1000", "unix:-5", 0, 0),
    ("glibc_random", "c_rand_mod:1000", "unix:-300", 0, 0),
    ("cpython_random", "python_randbelow:1000", 4242, 1, 0),
    ("mt19937", "mod:1000", 80_000, 0, 0),  # typed, past 2**16
    ("mt19937", "mod:1000", 777, 1, 1),  # one output discarded before each draw
    ("java_random", "digits:3", "unix:-60", 0, 0),
    ("msvc_rand", "raw", 31337, 0, 0),
]


@pytest.mark.parametrize("generator, reduction, seed, offset, skip", PLANTED,
                         ids=[f"{p[0]}-{p[1]}-{p[2]}" for p in PLANTED])
def test_plan_identifies_planted_sequences(generator, reduction, seed, offset, skip):
    if isinstance(seed, str):
        seed = REFERENCE + int(seed.split(":")[1])
    truth = Hypothesis(generator=generator, seed=seed, reduction=reduction, offset=offset,
                       skip=SkipSchedule.constant(skip))
    observed = predict(truth, 20)
    plan = build_plan(observed, reference_s=REFERENCE,
                      generators=[generator, "java_random", "mt19937"])
    result = run_plan(plan, observed, NumpyBackend(), deadline=time.monotonic() + 120)
    assert result.identified
    best = result.survivors[0].hypothesis
    assert predict(best, 30) == predict(truth, 30)
    assert result.stopped_early  # beyond doubt well before the plan's end


def test_the_correction_weighs_hypotheses_by_the_plan_priors_and_sums_to_one():
    """Weighted Bonferroni: the weights over every hypothesis sum to at most 1 (so chance
    identifies nothing with probability above alpha); small seeds need less evidence than the
    plain correction over the whole plan, no item more than ten times as much."""
    observed = predict(Hypothesis(generator="java_random", seed=1234, reduction="java_nextint:6"),
                       12)
    plan = build_plan(observed, reference_s=REFERENCE,
                      generators=["java_random", "mt19937", "glibc_random"])
    total = sum(item.hypotheses * math.exp(-plan.log_correction(item)) for item in plan.items)
    assert total == pytest.approx(1.0, rel=1e-9)
    plain = math.log(plan.hypotheses)
    small = next(i for i in plan.items if i.key == "java_random/small/java_nextint:6")
    assert plan.log_correction(small) < plain - math.log(1e4)
    assert all(plan.log_correction(item) <= plain + math.log(10) + 1e-9 for item in plan.items)
    # thirteen dice (34 bits) single out a small Java seed now, not under the plain correction
    q = 1 / 6
    assert plan.log_correction(small) + 13 * math.log(q) < math.log(0.01)
    assert plain + 13 * math.log(q) > math.log(0.01)


def test_a_survivor_far_below_alpha_ends_the_search():
    """24 dice (62 bits) against a plan of 5e11 hypotheses: corrected p about 1e-7, four
    powers of ten below alpha = 0.01, so the rest of the plan cannot change the verdict."""
    truth = Hypothesis(generator="glibc_random", seed=4242, reduction="c_rand_mod:6")
    observed = predict(truth, 24)
    plan = build_plan(observed, reference_s=REFERENCE,
                      generators=["glibc_random", "java_random", "mt19937"])
    result = run_plan(plan, observed, NumpyBackend(), deadline=time.monotonic() + 120)
    assert result.identified and result.stopped_early
    assert -12 < result.survivors[0].log10_p_value < math.log10(0.01) - 4
    assert result.covered_prior < 0.5  # stopped at the find, not after the plan


def test_plan_leaves_random_draws_unexplained():
    """Random draws: never identified, and no survivor at all with 12 draws of 0..999 (the
    plan's correction makes a chance survivor's p-value large)."""
    plan_generators = ["java_random", "glibc_random", "mt19937", "xorshift32"]
    identified = 0
    for trial in range(6):
        observed = urandom_draws(12)
        plan = build_plan(observed, reference_s=REFERENCE, generators=plan_generators)
        result = run_plan(plan, observed, NumpyBackend(), deadline=time.monotonic() + 1.5,
                          cost_cache=CostCache(None))
        identified += result.identified
        assert result.expected_chance_survivors < 1e-6
    assert identified == 0


# ---- nulls of every shape --------------------------------------------------------------------------


def _urandom_words(count: int) -> list[int]:
    return [int.from_bytes(os.urandom(4), "little") for _ in range(count)]


@pytest.mark.parametrize("shape", ["doubles", "signed ints", "dice", "u32"])
def test_random_data_of_every_shape_is_no_generator(capsys, tmp_path, shape):
    """Doubles and signed ints go through the state tier (and signed words through the seed
    sieve as raw words), dice through both tiers read from 1: chance explains none of them."""
    words = _urandom_words(700)
    values = {"doubles": [w / 2**32 + int.from_bytes(os.urandom(2), "little") / 2**48
                          for w in words],
              "signed ints": [w - 2**32 if w >> 31 else w for w in words[:40]],
              "dice": [w % 6 + 1 for w in words[:60]],
              "u32": words}[shape]
    path = tmp_path / "null.txt"
    path.write_text("".join(f"{v!r}\n" for v in values))
    code, out, err = run(capsys, "identify", "--draws", path, "--backend", "numpy", "--budget", "8",
                         "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["verdict"] == "no generator explains this data" and not payload["identified"]
    assert payload["state_tier"]["attempts"]  # the state tier tried and found nothing
    assert all(a["verdict"] != "identified" for a in payload["state_tier"]["attempts"])


def test_a_small_seed_observed_deep_into_the_stream_is_found():
    """Ten raw outputs from the ninth hundred of std::mt19937(300): the deep tier's offsets."""
    truth = Hypothesis(generator="mt19937", seed=300, reduction="raw", offset=850)
    observed = predict(truth, 10)
    plan = build_plan(observed, reference_s=REFERENCE, generators=["mt19937"])
    run = run_plan(plan, observed, NumpyBackend(), deadline=time.monotonic() + 120,
                   cost_cache=CostCache(None))
    assert run.identified and run.survivors[0].hypothesis == truth
    deep = next(c for c in run.coverage if c.tier == "deep")
    assert 0 < deep.covered_seeds < deep.seeds  # found near the likeliest seeds, not by sweeping


@pytest.mark.parametrize("values", [[-0.5, 0.25, 0.75], [2**70, 5, 7], [-(2**40), 5]])
def test_draws_no_catalog_generator_makes_are_one_line(capsys, tmp_path, values):
    path = tmp_path / "odd.txt"
    path.write_text("".join(f"{v!r}\n" for v in values))
    code, out, err = run(capsys, "identify", "--draws", path, "--backend", "numpy", "--json")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    payload = json.loads(out)
    assert payload["verdict"] == "no catalog generator makes these"
    assert payload["state_tier"]["needs_more_draws"] == []
