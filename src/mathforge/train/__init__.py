"""Training stages on transformers / TRL / accelerate: continued pre-training, SFT, reward model, GRPO."""

from mathforge.train.config import STAGES, ConfigError, StageConfig, load_stage_config


def train_stage(cfg: StageConfig, callbacks: list | None = None) -> dict:
    """Run one stage; returns its summary (also written to OUTPUT_DIR/manifest.json). ``callbacks``:
    extra transformers ``TrainerCallback``s (the recipe's status line uses one)."""
    if cfg.stage == "pretrain":
        from mathforge.train.pretrain import run_pretrain

        return run_pretrain(cfg, callbacks)
    if cfg.stage == "sft":
        from mathforge.train.sft import run_sft

        return run_sft(cfg, callbacks)
    if cfg.stage == "rm":
        from mathforge.train.rm import run_rm

        return run_rm(cfg, callbacks)
    from mathforge.train.grpo import run_grpo

    return run_grpo(cfg, callbacks)


__all__ = ["STAGES", "ConfigError", "StageConfig", "load_stage_config", "train_stage"]
