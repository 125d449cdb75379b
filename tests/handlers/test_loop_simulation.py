"""The loop in miniature that selfplay's episodes and the shadow predictions run."""

from __future__ import annotations

import hashlib

from handlers.history import DrawHistory
from handlers.loop_simulation import (
    SEARCH_WINDOW,
    Outcome,
    Resume,
    Stream,
    simulate,
    stream_of,
)
from handlers.selfplay import fitness, make_episode, variations
from kernels.observation import Hypothesis, predict
from machine.loop_policy import BASELINE, LOOP_PARAMETERS, with_values

CHEAP = ("glibc_random", "java_random")
T0 = 1_764_000_000


def _random(count: int, salt: str = "r") -> list[int]:
    return [int.from_bytes(hashlib.sha256(f"{salt}{i}".encode()).digest(), "big") % 1000
            for i in range(count)]


def _stream(values: list[int]) -> Stream:
    return Stream(tuple(values), tuple(T0 + 60 * i for i in range(len(values))), "mod:1000")


def _hits(sim) -> str:
    return "".join("1" if o.hit else "." for o in sim.outcomes)


def test_a_clock_seeded_segment_is_found_after_a_window_and_then_predicted() -> None:
    start = 12
    planted = predict(Hypothesis(generator="java_random", seed=T0 + 60 * start - 500,
                                 reduction="mod:1000"), 18)
    sim = simulate(BASELINE, _stream(_random(start) + planted), 0, start + 18, alpha=0.01,
                   generators=CHEAP)
    assert [(i, h.generator, h.seed) for i, h in sim.identifications] == [
        (start, "java_random", T0 + 60 * start - 500)]
    assert _hits(sim) == "." * (start + SEARCH_WINDOW) + "1" * (18 - SEARCH_WINDOW)


def test_random_draws_are_never_claimed() -> None:
    sim = simulate(BASELINE, _stream(_random(40)), 0, 40, alpha=0.01, generators=CHEAP)
    assert sim.identifications == [] and _hits(sim) == "." * 40 and sim.searches >= 15


def test_a_reseed_is_searched_again_and_a_transcription_error_is_not_a_reseed() -> None:
    first = predict(Hypothesis(generator="glibc_random", seed=T0 - 30, reduction="mod:1000"), 16)
    second = predict(Hypothesis(generator="java_random", seed=T0 + 60 * 16 - 7,
                                reduction="mod:1000"), 16)
    sim = simulate(BASELINE, _stream(first + second), 0, 32, alpha=0.01, generators=CHEAP)
    assert [h.generator for _, h in sim.identifications] == ["glibc_random", "java_random"]
    assert _hits(sim)[16:] == "." * SEARCH_WINDOW + "1" * (16 - SEARCH_WINDOW)
    noisy = predict(Hypothesis(generator="glibc_random", seed=T0 - 30, reduction="mod:1000"), 30)
    noisy[14] = (noisy[14] + 1) % 1000
    strict = simulate(BASELINE, _stream(noisy), 0, 30, alpha=0.01, generators=CHEAP)
    assert len(strict.identifications) == 1  # found again without a search
    # the window after the error is clean at draw 20; the cadence (2) checks it at draw 21
    assert _hits(strict)[14:] == "." * (SEARCH_WINDOW + 2) + "1" * (14 - SEARCH_WINDOW)
    tolerant = simulate(with_values(BASELINE, {"tolerated_errors": 1}), _stream(noisy), 0, 30,
                        alpha=0.01, generators=CHEAP)
    assert _hits(tolerant)[14:] == "." + "1" * 15


def test_a_simulation_resumed_draw_by_draw_equals_one_walk() -> None:
    planted = predict(Hypothesis(generator="java_random", seed=T0 + 300, reduction="mod:1000"),
                      14)
    stream = _stream(_random(10) + planted)
    whole = simulate(BASELINE, stream, 0, 24, alpha=0.01, generators=CHEAP)
    resume: Resume | None = None
    pieces: list[Outcome] = []
    for index in range(24):
        part = simulate(BASELINE, stream, index, index + 1, alpha=0.01, resume=resume,
                        generators=CHEAP)
        resume, pieces = part.resume, pieces + part.outcomes
    assert pieces == whole.outcomes and resume == whole.resume


def test_untimed_draws_get_times_in_order() -> None:
    stream = stream_of([1, 2, 3, 4], [None, T0, None, T0 - 5])
    assert stream.times == (T0 - 60 * 5 + 60, T0, T0 + 60, T0 + 120)
    assert stream.reduction == "mod:10"


def test_episodes_differ_and_variations_stay_in_bounds() -> None:
    history = DrawHistory(tuple(_random(30)), (None,) * 30, (None,) * 30)
    episodes = [make_episode(history, n, 11, 24, CHEAP) for n in range(4)]
    assert len({(e.hypothesis.generator, e.hypothesis.seed, e.start) for e in episodes}) == 4
    assert make_episode(history, 2, 11, 24, CHEAP) == episodes[2]  # the seed says it all
    for policy in variations(BASELINE, 3, 8):
        moved = [n for n in LOOP_PARAMETERS if getattr(policy, n) != getattr(BASELINE, n)]
        assert 1 <= len(moved) <= 2 and policy != BASELINE
        for name in moved:
            spec = LOOP_PARAMETERS[name]
            assert spec.low <= getattr(policy, name) <= spec.high
    episode = episodes[0]
    sim = simulate(BASELINE, episode.stream, 0, 24, alpha=0.01, generators=CHEAP)
    measured = fitness(episode, sim)
    assert measured["false_ids"] == 0 and 0 <= measured["hit_rate"] <= 1
    assert measured["fitness"] < measured["hit_rate"]  # the lag and the searches cost
