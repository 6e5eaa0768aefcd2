"""Continued pre-training throughput: ``mathforge train pretrain`` (transformers Trainer) vs a plain
PyTorch loop (AdamW, same model, same packed data, same batch), tokens/s on this machine.

    python benchmarks/train_speed.py [--hidden 256 --layers 4 --steps 30 --batch 8 --seq 256]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=256)
    args = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    from trainkit import synth_data
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from mathforge.models.tiny import build_tiny_model
    from mathforge.train import StageConfig, train_stage
    from mathforge.train.data import pack_texts

    root = Path(tempfile.mkdtemp())
    data = synth_data(root / "data", n=200)
    model_dir = build_tiny_model(
        root / "m", data["texts"], vocab_size=2000, hidden_size=args.hidden, layers=args.layers, heads=4
    )
    n_params = AutoModelForCausalLM.from_pretrained(model_dir).num_parameters()

    cfg = StageConfig(
        stage="pretrain",
        model=str(model_dir),
        output_dir=str(root / "pt"),
        data=[str(data["pretrain"])],
        max_steps=args.steps,
        seq_len=args.seq,
        per_device_batch_size=args.batch,
        learning_rate=1e-3,
        logging_steps=args.steps,
        save_steps=10**6,
        report_to=[],
        warmup_ratio=0.0,
    )
    t0 = time.perf_counter()
    summary = train_stage(cfg)
    mf_total = time.perf_counter() - t0
    mf_tps = [h["tokens_per_second"] for h in summary["log"] if "tokens_per_second" in h][-1]

    tok = AutoTokenizer.from_pretrained(model_dir)
    texts = [json.loads(x)["text"] for x in data["pretrain"].read_text().splitlines()]
    blocks = torch.tensor(pack_texts(texts, tok, args.seq)["blocks"])
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(model_dir).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    for _step in range(args.steps):
        idx = torch.randint(0, len(blocks), (args.batch,))
        batch = blocks[idx]
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    plain = time.perf_counter() - t0
    plain_tps = args.steps * args.batch * args.seq / plain

    print(
        f"\nmodel: Qwen2 {n_params / 1e6:.1f}M params, seq {args.seq}, batch {args.batch}, {args.steps} steps, "
        f"{torch.get_num_threads()} threads, fp32"
    )
    print(f"{'implementation':36s} {'tokens/s':>9s} {'vs plain':>9s}")
    print(f"{'mathforge pretrain (Trainer)':36s} {mf_tps:9.0f} {mf_tps / plain_tps:8.2f}×")
    print(f"{'plain PyTorch loop':36s} {plain_tps:9.0f} {1.0:8.2f}×")
    print(f"(mathforge wall time incl. data packing and saving: {mf_total:.1f} s)")


if __name__ == "__main__":
    main()
