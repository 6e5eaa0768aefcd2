"""What every stage shares: Trainer arguments from a StageConfig, resume, logging, the manifest."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from mathforge.stage_io import input_identities, write_manifest
from mathforge.train.config import ConfigError, StageConfig

# Peak dense bf16 FLOP/s per GPU, for MFU (public spec sheets).
PEAK_FLOPS = {"H100": 989e12, "H200": 989e12, "A100": 312e12, "L40S": 362e12, "A10": 125e12}


def use_bf16(cfg: StageConfig) -> bool:
    import torch

    chosen = _switch(cfg.bf16, "bf16")
    if chosen is not None:
        return chosen
    # auto: only on GPUs with bf16; on CPUs without AMX bf16 autocast is slower than fp32
    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def _switch(value: str | bool, field: str) -> bool | None:
    """A yes/no/auto field: True, False, or None for auto."""
    if value in ("true", "yes", "on", True):
        return True
    if value in ("false", "no", "off", False):
        return False
    if value == "auto":
        return None
    raise ConfigError(f"{field} = {value!r}: use auto, true or false")


def use_activation_checkpointing(cfg: StageConfig) -> bool:
    import torch

    chosen = _switch(cfg.activation_checkpointing, "activation_checkpointing")
    return bool(torch.cuda.is_available()) if chosen is None else chosen


def trainer_kwargs(cfg: StageConfig) -> dict[str, Any]:
    """Arguments common to transformers' TrainingArguments and TRL's configs."""
    import torch

    warmup = max(0, math.ceil(cfg.warmup_ratio * cfg.max_steps))
    return {
        "output_dir": cfg.output_dir,
        "max_steps": cfg.max_steps,
        "per_device_train_batch_size": cfg.per_device_batch_size,
        "gradient_accumulation_steps": cfg.gradient_accumulation_steps,
        "learning_rate": cfg.learning_rate,
        "lr_scheduler_type": cfg.lr_scheduler,
        "warmup_steps": warmup,
        "weight_decay": cfg.weight_decay,
        "max_grad_norm": cfg.max_grad_norm,
        "logging_steps": cfg.logging_steps,
        "save_steps": cfg.save_steps,
        "save_total_limit": cfg.save_total_limit,
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "bf16": use_bf16(cfg),
        "activation_checkpointing": use_activation_checkpointing(cfg),
        "report_to": cfg.report_to,
        "use_cpu": not torch.cuda.is_available(),
        "dataloader_num_workers": 0,
        "disable_tqdm": False,
    }


def last_checkpoint(cfg: StageConfig) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    out = Path(cfg.output_dir)
    if not cfg.resume or not out.is_dir():
        return None
    return get_last_checkpoint(str(out))


class ThroughputCallback(TrainerCallback):
    """Adds tokens/s (and MFU on a known GPU) to every log line: the numbers a user compares."""

    def __init__(self, tokens_per_step: int, n_params: int | None = None) -> None:
        self.tokens_per_step = tokens_per_step
        self.n_params = n_params  # None: counted from the trained model when training begins
        self.t0: float | None = None
        self.step0 = 0
        self.history: list[dict[str, float]] = []

    def on_train_begin(self, args, state, control, model=None, **kw):
        self.t0, self.step0 = time.perf_counter(), state.global_step
        if not self.n_params and model is not None:
            self.n_params = sum(p.numel() for p in model.parameters())

    def on_log(self, args, state, control, logs=None, **kw):
        if logs is None or self.t0 is None:
            return
        steps = state.global_step - self.step0
        elapsed = time.perf_counter() - self.t0
        if steps > 0 and elapsed > 0:
            tps = steps * self.tokens_per_step / elapsed
            logs["tokens_per_second"] = round(tps, 1)
            peak = gpu_peak_flops()
            if peak and self.n_params:
                logs["mfu"] = round(6 * self.n_params * tps / peak, 4)
        self.history.append(
            {"step": state.global_step, **{k: v for k, v in logs.items() if isinstance(v, int | float)}}
        )


def gpu_peak_flops() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()  # per-process MFU: one device's peak
    return next((v for k, v in PEAK_FLOPS.items() if k in name), None)


def train_and_finish(
    trainer, tok, cfg: StageConfig, speed: ThroughputCallback, extra: dict[str, Any], merge_lora: bool = False
) -> dict[str, Any]:
    """Train (resuming from the last checkpoint), save ``OUTPUT_DIR/final`` with the tokenizer, and write
    the manifest: the tail every stage shares."""
    t0 = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=last_checkpoint(cfg))
    final = Path(cfg.output_dir) / "final"
    if merge_lora:  # ship a plain model: merge the adapter
        trainer.model = trainer.model.merge_and_unload()
        trainer.model.save_pretrained(str(final))
    else:
        trainer.save_model(str(final))
    tok.save_pretrained(str(final))
    summary = {
        "final_model": str(final),
        # what it started from and read: kept in the summary, which a recipe's manifest keeps too
        "start_model": cfg.model,
        "data_files": [str(f) for f in cfg.data],
        "steps": result.global_step,
        "train_loss": result.training_loss,
        **extra,
        "seconds": round(time.perf_counter() - t0, 2),
        "log": speed.history,
    }
    if trainer.is_world_process_zero():
        write_manifest(
            cfg.output_dir,
            stage=cfg.stage,
            config=cfg,
            inputs=input_identities(cfg.data),
            outputs={"model": "final"},
            summary=summary,
            seconds=summary["seconds"],
        )
    return summary
