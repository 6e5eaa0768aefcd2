"""GRPO with TRL's GRPOTrainer. The reward combines the rule-based verifier (our grader) with an optional
reward model as Qwen2.5-Math does: r = σ(0.5·r_m) + (r_v − 1), so every correct answer outranks every
wrong one and the reward model orders answers within each class. TRL sums reward functions, and this
reward is exactly a sum of two terms, so it is passed as two reward functions.

Query filtering (optional, before training): sample ``num_generations`` answers per query with the
starting model and keep queries with between ``filter_min_correct`` and ``filter_max_correct`` correct —
the ones that still carry a learning signal.

Tool-integrated rollouts (``prompt_style = "tir"``, or ``"pot"``: one program, run once): see ``grpo_tools.py`` — the sandbox runs the
policy's code between generation rounds and the interpreter's tokens are masked from the loss.
"""

from __future__ import annotations

import math
from typing import Any

from mathforge.grade import grade_many
from mathforge.train.common import ThroughputCallback, train_and_finish, trainer_kwargs
from mathforge.train.config import StageConfig
from mathforge.train.data import DataError, read_jsonl


def _text(completion) -> str:
    if isinstance(completion, list):  # conversational: the assistant message
        return completion[-1]["content"] if completion else ""
    return completion


def verifier_reward(prompts, completions, answer, **kwargs) -> list[float]:
    """r_v: 1 when the grader accepts the completion's final answer, else 0."""
    results = grade_many(
        [(a, _text(c)) for a, c in zip(answer, completions, strict=True)], workers=1, timeout=5
    )
    return [1.0 if r.correct else 0.0 for r in results]


def shifted_verifier_reward(prompts, completions, answer, **kwargs) -> list[float]:
    """r_v − 1: the second term of the combined reward (0 when correct, −1 when wrong)."""
    return [r - 1.0 for r in verifier_reward(prompts, completions, answer)]


def make_rm_reward(path: str):
    from mathforge.train.rm import RewardModel

    rm = RewardModel(path)

    def rm_reward(prompts, completions, question, **kwargs) -> list[float]:
        """σ(0.5·r_m): the reward model's score squashed into (0, 1)."""
        out = []
        for q, c in zip(question, completions, strict=True):
            out.append(1.0 / (1.0 + math.exp(-0.5 * rm.score(q, [_text(c)])[0])))
        return out

    return rm_reward


def _prompt(question: str, style: str, lang: str):
    if style == "plain":
        return question
    from mathforge.bench.problem import Problem
    from mathforge.prompts import build_prompt

    return list(build_prompt(Problem("q", "grpo", question, "", "expr", lang), style).messages)


def load_queries(cfg: StageConfig) -> list[dict[str, Any]]:
    rows = []
    for path, lineno, rec in read_jsonl(cfg.data):
        if "question" not in rec or "answer" not in rec:
            raise DataError(f"{path}:{lineno}: GRPO records need 'question' and 'answer'")
        lang = rec.get("language", "en")
        rows.append(
            {
                "prompt": _prompt(rec["question"], cfg.prompt_style, lang),
                "question": rec["question"],
                "answer": str(rec["answer"]),
            }
        )
    if not rows:
        raise DataError(f"GRPO: no queries in {cfg.data}")
    return rows


def filter_queries(
    cfg: StageConfig, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Keep queries the starting model solves sometimes but not always (2–5 of 8 by default)."""
    from mathforge.infer import BackendSpec, SamplingParams, get_backend
    from mathforge.prompts import Prompt

    backend = get_backend(
        BackendSpec(
            backend="hf",
            model=cfg.model,
            batch_size=cfg.per_device_batch_size,
            chat=cfg.prompt_style != "plain",
        )
    )
    prompts = [
        Prompt(
            messages=tuple(r["prompt"])
            if isinstance(r["prompt"], list)
            else ({"role": "user", "content": r["prompt"]},),
            text=r["prompt"] if isinstance(r["prompt"], str) else "",
            style=cfg.prompt_style,
        )
        for r in rows
    ]
    n = cfg.num_generations
    gens = backend.generate(
        prompts,
        SamplingParams(n=n, temperature=cfg.temperature, max_tokens=cfg.max_completion_length, seed=cfg.seed),
    )
    graded = grade_many(
        [(r["answer"], g.text) for r, gs in zip(rows, gens, strict=True) for g in gs], workers=2
    )
    kept, stats = [], {"queries": len(rows), "too_easy": 0, "too_hard": 0}
    for i, r in enumerate(rows):
        c = sum(x.correct for x in graded[i * n : (i + 1) * n])
        if c < cfg.filter_min_correct:
            stats["too_hard"] += 1
        elif c > cfg.filter_max_correct:
            stats["too_easy"] += 1
        else:
            kept.append(r)
    stats["kept"] = len(kept)
    return kept, stats


def grpo_kwargs(cfg: StageConfig, n_rewards: int = 1) -> dict[str, Any]:
    """The StageConfig keys that TRL's GRPOConfig takes as they are (one name each, no translation)."""
    weights = cfg.reward_weights
    if weights is not None and len(weights) != n_rewards:
        raise DataError(
            f"GRPO: reward_weights has {len(weights)} weight(s) for {n_rewards} reward term(s) "
            "(verifier alone: 1; with a reward model: [rm, verifier])"
        )
    kw: dict[str, Any] = {
        "num_generations": cfg.num_generations,
        "max_completion_length": cfg.max_completion_length,
        "temperature": cfg.temperature,
        "top_p": cfg.top_p,
        "beta": cfg.beta,
        "loss_type": cfg.loss_type,
        "scale_rewards": cfg.scale_rewards,
        "epsilon": cfg.epsilon,
        "epsilon_high": cfg.epsilon_high,
        "mask_truncated_completions": cfg.mask_truncated_completions,
        "num_iterations": cfg.num_iterations,
        "top_entropy_quantile": cfg.top_entropy_quantile,
        "reward_weights": weights,
        "use_vllm": cfg.use_vllm,
    }
    if cfg.use_vllm:
        kw |= {"vllm_mode": cfg.vllm_mode, "vllm_gpu_memory_utilization": cfg.vllm_gpu_memory_utilization}
        if cfg.vllm_server_base_url:
            kw["vllm_server_base_url"] = cfg.vllm_server_base_url
    return kw


def reward_model_check(cfg: StageConfig) -> dict[str, Any]:
    """The reward-model guard: the RM term is used only when the RM's held-out pairwise accuracy (from
    its manifest) reaches ``rm_min_accuracy``; otherwise GRPO runs on the verifier alone, and says why."""
    if not cfg.reward_model:
        return {"used": False, "reason": "no reward model given"}
    from pathlib import Path

    from mathforge.stage_io import read_manifest

    man = read_manifest(Path(cfg.reward_model).parent) or {}
    acc = (man.get("summary") or {}).get("heldout_pairwise_accuracy")
    if acc is None:
        return {
            "used": False,
            "accuracy": None,
            "reason": "the reward model's manifest has no held-out accuracy",
        }
    if acc < cfg.rm_min_accuracy:
        return {
            "used": False,
            "accuracy": acc,
            "reason": f"held-out pairwise accuracy {acc:.3f} < rm_min_accuracy {cfg.rm_min_accuracy}",
        }
    return {"used": True, "accuracy": acc, "reason": f"held-out pairwise accuracy {acc:.3f}"}


def run_grpo(cfg: StageConfig, callbacks: list | None = None) -> dict[str, Any]:
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from mathforge.models import smollm2

    cfg.model = smollm2.resolve(cfg.model, "hf")
    rows = load_queries(cfg)
    filter_stats = None
    if cfg.filter_queries:
        rows, filter_stats = filter_queries(cfg, rows)
        if not rows:
            raise DataError(f"GRPO: query filtering kept nothing ({filter_stats}); lower filter_min_correct")
    tok = AutoTokenizer.from_pretrained(cfg.model)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    rm_check = reward_model_check(cfg)
    if rm_check["used"]:
        rewards = [make_rm_reward(cfg.reward_model), shifted_verifier_reward]
    else:
        rewards = [verifier_reward]
    args = GRPOConfig(**trainer_kwargs(cfg), **grpo_kwargs(cfg, n_rewards=len(rewards)))
    tokens_per_step = cfg.per_device_batch_size * cfg.max_completion_length * args.world_size
    speed = ThroughputCallback(tokens_per_step)  # parameters counted from the policy when training begins
    sandbox = None
    extra: dict[str, Any] = {}
    if cfg.prompt_style in ("tir", "tora", "pot"):
        from mathforge.sandbox import Sandbox, SandboxConfig
        from mathforge.train.grpo_tools import make_tir_rollout

        sandbox = Sandbox(SandboxConfig(timeout=10, cpu_seconds=3600, warm=2))
        rounds = int(cfg.extra.get("tool_rounds", 1 if cfg.prompt_style == "pot" else 4))
        extra["rollout_func"] = make_tir_rollout(sandbox, rounds, cfg.temperature)
    trainer_cls = GRPOTrainer
    if cfg.dynamic_sampling:
        if args.world_size > 1:
            raise DataError(
                "GRPO: dynamic_sampling needs one training process (set dynamic_sampling = false)"
            )
        from mathforge.train.dynamic_sampling import make_dynamic_trainer

        trainer_cls = make_dynamic_trainer(GRPOTrainer, cfg.dynamic_sampling_rounds, cfg.seed)
    trainer = trainer_cls(
        model=cfg.model,
        reward_funcs=rewards,
        args=args,
        train_dataset=Dataset.from_list(rows),
        processing_class=tok,
        callbacks=[speed, *(callbacks or [])],
        **extra,
    )
    try:
        summary = train_and_finish(
            trainer, tok, cfg, speed, {"queries": len(rows), "filter": filter_stats, "reward_model": rm_check}
        )
    finally:
        if sandbox is not None:
            sandbox.close()
    summary["reward_curve"] = [(h["step"], h["reward"]) for h in trainer.state.log_history if "reward" in h]
    if "rollout_func" in extra:
        summary["tool_rollouts"] = dict(extra["rollout_func"].stats)
    return summary
