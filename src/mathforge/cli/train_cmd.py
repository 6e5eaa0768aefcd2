"""``mathforge train STAGE CONFIG.toml``: one training stage (pretrain, sft, rm, grpo)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from mathforge.config import help_text
from mathforge.train.config import StageConfig


def _override(name: str) -> str:
    """A flag that overrides ``StageConfig.<name>``: the field's own help, then what the flag does."""
    return f"{help_text(StageConfig, name)} Overrides the config's {name}."


def train_command(
    stage: str = typer.Argument(..., help=help_text(StageConfig, "stage")),
    config: Path = typer.Argument(..., help="TOML file: top-level keys, or a [STAGE] table."),
    model: str | None = typer.Option(None, "--model", help=_override("model")),
    output_dir: str | None = typer.Option(None, "--output-dir", "-o", help=_override("output_dir")),
    max_steps: int | None = typer.Option(None, "--max-steps", help=_override("max_steps")),
) -> None:
    """Train one stage. Rerunning resumes from the last checkpoint in output_dir. Multi-GPU / multi-node:
    `accelerate launch --config_file configs/accelerate/ddp.yaml -m mathforge.cli.main train …`."""
    from mathforge.train import STAGES, ConfigError, load_stage_config, train_stage
    from mathforge.train.data import DataError

    if stage not in STAGES:
        raise typer.BadParameter(
            f"unknown stage {stage!r}; use one of {', '.join(STAGES)}", param_hint="STAGE"
        )
    try:
        cfg = load_stage_config(config, stage, model=model, output_dir=output_dir, max_steps=max_steps)
        summary = train_stage(cfg)
    except (ConfigError, DataError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    brief = {k: v for k, v in summary.items() if k != "log"}
    Console().print_json(json.dumps(brief, default=str))
