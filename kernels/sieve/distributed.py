"""Scale-out on Dask distributed: sieve chunks as Dask tasks on workers that hold GPUs.

Start one worker per GPU, each declaring the resource, for example::

    dask scheduler                                       # on the head node: tcp://HEAD:8786
    CUDA_VISIBLE_DEVICES=0 dask worker tcp://HEAD:8786 --nthreads 1 --resources "GPU=1"
    CUDA_VISIBLE_DEVICES=1 dask worker tcp://HEAD:8786 --nthreads 1 --resources "GPU=1"

then ``watcher sieve ... --scheduler tcp://HEAD:8786``. When no worker declares ``GPU``, tasks
run on any worker (CPU OpenCL or numpy). Each task builds its backend by name on the worker
(device handles do not travel). Task keys are the chunks' deterministic ids, so a resubmitted
or duplicated chunk is the same task and is merged once; Dask retries a failed task, and a chunk
that still fails raises here, failing the whole search loudly. Nothing is dropped.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction
from kernels.sieve.engine import Chunk, ProbeHit

__all__ = ["NamedBackend", "dask_chunk_runner", "RETRIES"]

#: attempts per chunk beyond the first before the search fails
RETRIES = 2


class NamedBackend:
    """A backend that travels by name and is built where it is first used."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._backend: Any = None
        self.preferred_chunk = {"numpy": 1 << 16, "cuda": 1 << 24}.get(name, 1 << 22)

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        NamedBackend.__init__(self, state["name"])

    def _real(self) -> Any:
        if self._backend is None:
            from kernels.sieve.backends import make_backend

            self._backend = make_backend(self.name)
        return self._backend

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool:
        return bool(self._real().supports(generator, reduction))

    def probe(self, generator: type[PRNG], reductions: Sequence[Reduction],
              seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        hits, overflow = self._real().probe(generator, reductions, seeds, offsets, skips,
                                            variable_skip, observed)
        return hits, overflow


def dask_chunk_runner(address: str, backend_name: str = "auto",
                      client: Any = None, connect_timeout: str = "10s") -> tuple[Callable[..., Iterator[tuple[Chunk, Any]]], NamedBackend]:
    """A ``run_chunks`` for :func:`kernels.sieve.engine.search` and the backend to pass with it.

    ``client`` may be given directly (tests use a LocalCluster); otherwise one is connected to
    ``address``.
    """
    from distributed import Client, as_completed

    if client is None:
        try:
            client = Client(address, timeout=connect_timeout)
        except OSError as error:
            raise ValueError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    workers = client.scheduler_info().get("workers", {})
    has_gpu = any("GPU" in (w.get("resources") or {}) for w in workers.values())
    resources = {"GPU": 1} if has_gpu else None

    def run_chunks(chunks: list[Chunk], function: Callable[[Chunk], Any]) -> Iterator[tuple[Chunk, Any]]:
        by_key = {f"sieve-chunk-{chunk.id}": chunk for chunk in chunks}
        futures = [client.submit(function, chunk, key=key, pure=False, retries=RETRIES,
                                 resources=resources)
                   for key, chunk in by_key.items()]
        for future in as_completed(futures):
            chunk = by_key[future.key]
            if future.status == "error":
                error = future.exception()
                raise RuntimeError(f"sieve chunk {chunk.id} ({chunk.space.describe()}, seeds "
                                   f"{chunk.seed_start}:{chunk.seed_stop}) failed after "
                                   f"{RETRIES + 1} attempts: {error!r}") from error
            yield chunk, future.result()
            future.release()

    return run_chunks, NamedBackend(backend_name)
