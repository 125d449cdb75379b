"""Scale-out on a Dask LocalCluster: same survivors as in-process, duplicates merged once,
a chunk that fails for good fails the search."""

from __future__ import annotations

import distributed
import pytest

from kernels.observation import Hypothesis, SkipSchedule, predict
from kernels.sieve.distributed import dask_chunk_runner
from kernels.sieve.engine import SearchSpace, SkipSpace, chunk_space, search


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as connected:
            yield connected


SPACE = SearchSpace(generator="mt19937", reduction="mod:1000", seed_start=0, seed_stop=6000,
                    offset_stop=3, skip=SkipSpace(low=0, high=1))


def test_same_result_as_in_process(client):
    planted = Hypothesis(generator="mt19937", seed=4321, reduction="mod:1000", offset=2,
                         skip=SkipSchedule.constant(1))
    observed = predict(planted, 16)
    run_chunks, backend = dask_chunk_runner("", "numpy", client=client)
    remote = search([SPACE], observed, backend=backend, run_chunks=run_chunks, chunk_size=1000)
    local = search([SPACE], observed, chunk_size=1000)
    assert remote.identified and remote.best.hypothesis == planted
    assert [s.hypothesis for s in remote.survivors] == [s.hypothesis for s in local.survivors]
    assert remote.reports[0].chunks == local.reports[0].chunks == 6


def test_tolerated_errors_same_as_in_process(client):
    planted = Hypothesis(generator="mt19937", seed=5005, reduction="mod:1000", offset=1,
                         skip=SkipSchedule.constant(1))
    observed = predict(planted, 16)
    for index in (0, 5):
        observed[index] = (observed[index] + 1) % 1000
    run_chunks, backend = dask_chunk_runner("", "numpy", client=client)
    remote = search([SPACE], observed, backend=backend, run_chunks=run_chunks, chunk_size=1000,
                    window=12, errors=2)
    local = search([SPACE], observed, chunk_size=1000, window=12, errors=2)
    assert remote.identified and remote.best.hypothesis == planted
    assert remote.best.mismatches == (0, 5)
    assert ([(s.hypothesis, s.mismatches) for s in remote.survivors]
            == [(s.hypothesis, s.mismatches) for s in local.survivors])


def test_duplicated_chunks_count_once(client):
    run_chunks, _ = dask_chunk_runner("", "numpy", client=client)
    chunks = list(chunk_space(SPACE, "obs", 2000))
    results = list(run_chunks(chunks + chunks[:2], lambda chunk: chunk.seed_start))
    assert sorted(value for _, value in results) == [0, 2000, 4000]


def test_failing_chunk_fails_the_search(client):
    run_chunks, _ = dask_chunk_runner("", "numpy", client=client)
    chunks = list(chunk_space(SPACE, "obs", 2000))

    def flaky(chunk):
        if chunk.seed_start == 2000:
            raise OSError("device lost")
        return chunk.seed_start

    with pytest.raises(RuntimeError, match="failed after 3 attempts"):
        list(run_chunks(chunks, flaky))


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler"):
        dask_chunk_runner("tcp://127.0.0.1:1", "numpy", connect_timeout="1s")
