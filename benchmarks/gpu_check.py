"""One-GPU check (≤8 minutes on an H100/H200): a ~0.5B-parameter Qwen2-architecture model, random
init, bf16 — training tokens/s and MFU through ``mathforge train pretrain``, and generation throughput of
the ``hf`` backend (batched vs one prompt at a time). Prints a table. Run via ``benchmarks/gpu_check.sh``."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    import torch
    from trainkit import synth_data
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from mathforge.infer import BackendSpec, SamplingParams, get_backend
    from mathforge.models.tiny import train_tokenizer
    from mathforge.prompts import Prompt
    from mathforge.train import StageConfig, train_stage

    assert torch.cuda.is_available(), "no CUDA device"
    root = Path(tempfile.mkdtemp())
    data = synth_data(root / "data", n=300)
    # bulk text so packing yields enough blocks
    bulk = root / "data" / "bulk.jsonl"
    texts = data["texts"] * 40
    bulk.write_text("\n".join(json.dumps({"text": t}) for t in texts) + "\n")
    tok = train_tokenizer(texts[:2000], vocab_size=32000)
    cfg = Qwen2Config(
        vocab_size=len(tok),
        hidden_size=1024,
        intermediate_size=4096,
        num_hidden_layers=24,
        num_attention_heads=16,
        num_key_value_heads=16,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
    )
    model = Qwen2ForCausalLM(cfg)
    n_params = model.num_parameters()
    model.save_pretrained(root / "m")
    tok.save_pretrained(root / "m")
    del model

    sc = StageConfig(
        stage="pretrain",
        model=str(root / "m"),
        output_dir=str(root / "pt"),
        data=[str(bulk)],
        max_steps=60,
        seq_len=2048,
        per_device_batch_size=8,
        learning_rate=3e-4,
        logging_steps=20,
        save_steps=10**6,
        report_to=[],
        bf16="true",
        warmup_ratio=0.0,
    )
    summary = train_stage(sc)
    logs = [h for h in summary["log"] if "tokens_per_second" in h]
    tps, mfu = logs[-1]["tokens_per_second"], logs[-1].get("mfu")

    backend_b = get_backend(
        BackendSpec(backend="hf", model=summary["final_model"], batch_size=32, dtype="bfloat16", chat=False)
    )
    backend_1 = get_backend(
        BackendSpec(backend="hf", model=summary["final_model"], batch_size=1, dtype="bfloat16", chat=False)
    )
    prompts = [
        Prompt(messages=(), text=f"Problem {i}: compute {i} plus {i + 1}.", style="cot") for i in range(64)
    ]
    params = SamplingParams(max_tokens=128)
    rates = {}
    for name, b in (("hf batched (32)", backend_b), ("hf one at a time", backend_1)):
        b.generate(prompts[:2], SamplingParams(max_tokens=8))
        t0 = time.perf_counter()
        gens = b.generate(prompts if name.startswith("hf batched") else prompts[:16], params)
        el = time.perf_counter() - t0
        rates[name] = (sum(g[0].tokens for g in gens) / el, len(gens) / el)

    print(f"\n{torch.cuda.get_device_name()}; Qwen2 {n_params / 1e6:.0f}M params, bf16, seq 2048, batch 8")
    print(f"{'measure':40s} {'value':>12s}")
    print(f"{'training tokens/s':40s} {tps:12.0f}")
    print(f"{'training MFU (6·N·tokens/s / peak)':40s} {mfu if mfu is not None else float('nan'):12.3f}")
    for name, (tok_s, items_s) in rates.items():
        print(f"{'generation tokens/s, ' + name:40s} {tok_s:12.0f}   ({items_s:.2f} items/s)")


if __name__ == "__main__":
    main()
