"""Continued pre-training: a causal LM on packed text blocks, with transformers' Trainer (warmup + cosine,
gradient accumulation, bf16 where it helps, checkpoints, resume; accelerate/DeepSpeed/FSDP through
``accelerate launch``)."""

from __future__ import annotations

from typing import Any

from mathforge.train.common import ThroughputCallback, train_and_finish, trainer_kwargs
from mathforge.train.config import StageConfig
from mathforge.train.data import DataError, pack_texts, pretrain_texts


def load_model(path: str, *, sequence_classification: bool = False):
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

    from mathforge.models import smollm2

    path = smollm2.resolve(path, "hf")
    tok = AutoTokenizer.from_pretrained(path)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    cls = AutoModelForSequenceClassification if sequence_classification else AutoModelForCausalLM
    kwargs = {"num_labels": 1} if sequence_classification else {}
    model = cls.from_pretrained(path, **kwargs)
    if sequence_classification and model.config.pad_token_id is None:
        model.config.pad_token_id = tok.pad_token_id
    return model, tok


def run_pretrain(cfg: StageConfig, callbacks: list | None = None) -> dict[str, Any]:
    from datasets import Dataset
    from transformers import Trainer, TrainingArguments, default_data_collator

    model, tok = load_model(cfg.model)
    packed = pack_texts(pretrain_texts(cfg.data), tok, cfg.seq_len)
    if not packed["blocks"]:
        raise DataError(f"pretrain: fewer than {cfg.seq_len} tokens in {cfg.data}; nothing to train on")
    ds = Dataset.from_dict({"input_ids": packed["blocks"], "labels": packed["blocks"]})
    args = TrainingArguments(**trainer_kwargs(cfg))
    world = args.world_size
    tokens_per_step = cfg.per_device_batch_size * cfg.gradient_accumulation_steps * cfg.seq_len * world
    speed = ThroughputCallback(tokens_per_step, model.num_parameters())
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=ds,
        data_collator=default_data_collator,
        callbacks=[speed, *(callbacks or [])],
    )
    extra = {"blocks": len(packed["blocks"]), "data_tokens": packed["tokens"], "texts": packed["texts"]}
    return train_and_finish(trainer, tok, cfg, speed, extra)
