"""Run a recipe: stages in order, each skipped when its marker matches its config and inputs, resumed
when it was killed (training stages continue from their last checkpoint), and a failure reported as
one line naming the stage, the cause and where its partial work is."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.recipe.config import TRAINING, Recipe, RecipeError, load_recipe
from mathforge.recipe.context import Context
from mathforge.recipe.sections import BaseSection
from mathforge.recipe.stages import STAGES
from mathforge.recipe.watch import stage_output
from mathforge.stage_io import (
    MANIFEST,
    input_identities,
    read_json,
    read_manifest,
    stage_key,
    write_json,
    write_manifest,
)


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


def _finished(ctx: Context, stage: str) -> dict[str, Any] | None:
    """The stage's manifest if the recipe finished it (a library stage's own manifest has no key yet)."""
    man = read_manifest(ctx.dir(stage))
    return man if man and man.get("key") and "summary" in man else None


def run_recipe(
    path: str | Path | None = None,
    *,
    smoke: bool = False,
    from_stage: str | None = None,
    only: str | None = None,
    output: str | None = None,
    data_dir: str | Path | None = None,
    log: Callable[[str], None] = print,
    console: Any = None,
) -> RecipeResult:
    """Run the recipe's stages in order. A stage is skipped when its manifest's key — the hash of its
    settings, the content of the outside files it reads and its upstream stages' keys — is unchanged.

    With a rich ``console``, each stage shows one live status line (its key number and time) and its
    full output (transformers' logs and progress bars) goes to ``RUN/<stage>/log.txt``."""
    recipe = load_recipe(path, smoke=smoke, output=output, data_dir=data_dir)
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
        inputs = input_identities(STAGES[stage].inputs(ctx))
        key = stage_key(recipe.settings(stage), inputs, keys)
        keys.append(key)
        marker = _finished(ctx, stage)
        forced = forced or stage == from_stage
        wanted = only is None or stage == only
        if marker and marker["key"] == key and not (forced or (only == stage)) and stage != "report":
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
        t0 = time.perf_counter()
        try:
            with stage_output(ctx, stage, console) as status:
                ctx.status = status
                summary = STAGES[stage].run(ctx)
        except (RecipeError, KeyboardInterrupt):
            raise
        except Exception as exc:
            tail = _log_tail(ctx.dir(stage) / "log.txt")
            raise StageFailed(
                f"stage {stage} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                f"— its partial work is in {ctx.dir(stage)}; fix the cause and rerun to resume" + tail
            ) from exc
        finally:
            ctx.status = lambda text: None
        seconds = time.perf_counter() - t0
        ctx.summaries[stage] = summary
        result.ran.append(stage)
        result.seconds[stage] = round(seconds, 2)
        write_manifest(
            ctx.dir(stage),
            stage=stage,
            config=recipe.settings(stage),
            inputs=inputs,
            summary=summary,
            seconds=seconds,
            key=key,
            upstream=keys[:-1],
        )
        log(f"✓ {stage} ({seconds:.0f} s){headline(stage, summary)}")
    result.summaries = ctx.summaries
    return result


def headline(stage: str, summary: dict[str, Any]) -> str:
    """The stage's key number for its one line: final loss, reward, items made, accuracy."""
    if not isinstance(summary, dict):
        return ""
    log = summary.get("log") or []
    last = next((r for r in reversed(log) if "reward" in r or "loss" in r), None)
    if stage == "grpo" and last and "reward" in last:
        return f" · reward {last['reward']:.3g}"
    if "train_loss" in summary and summary["train_loss"] is not None:
        return f" · loss {summary['train_loss']:.4g}"
    if "train_items" in summary:
        return f" · {summary['train_items']} training problems, {summary['heldout_items']} held out"
    if "kept" in summary:
        return f" · {summary['kept']} of {summary['documents']} documents kept"
    if "files" in summary:
        return " · removed " + ", ".join(f"{k} {v['removed']}" for k, v in summary["files"].items())
    if "results" in summary:
        cells = [
            f"{st} {100 * m['accuracy']:.1f}%"
            for st, sets in summary["results"].items()
            for b, m in sets.items()
            if b == "synth" and m.get("accuracy") is not None
        ]
        return (" · held-out: " + ", ".join(cells)) if cells else ""
    return ""


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return ("\nlast lines of " + str(path) + ":\n" + "\n".join(text[-lines:])) if text else ""


def _prepare(ctx: Context, stage: str, key: str) -> None:
    """A stage dir started under another config is stale: wipe it. Started under this one: keep it, so
    a training stage resumes from its last checkpoint."""
    d = ctx.dir(stage)
    started = read_json(d / "started.json")
    if d.exists() and (started is None or started.get("key") != key):
        shutil.rmtree(d)
    d.mkdir(parents=True, exist_ok=True)
    write_json(d / "started.json", {"key": key, "started": time.strftime("%Y-%m-%dT%H:%M:%S")})
    (d / MANIFEST).unlink(missing_ok=True)


def plan(
    path: str | Path | None = None, *, smoke: bool = False, output: str | None = None
) -> list[dict[str, Any]]:
    """``--dry-run``: validate the recipe and estimate every stage — data size, tokens, compute."""
    recipe = load_recipe(path, smoke=smoke, output=output)
    base = recipe.section("base")
    params = _estimate_params(base)
    rows: list[dict[str, Any]] = []
    for stage in recipe.stages():
        sec = recipe.section(stage)
        row: dict[str, Any] = {"stage": stage}
        if stage in TRAINING:
            if stage == "grpo":
                tokens = sec.max_steps * sec.per_device_batch_size * sec.max_completion_length
            else:
                tokens = (
                    sec.max_steps * sec.per_device_batch_size * sec.gradient_accumulation_steps * sec.seq_len
                )
            row |= {
                "steps": sec.max_steps,
                "tokens": tokens,
                "flops": 6 * params * tokens if params else None,
            }
        elif stage == "synth":
            row |= {"problems": sec.n, "heldout": sec.heldout, "families": sec.families}
            if sec.gsm8k_train:
                row["gsm8k_train"] = "all" if sec.gsm8k_train < 0 else sec.gsm8k_train
        elif stage == "corpus":
            inputs = sec.inputs
            row |= {"documents": sec.documents if not inputs else None, "inputs": inputs or None}
            if inputs:
                missing = [p for p in inputs if not any(ch in p for ch in "*?") and not Path(p).exists()]
                row["missing_inputs"] = missing
        elif stage == "base":
            row |= {"model": base.model or "scratch", "params": params}
        rows.append(row)
    return rows


KNOWN_PARAMS = {  # hub models a dry run cannot open offline
    "Qwen/Qwen2-1.5B": 1_543_714_304,
    "Qwen/Qwen2.5-1.5B": 1_543_714_304,
    "Qwen/Qwen2-7B": 7_615_616_512,
    "HuggingFaceTB/SmolLM2-135M-Instruct": 134_515_008,
    "smollm2": 134_515_008,
}


def _estimate_params(base: BaseSection) -> int | None:
    if base.kind == "scratch":
        h, layers, vocab = base.hidden_size, base.layers, base.vocab_size
        return vocab * h + layers * (4 * h * h + 3 * h * 2 * h)
    name = base.model
    if name in KNOWN_PARAMS:
        return KNOWN_PARAMS[name]
    if Path(name).exists():
        from transformers import AutoConfig

        from mathforge.recipe.stages import _param_count

        return _param_count(AutoConfig.from_pretrained(name))
    return None
