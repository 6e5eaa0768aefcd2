"""Stage configuration: one dataclass for every training stage, loadable from TOML; the CLI
(``mathforge train STAGE config.toml``) and the recipe build it the same way."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

STAGES = ("pretrain", "sft", "rm", "grpo")


class ConfigError(ValueError):
    pass


@dataclass
class StageConfig:
    stage: str
    model: str  # a model directory (or smollm2), the output of the previous stage
    output_dir: str
    data: list[str] = field(default_factory=list)  # JSONL files (text / messages / question+answer)
    tokenizer: str | None = None  # default: the model's
    # optimisation
    learning_rate: float = 5e-5
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    max_steps: int = 100
    per_device_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    max_grad_norm: float = 1.0
    seq_len: int = 512
    seed: int = 0
    bf16: str = "auto"  # auto: on when the device supports it (GPU with bf16); CPU stays fp32 (faster here)
    logging_steps: int = 5
    save_steps: int = 50
    save_total_limit: int = 2
    resume: bool = True  # continue from the last checkpoint in output_dir
    report_to: list[str] = field(default_factory=lambda: ["tensorboard"])
    # sft
    packing: bool = False
    lora_r: int = 0  # 0 = full fine-tuning
    lora_alpha: int = 32
    # rm
    rm_pairs_per_question: int = 4
    # grpo
    num_generations: int = 8
    max_completion_length: int = 256
    temperature: float = 1.0
    beta: float = 0.04  # KL coefficient
    reward_model: str | None = None  # r = sigmoid(0.5 * r_m) + (r_v - 1); rule-only when None
    filter_min_correct: int = 2  # keep queries with 2..5 of 8 sampled answers correct
    filter_max_correct: int = 5
    filter_queries: bool = False
    prompt_style: str = "cot"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ConfigError(f"unknown stage {self.stage!r}; use one of {', '.join(STAGES)}")
        for path in self.data:
            if not Path(path).exists():
                raise ConfigError(f"{self.stage}: data file {path} does not exist")


def load_stage_config(path: str | Path, stage: str | None = None, **overrides: Any) -> StageConfig:
    """Read a TOML file (top-level keys, or a ``[STAGE]`` table); unknown keys are an error naming them."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if stage and isinstance(raw.get(stage), dict):
        raw = raw[stage]
    raw = {**raw, **{k: v for k, v in overrides.items() if v is not None}}
    if stage:
        raw["stage"] = stage
    known = {f.name for f in fields(StageConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    base = path.parent
    raw["data"] = [str((base / d) if not Path(d).is_absolute() else Path(d)) for d in raw.get("data", [])]
    return StageConfig(**raw)
