"""Tiny models and data for the training tests (built in seconds, no download)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from mathforge.synth import generate
from mathforge.synth.io import sft_records


def synth_data(root: Path, n: int = 40) -> dict[str, Path]:
    """Pretraining text, SFT chats (CoT + tool-integrated) and RM/GRPO records from generated problems."""
    root.mkdir(parents=True, exist_ok=True)
    rep = generate(["arithmetic", "linear_equations"], n=n, seed=0)
    items = rep.items
    pt = root / "pretrain.jsonl"
    pt.write_text(
        "\n".join(json.dumps({"text": f"{i.question} {i.cot}"}, ensure_ascii=False) for i in items) + "\n"
    )
    sft = root / "sft.jsonl"
    sft.write_text("\n".join(json.dumps(r, ensure_ascii=False) for i in items for r in sft_records(i)) + "\n")
    rm = root / "rm.jsonl"
    with rm.open("w") as fh:
        for i in items:
            wrong = i.cot.replace(f"\\boxed{{{i.answer}}}", f"\\boxed{{{i.answer}+1}}")
            fh.write(
                json.dumps(
                    {"question": i.question, "answer": i.answer, "responses": [i.cot, wrong, wrong]},
                    ensure_ascii=False,
                )
                + "\n"
            )
    return {"pretrain": pt, "sft": sft, "rm": rm, "texts": [f"{i.question} {i.cot}" for i in items]}


def char_model(root: Path) -> Path:
    """A 12-character vocabulary model for the single-digit-sum GRPO task: a random policy is right about
    1 time in 12, so the learning signal is visible within a few dozen steps."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    vocab = {c: i for i, c in enumerate(["<pad>", "<eos>", *"0123456789+="])}
    t = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    t.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    t.decoder = decoders.Fuse()
    tok = PreTrainedTokenizerFast(tokenizer_object=t, pad_token="<pad>", eos_token="<eos>")
    torch.manual_seed(0)
    cfg = Qwen2Config(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=1,
        tie_word_embeddings=True,
    )
    Qwen2ForCausalLM(cfg).save_pretrained(root)
    tok.save_pretrained(root)
    return root


def char_grpo_config(root: Path, rows: list[dict], **settings):
    """A GRPO stage on the character model: ``rows`` of single-digit sums written as its data, one-token
    completions, no checkpoints or loggers; ``settings`` are the test's own StageConfig fields."""
    from mathforge.train import StageConfig

    data = root / "sums.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    base = {
        "prompt_style": "plain",
        "max_completion_length": 1,
        "save_steps": 1000,
        "report_to": [],
    }
    return StageConfig(
        stage="grpo",
        model=str(char_model(root / "char")),
        output_dir=str(root / "grpo"),
        data=[str(data)],
        **(base | settings),
    )
