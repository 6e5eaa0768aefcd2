"""``mathforge recipe run [RECIPE.toml]``: the whole recipe, general model → math model, with a report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mathforge.config import help_text
from mathforge.recipe.sections import RecipeSection

recipe_app = typer.Typer(
    help="Run the Qwen2-Math recipe end to end from one TOML file.", no_args_is_help=True
)


@recipe_app.command("run")
def run_command(
    recipe: Path | None = typer.Argument(
        None, help="Recipe TOML (default: the tiny recipe shipped with mathforge)."
    ),
    from_stage: str | None = typer.Option(
        None, "--from", help="Rerun from this stage on (earlier ones must be done)."
    ),
    only: str | None = typer.Option(None, "--only", help="Run just this stage (its inputs must be done)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate and print the plan with sizes and compute."
    ),
    smoke: bool = typer.Option(False, "--smoke", help="The same recipe at toy size (seconds per stage)."),
    output: str | None = typer.Option(
        None, "--output", help=escape(f"{help_text(RecipeSection, 'output')} Overrides [recipe] output.")
    ),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help=escape(
            "Benchmark data for the evaluations and decontamination. Overrides [eval] data_dir "
            "(default: $MATHFORGE_DATA_DIR)."
        ),
    ),
) -> None:
    """Run the stages in order; a finished stage whose config and inputs are unchanged is skipped, a
    killed one resumes. Writes RUN/report.html."""
    from mathforge.config import ConfigError
    from mathforge.recipe import StageFailed, plan, run_recipe

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # bound to the terminal now: while a stage runs, sys.stdout points at the stage's log.txt
    console = Console(file=sys.stdout)
    try:
        if dry_run:
            rows = plan(recipe, smoke=smoke, output=output)
            table = Table(title="recipe plan (dry run)")
            for col in ("stage", "steps", "tokens", "compute (FLOPs)", "details"):
                table.add_column(col, justify="left" if col in ("stage", "details") else "right")
            total = 0.0
            for r in rows:
                flops = r.get("flops")
                total += flops or 0
                details = ", ".join(
                    f"{k}={v}"
                    for k, v in r.items()
                    if k not in ("stage", "steps", "tokens", "flops") and v is not None
                )
                table.add_row(
                    r["stage"],
                    str(r.get("steps", "")),
                    f"{r['tokens']:,}" if r.get("tokens") else "",
                    f"{flops:.2e}" if flops else "",
                    details,
                )
            console.print(table)
            console.print(
                f"training compute ≈ {total:.2e} FLOPs (6 × parameters × tokens); "
                f"{total / 1e12 / 3600:.2f} h at 1 TFLOP/s sustained",
                highlight=False,
            )
            missing = [m for r in rows for m in r.get("missing_inputs") or []]
            if missing:
                console.print(f"[red]missing corpus inputs[/red]: {', '.join(missing)}", highlight=False)
                raise typer.Exit(2)
            return
        result = run_recipe(
            recipe,
            smoke=smoke,
            from_stage=from_stage,
            only=only,
            output=output,
            data_dir=data_dir,
            log=lambda m: console.print(m, highlight=False),
            console=console,
        )
    except (ConfigError, StageFailed) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    results = (result.summaries.get("eval") or {}).get("results") or {}
    if results:
        sets = sorted({b for r in results.values() for b in r})
        table = Table(title=f"recipe {result.recipe.name}: accuracy after each stage")
        table.add_column("model after")
        for b in sets:
            table.add_column(b, justify="right")
        for stage, res in results.items():
            cells = []
            for b in sets:
                m = res.get(b)
                cells.append(f"{100 * m['accuracy']:.1f}% (n={m['items']})" if m else "—")
            table.add_row(stage, *cells)
        console.print(table)
    gains = (result.summaries.get("eval") or {}).get("gains") or []
    if gains:
        from mathforge.evaluate.compare import format_p

        table = Table(title="what each stage bought: paired difference on the same items")
        for col in ("stages", "set", "difference", "95% CI", "McNemar p"):
            table.add_column(col, justify="left" if col in ("stages", "set") else "right")
        for g in gains:
            table.add_row(
                f"{g['before']} → {g['after']}",
                g["benchmark"],
                f"{100 * g['difference']:+.1f}",
                f"[{100 * g['ci95'][0]:+.1f}, {100 * g['ci95'][1]:+.1f}]",
                format_p(g["p_value"]) + (" ✓" if g["holds"] else ""),
            )
        console.print(table)
    console.print(
        f"ran {len(result.ran)} stage(s), skipped {len(result.skipped)}; report → {result.report}",
        highlight=False,
        soft_wrap=True,
    )
