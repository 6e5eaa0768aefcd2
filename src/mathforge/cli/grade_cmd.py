"""``mathforge grade FILE.jsonl``: grade model outputs against gold answers."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mathforge.cli.progress import progress_bars
from mathforge.grade.extract import STYLES
from mathforge.grade.files import FileSummary, grade_file
from mathforge.grade.judge import KINDS

console = Console(stderr=True)


def grade_command(
    file: Path = typer.Argument(
        ..., help="JSONL with 'gold' and 'output' (optional 'style', 'kind') per line."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Where to write verdicts (default: FILE.verdicts.jsonl next to the input)."
    ),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes for symbolic checks."),
    timeout: float = typer.Option(
        5.0, "--timeout", "-t", min=0.1, help="Hard wall-clock limit per symbolic check (s)."
    ),
    style: str | None = typer.Option(
        None, help=f"Override every line's extraction style: {', '.join(STYLES)}."
    ),
    kind: str | None = typer.Option(None, help=f"Override every line's answer kind: {', '.join(KINDS)}."),
    restart: bool = typer.Option(
        False, "--restart", help="Discard verdicts of an earlier run instead of resuming."
    ),
) -> None:
    """Grade each line's model output against its gold answer; write verdicts and print a summary."""
    if style is not None and style not in STYLES:
        raise typer.BadParameter(
            f"unknown style {style!r}; use one of {', '.join(STYLES)}", param_hint="--style"
        )
    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", param_hint="--kind")
    if not file.is_file():
        typer.echo(
            f"error: {file}: no such file; pass a JSONL file with 'gold' and 'output' fields", err=True
        )
        raise typer.Exit(2)
    with progress_bars(console) as bars:
        summary = grade_file(
            file,
            out,
            workers=workers,
            timeout=timeout,
            style=style,
            kind=kind,
            restart=restart,
            progress=bars.update,
        )
    print_summary(summary)


def print_summary(summary: FileSummary) -> None:
    for err in summary.errors[:20]:
        console.print(f"[yellow]skipped[/yellow] {err}", highlight=False, soft_wrap=True)
    if len(summary.errors) > 20:
        console.print(f"[yellow]… and {len(summary.errors) - 20} more skipped lines[/yellow]")
    table = Table(title=f"{summary.input.name}: {sum(summary.verdicts.values())} graded")
    table.add_column("verdict")
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    n = max(1, sum(summary.verdicts.values()))
    for verdict in ("correct", "wrong", "timeout", "unparseable"):
        c = summary.verdicts.get(verdict, 0)
        table.add_row(verdict, str(c), f"{100 * c / n:.1f}%")
    table.add_row("skipped lines", str(len(summary.errors)), "")
    out = Console()
    out.print(table)
    sources = ", ".join(f"{k} {v}" for k, v in summary.sources.most_common())
    out.print(f"answers found by: {sources or '-'}")
    if summary.resumed:
        out.print(f"resumed: {summary.resumed} verdicts kept from an earlier run")
    out.print(f"accuracy {100 * summary.accuracy:.2f}%  →  verdicts in {summary.output}", soft_wrap=True)
