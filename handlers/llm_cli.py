"""``watcher llm check``: load the local LLM, ask one real verdict, print it with its timings
(entry point of the ``prng_watcher.cli`` group)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from contexts import build_llm_context
from contexts.samples import SAMPLE_RESULTS

from .llm_model import LLMConfig, LLMError
from .llm_service import LLMService, evaluate_bundle

__all__ = ["register_cli"]


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
    report: dict[str, Any] = {
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
