"""Run a recipe: stages in order, each skipped when its marker matches its config and inputs, resumed
when it was killed (training stages continue from their last checkpoint), and a failure reported as
one line naming the stage, the cause and where its partial work is."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.recipe.config import TRAINING, Recipe, RecipeError, load_recipe
from mathforge.recipe.stages import STAGES, Context


class StageFailed(RuntimeError):
    pass


@dataclass
class RecipeResult:
    recipe: Recipe
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def report(self) -> Path:
        return self.recipe.output / "report.html"


def _marker(ctx: Context, stage: str) -> Path:
    return ctx.dir(stage) / "stage.json"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def run_recipe(
    path: str | Path | None = None,
    *,
    smoke: bool = False,
    from_stage: str | None = None,
    only: str | None = None,
    output: str | None = None,
    log: Callable[[str], None] = print,
) -> RecipeResult:
    recipe = load_recipe(path, smoke=smoke, output=output)
    stages = recipe.stages()
    for name, flag in ((from_stage, "--from"), (only, "--only")):
        if name and name not in stages:
            raise RecipeError(f"{flag} {name}: not a stage of this recipe; stages: {', '.join(stages)}")
    recipe.output.mkdir(parents=True, exist_ok=True)
    ctx = Context(recipe, log=log)
    result = RecipeResult(recipe)
    keys: list[str] = []
    forced = False
    for stage in stages:
        key = recipe.key(stage, keys)
        keys.append(key)
        marker = _read(_marker(ctx, stage))
        forced = forced or stage == from_stage
        wanted = only is None or stage == only
        if marker and marker.get("key") == key and not (forced or (only == stage)) and stage != "report":
            ctx.summaries[stage] = marker["summary"]
            result.skipped.append(stage)
            log(f"✓ {stage}: done earlier (unchanged), skipped")
            continue
        if not wanted:
            if marker:
                ctx.summaries[stage] = marker["summary"]
                continue
            raise RecipeError(f"--only {only}: stage {stage} has not run yet; run the recipe up to it first")
        _prepare(ctx, stage, key)
        log(f"▶ {stage}")
        t0 = time.perf_counter()
        try:
            summary = STAGES[stage](ctx)
        except (RecipeError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise StageFailed(
                f"stage {stage} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                f"— its partial work is in {ctx.dir(stage)}; fix the cause and rerun to resume"
            ) from exc
        seconds = round(time.perf_counter() - t0, 2)
        ctx.summaries[stage] = summary
        result.ran.append(stage)
        result.seconds[stage] = seconds
        _marker(ctx, stage).write_text(
            json.dumps(
                {
                    "key": key,
                    "summary": summary,
                    "seconds": seconds,
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
                },
                indent=1,
                default=str,
            )
        )
        log(f"✓ {stage} ({seconds:.0f} s)")
    result.summaries = ctx.summaries
    return result


def _prepare(ctx: Context, stage: str, key: str) -> None:
    """A stage dir started under another config is stale: wipe it. Started under this one: keep it, so
    a training stage resumes from its last checkpoint."""
    d = ctx.dir(stage)
    started = _read(d / "started.json")
    if d.exists() and (started is None or started.get("key") != key):
        shutil.rmtree(d)
    d.mkdir(parents=True, exist_ok=True)
    (d / "started.json").write_text(json.dumps({"key": key, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}))
    (d / "stage.json").unlink(missing_ok=True)


def plan(
    path: str | Path | None = None, *, smoke: bool = False, output: str | None = None
) -> list[dict[str, Any]]:
    """``--dry-run``: validate the recipe and estimate every stage — data size, tokens, compute."""
    from mathforge.train import StageConfig

    recipe = load_recipe(path, smoke=smoke, output=output)
    base = recipe.section("base")
    params = _estimate_params(base)
    rows: list[dict[str, Any]] = []
    for stage in recipe.stages():
        sec = recipe.section(stage)
        row: dict[str, Any] = {"stage": stage}
        if stage in TRAINING:
            sec.pop("enabled", None)
            sec.pop("from", None)
            try:
                cfg = StageConfig(
                    stage="grpo" if stage == "grpo" else "pretrain", model="-", output_dir="-", **sec
                )
            except TypeError as exc:
                raise RecipeError(f"{recipe.path} [{stage}]: {exc}") from None
            if stage == "grpo":
                tokens = cfg.max_steps * cfg.per_device_batch_size * cfg.max_completion_length
            else:
                tokens = (
                    cfg.max_steps * cfg.per_device_batch_size * cfg.gradient_accumulation_steps * cfg.seq_len
                )
            row |= {
                "steps": cfg.max_steps,
                "tokens": tokens,
                "flops": 6 * params * tokens if params else None,
            }
        elif stage == "synth":
            row |= {
                "problems": sec.get("n", 2000),
                "heldout": sec.get("heldout", 200),
                "families": sec.get("families"),
            }
        elif stage == "corpus":
            inputs = sec.get("inputs")
            row |= {"documents": sec.get("documents", 200) if not inputs else None, "inputs": inputs}
            if inputs:
                missing = [p for p in inputs if not any(ch in p for ch in "*?") and not Path(p).exists()]
                row["missing_inputs"] = missing
        elif stage == "base":
            row |= {"model": base.get("model", "scratch"), "params": params}
        rows.append(row)
    return rows


KNOWN_PARAMS = {  # hub models a dry run cannot open offline
    "Qwen/Qwen2-1.5B": 1_543_714_304,
    "Qwen/Qwen2.5-1.5B": 1_543_714_304,
    "Qwen/Qwen2-7B": 7_615_616_512,
    "HuggingFaceTB/SmolLM2-135M-Instruct": 134_515_008,
    "smollm2": 134_515_008,
}


def _estimate_params(base: dict[str, Any]) -> int | None:
    if base.get("kind", "scratch") == "scratch":
        h, layers, vocab = (
            int(base.get("hidden_size", 128)),
            int(base.get("layers", 4)),
            int(base.get("vocab_size", 1024)),
        )
        return vocab * h + layers * (4 * h * h + 3 * h * 2 * h)
    name = str(base.get("model", ""))
    if name in KNOWN_PARAMS:
        return KNOWN_PARAMS[name]
    if Path(name).exists():
        from transformers import AutoConfig

        from mathforge.recipe.stages import _param_count

        return _param_count(AutoConfig.from_pretrained(name))
    return None
