"""The local LLM in this process: llama.cpp loads a GGUF model, checks the grammars, and
answers one bundle at a time.

:class:`LLMService` loads the model on ``start`` and frees it on ``stop``. At start it hands
every grammar of ``grammars/`` to llama.cpp's own grammar parser and refuses to start if one is
rejected.

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

:func:`evaluate_bundle` asks the started service about one bundle and validates the answer
against its grammar's model.
"""

from __future__ import annotations

import ctypes
import gc
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

from contexts import StepAwarenessBundle, interpret
from contexts.guardrails import Interpretation
from grammars import GrammarSpec, VerdictParseError, get_grammar, load_grammars
from grammars.registry import parse_verdict

from .llm_model import LLMConfig, LLMError, model_sha256, resolve_model

__all__ = [
    "Finish",
    "GGUFTokenizer",
    "Generation",
    "StartInfo",
    "LLMService",
    "LLMAnswer",
    "evaluate_bundle",
    "check_grammars_with_llama",
]

#: Why a generation ended: an end-of-generation token, the token limit, or the deadline.
Finish = Literal["stop", "length", "timeout"]

# How many of the most likely tokens are checked against the grammar one by one before the
# grammar is applied to the whole vocabulary.
_TOP_K = 64


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
    finish: Finish
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
            self._path = resolve_model(self.config)
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
            path = resolve_model(self.config)
            sha = model_sha256(path)
            grammars = load_grammars()  # GrammarError here means a broken package: loud
            llm = _load_llama(path, self.config, vocab_only=False)
            try:
                check_grammars_with_llama(llm, grammars)
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
        path = resolve_model(self.config)
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
            if self._llm is None or self._tokenizer is None:  # both are set by start
                raise LLMError("the LLM is not started")
            return _generate(self._llm, self._tokenizer, prompt, grammar,
                             max_tokens=max_tokens, timeout_s=timeout_s)


def check_grammars_with_llama(llm: Any, grammars: Mapping[str, GrammarSpec]) -> None:
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
    finish: Finish = "length"
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

    @property
    def provenance(self) -> dict[str, Any]:
        """What every event made from an answer records of how it was made: model, grammar,
        prompt, tokens and latency (the generation's fields ``None`` when there was none)."""
        gen = self.generation
        return {"model_sha256": self.model_sha256, "grammar": self.bundle.grammar,
                "grammar_sha256": self.bundle.grammar_sha256,
                "prompt_sha256": self.bundle.prompt_sha256,
                "tokens_in": gen.prompt_tokens if gen else None,
                "tokens_out": gen.completion_tokens if gen else None,
                "latency_ms": round(gen.latency_s * 1000, 1) if gen else None}


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
