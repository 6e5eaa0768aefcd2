"""Stage configuration: one dataclass for every training stage, loadable from TOML; the CLI
(``mathforge train STAGE config.toml``), the recipe's ``[cpt]``/``[sft]``/``[rm]``/``[grpo]`` sections and
the docs all read these fields and their help text."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from mathforge.config import ConfigError, from_dict, load_toml, option

STAGES = ("pretrain", "sft", "rm", "grpo")
LOSS_TYPES = ("grpo", "dr_grpo", "dapo", "bnpo")
SCALE_REWARDS = ("group", "batch", "none")
# Fields the caller wires (the recipe sets them from the stages before); a recipe section holds the rest.
WIRED = ("stage", "model", "output_dir", "data")

__all__ = ["STAGES", "WIRED", "ConfigError", "StageConfig", "load_stage_config"]


@dataclass
class StageConfig:
    stage: str = option(help="pretrain, sft, rm or grpo.")
    model: str = option(
        help="Starting model: a folder (the previous stage's final/), a .gguf file, 'smollm2' or a hub id.",
        path="model",
    )
    output_dir: str = option(help="Where checkpoints, final/ and manifest.json go.", path=True)
    data: list[str] = option(
        [], help="JSONL files: text (pretrain), messages (sft), question+answer.", path=True
    )
    tokenizer: str | None = option(None, help="Tokenizer folder; default: the model's.", path="model")
    # optimisation
    learning_rate: float = option(5e-5, help="Peak learning rate.")
    lr_scheduler: str = option("cosine", help="transformers scheduler name (cosine, linear, constant…).")
    warmup_ratio: float = option(0.05, help="Share of max_steps spent warming up the learning rate.")
    weight_decay: float = option(0.0, help="AdamW weight decay.")
    max_steps: int = option(100, help="Optimizer steps.")
    per_device_batch_size: int = option(8, help="Sequences (GRPO: completions) per device per step.")
    gradient_accumulation_steps: int = option(1, help="Micro-batches summed per optimizer step.")
    max_grad_norm: float = option(1.0, help="Gradient clipping norm.")
    seq_len: int = option(512, help="Tokens per training sequence (longer ones are cut).")
    seed: int = option(0, help="Seed for model init, data order and sampling.")
    bf16: str = option(
        "auto", help="auto: on where the GPU supports it; CPUs stay fp32 (faster without AMX)."
    )
    activation_checkpointing: str = option(
        "auto",
        help="Recompute activations in the backward pass to save memory. auto: on GPUs only; on a CPU "
        "memory is plentiful and the recomputation costs about a quarter of each step.",
    )
    logging_steps: int = option(5, help="Log every N steps.")
    save_steps: int = option(50, help="Checkpoint every N steps (a killed run resumes from the last one).")
    save_total_limit: int = option(2, help="Checkpoints kept.")
    resume: bool = option(True, help="Continue from the last checkpoint in output_dir.")
    report_to: list[str] = option(["tensorboard"], help="transformers loggers ([] = none).")
    # sft
    packing: bool = option(False, help="SFT: pack several conversations into one sequence.")
    lora_r: int = option(0, help="SFT: LoRA rank; 0 = full fine-tuning.")
    lora_alpha: int = option(32, help="SFT: LoRA alpha.")
    # rm
    rm_pairs_per_question: int = option(4, help="RM: chosen/rejected pairs drawn per question.")
    # grpo
    num_generations: int = option(8, help="GRPO: completions sampled per prompt (the group).")
    max_completion_length: int = option(256, help="GRPO: tokens per completion.")
    temperature: float = option(1.0, help="GRPO: sampling temperature of the rollouts.")
    beta: float = option(0.04, help="GRPO: KL coefficient to the reference model.")
    reward_model: str | None = option(
        None,
        help="GRPO: reward model folder; r = sigmoid(0.5 r_m) + (r_v - 1). None: verifier only.",
        path="model",
    )
    loss_type: str = option(
        "dapo",
        help="GRPO: loss aggregation — grpo (per sequence), dr_grpo (constant), dapo (per token), bnpo.",
    )
    scale_rewards: str = option(
        "group", help="GRPO: divide advantages by the reward std of the group, the batch, or none."
    )
    epsilon: float = option(0.2, help="GRPO: lower clipping bound of the policy ratio (1 − ε).")
    epsilon_high: float | None = option(None, help="GRPO: upper bound (clip-higher, DAPO); None = epsilon.")
    mask_truncated_completions: bool = option(
        False, help="GRPO: completions cut at max_completion_length carry no loss (not scored as wrong)."
    )
    num_iterations: int = option(1, help="GRPO: optimisation passes over each generated batch (μ).")
    top_entropy_quantile: float = option(
        1.0, help="GRPO: learn only from the tokens in this top share of entropy (1.0 = all)."
    )
    reward_weights: list[float] | None = option(
        None,
        help="GRPO: weight per reward term (verifier alone: 1; with an RM: [rm, verifier]); None = 1 each.",
    )
    top_p: float = option(1.0, help="GRPO: nucleus sampling of the rollouts.")
    dynamic_sampling: bool = option(
        False, help="GRPO: drop groups whose rewards have no spread and refill with fresh prompts (DAPO)."
    )
    dynamic_sampling_rounds: int = option(
        3, help="GRPO dynamic sampling: extra generation rounds per step, at most."
    )
    rm_min_accuracy: float = option(
        0.75, help="GRPO: the RM term is used only if the RM's held-out pairwise accuracy reaches this."
    )
    use_vllm: bool = option(False, help="GRPO: generate rollouts with vLLM (GPU machines).")
    vllm_mode: str = option(
        "colocate", help="GRPO with vLLM: colocate (in the trainer's process) or server (`trl vllm-serve`)."
    )
    vllm_server_base_url: str | None = option(
        None, help="GRPO with vLLM server mode: the server's URL, e.g. http://host:8000."
    )
    vllm_gpu_memory_utilization: float = option(
        0.3, help="GRPO with vLLM colocate: GPU memory share for vLLM."
    )
    filter_min_correct: int = option(2, help="GRPO query filter: keep queries with at least this many right.")
    filter_max_correct: int = option(5, help="GRPO query filter: and at most this many right (of 8).")
    filter_queries: bool = option(
        False, help="GRPO: sample each query 8 times first and keep the medium ones."
    )
    prompt_style: str = option(
        "cot", help="GRPO: cot, or tir/tora/pot for tool-integrated rollouts (pot: one program, run once)."
    )
    extra: dict[str, Any] = option({}, help="Stage-specific extras (e.g. tool_rounds for TIR rollouts).")

    def __post_init__(self) -> None:
        for name, allowed in (
            ("loss_type", LOSS_TYPES),
            ("scale_rewards", SCALE_REWARDS),
            ("vllm_mode", ("colocate", "server")),
        ):
            if getattr(self, name) not in allowed:
                raise ConfigError(f"{name} = {getattr(self, name)!r}: use one of {', '.join(allowed)}")
        if self.stage not in STAGES:
            raise ConfigError(f"unknown stage {self.stage!r}; use one of {', '.join(STAGES)}")
        for path in self.data:
            if not Path(path).exists():
                raise ConfigError(f"{self.stage}: data file {path} does not exist")


def load_stage_config(path: str | Path, stage: str | None = None, **overrides: Any) -> StageConfig:
    """Read a TOML file (top-level keys, or a ``[STAGE]`` table): every key checked by name and type,
    paths relative to the file; ``overrides`` (CLI flags, None = not given) win."""
    path = Path(path)
    raw = load_toml(path)
    where = f"{path}:"
    if stage and isinstance(raw.get(stage), dict):
        raw, where = raw[stage], f"{path}: [{stage}]"
    if stage:
        raw = {**raw, "stage": stage}
    cfg_fields = {f.name for f in fields(StageConfig)}
    given = {k: v for k, v in overrides.items() if v is not None and k in cfg_fields}
    cfg = from_dict(StageConfig, {**raw, **given}, where, path.resolve().parent)
    return replace(cfg, **given) if given else cfg  # CLI paths stay relative to the working directory
