"""LLM verdict benchmark: ``python benchmarks/llm_bench.py [--repeats N] [--threads N] [--no-stock]``.

On this machine, with the embedded model (Gemma 3 270M Q4_K_M), for each pipeline step's
sample bundle (``contexts.samples``), prints:

- the step verdict's latency (prompt evaluation + grammar-constrained greedy decoding), the
  prompt and completion tokens, prompt tokens/s and decoding tokens/s;
- decoding tokens/s *without* the grammar (the same prompt, the same number of tokens), and
  the grammar's share of the verdict time (time inside the grammar checks / latency);
- once, for comparison, the same verdict through llama-cpp-python's stock
  ``create_completion(grammar=...)``, which masks the whole 262k-token vocabulary at every
  step (what ``handlers.llm_service`` avoids).

Goal: a step verdict in under 3 s on 2 cores (the LLM judges every unit of a run, so its
latency is paid many times per run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contexts import build_llm_context  # noqa: E402
from contexts.samples import SAMPLE_RESULTS  # noqa: E402
from grammars import get_grammar  # noqa: E402
from handlers.llm_model import LLMConfig  # noqa: E402
from handlers.llm_service import LLMService, evaluate_bundle  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="verdicts per step (default 3)")
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads")
    parser.add_argument("--no-stock", action="store_true",
                        help="skip the stock create_completion comparison (slow)")
    args = parser.parse_args(argv)

    config = LLMConfig(n_threads=args.threads, timeout_s=120)
    service = LLMService(config)
    t0 = time.perf_counter()
    info = service.start()
    load_s = time.perf_counter() - t0
    print(f"model {info.path.name} sha256 {info.sha256[:16]}..., {info.threads} threads, "
          f"n_ctx {config.n_ctx}; load + grammar check {load_s:.2f} s")
    print()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (this machine's 2 cores are shared; "
          "CPU seconds are the work, independent of contention)")
    print()
    print("| step | prompt tok | answer tok | verdict latency s (median, max) | verdict CPU s "
          "| prompt tok/s | decode tok/s (grammar) | decode tok/s (no grammar) | grammar share "
          "| decision |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    all_latency = []
    for step in range(1, 7):
        _, _, bundle = build_llm_context(step, "bench", SAMPLE_RESULTS[f"step_{step}"],
                                         tokenizer=service.tokenizer, attempt=1,
                                         n_ctx=config.n_ctx)
        runs, cpu = [], []
        for _ in range(args.repeats):
            c0 = time.process_time()
            runs.append(evaluate_bundle(service, bundle))
            cpu.append(time.process_time() - c0)
        gens = [r.generation for r in runs if r.generation is not None]
        latency = [g.latency_s for g in gens]
        all_latency += latency
        g = gens[0]
        free = [service.generate(bundle.prompt, None, max_tokens=max(g.completion_tokens, 1),
                                 timeout_s=120) for _ in range(args.repeats)]
        share = statistics.median(x.grammar_s / x.latency_s for x in gens)
        decision = runs[0].interpretation.decision if runs[0].interpretation else runs[0].status
        print(f"| {step} | {g.prompt_tokens} | {g.completion_tokens} | "
              f"{statistics.median(latency):.2f}, {max(latency):.2f} | "
              f"{statistics.median(cpu):.2f} | "
              f"{statistics.median(x.prompt_tokens / x.prompt_s for x in gens):.0f} | "
              f"{statistics.median(x.tokens_per_s for x in gens):.1f} | "
              f"{statistics.median(x.tokens_per_s for x in free):.1f} | "
              f"{100 * share:.1f}% | {decision} |")
    print()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    print(f"all step verdicts: median {statistics.median(all_latency):.2f} s, "
          f"max {max(all_latency):.2f} s over {len(all_latency)} verdicts "
          f"(goal: under 3 s)")

    if not args.no_stock:
        _, _, bundle = build_llm_context(2, "bench", SAMPLE_RESULTS["step_2"],
                                         tokenizer=service.tokenizer, attempt=1)
        from llama_cpp import LlamaGrammar

        llm = service._llm
        wrapped = service.tokenizer._wrap(bundle.prompt)
        grammar = LlamaGrammar.from_string(get_grammar("step_verdict").text, verbose=False)
        for _ in range(max(1, args.repeats)):
            llm.reset()
            t0, c0 = time.perf_counter(), time.process_time()
            out = llm.create_completion(wrapped, max_tokens=bundle.answer_tokens, temperature=0,
                                        grammar=grammar)
            stock_s, stock_cpu = time.perf_counter() - t0, time.process_time() - c0
            c0 = time.process_time()
            ours = evaluate_bundle(service, bundle)
            ours_cpu = time.process_time() - c0
            same = out["choices"][0]["text"] == ours.generation.text
            print(f"step 2, stock create_completion(grammar=...): {stock_s:.2f} s wall, "
                  f"{stock_cpu:.2f} s CPU, {out['usage']['completion_tokens']} tokens; ours: "
                  f"{ours.generation.latency_s:.2f} s wall, {ours_cpu:.2f} s CPU; "
                  f"same answer: {same}")
    service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
