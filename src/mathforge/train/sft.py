"""Supervised fine-tuning on chat data with TRL's SFTTrainer. We tokenise ourselves (``data.py``) so the
loss covers only the assistant's tokens *and* skips interpreter output inside tool-integrated answers —
TRL's assistant-only masking cannot exclude spans inside the assistant turn."""

from __future__ import annotations

from typing import Any

from mathforge.train.common import ThroughputCallback, train_and_finish, trainer_kwargs
from mathforge.train.config import StageConfig
from mathforge.train.data import sft_dataset
from mathforge.train.pretrain import load_model


def run_sft(cfg: StageConfig, callbacks: list | None = None) -> dict[str, Any]:
    from trl import SFTConfig, SFTTrainer

    model, tok = load_model(cfg.model)
    ds = sft_dataset(cfg.data, tok, cfg.seq_len)
    args = SFTConfig(
        **trainer_kwargs(cfg),
        max_length=cfg.seq_len,
        packing=cfg.packing,
        completion_only_loss=True,
        dataset_kwargs={"skip_prepare_dataset": False},
    )
    peft_config = None
    if cfg.lora_r > 0:
        from peft import LoraConfig

        peft_config = LoraConfig(
            r=cfg.lora_r, lora_alpha=cfg.lora_alpha, task_type="CAUSAL_LM", target_modules="all-linear"
        )
    mean_len = sum(len(x) for x in ds["input_ids"]) / len(ds)
    tokens_per_step = int(
        cfg.per_device_batch_size * cfg.gradient_accumulation_steps * mean_len * args.world_size
    )
    speed = ThroughputCallback(tokens_per_step, model.num_parameters())
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=ds,
        processing_class=tok,
        peft_config=peft_config,
        callbacks=[speed, *(callbacks or [])],
    )
    return train_and_finish(
        trainer, tok, cfg, speed, {"examples": len(ds)}, merge_lora=peft_config is not None
    )
