"""``mathforge decontam INPUT.jsonl``: post-training decontamination of SFT / RL / corpus files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mathforge.config import help_text
from mathforge.corpus.decontam_file import DecontamFilesConfig


def _help(name: str) -> str:
    """The help of ``DecontamFilesConfig.<name>``: each flag's text lives once, on its field."""
    return help_text(DecontamFilesConfig, name)


def decontam_command(
    inputs: list[Path] = typer.Argument(..., help=_help("inputs")),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=_help("data_dir")),
    bench: str | None = typer.Option(None, "--bench", help=_help("benchmarks") + " Comma-separated."),
    lcs_ratio: float = typer.Option(0.6, "--lcs-ratio", min=0.0, max=1.0, help=_help("lcs_ratio")),
    out: Path | None = typer.Option(None, "--out", "-o", help=_help("out")),
) -> None:
    """Write INPUT.clean.jsonl (records without benchmark overlap) and INPUT.clean.ledger.jsonl (which
    record matched which benchmark item through which 13-gram), and print a per-benchmark summary."""
    from mathforge.bench import BenchmarkDataError
    from mathforge.corpus.decontam_file import run_decontam

    cfg = DecontamFilesConfig(
        inputs=[str(p) for p in inputs],
        out=str(out or ""),
        data_dir=str(data_dir or ""),
        benchmarks=[b.strip() for b in bench.split(",") if b.strip()] if bench else [],
        lcs_ratio=lcs_ratio,
    )
    try:
        result = run_decontam(cfg)
    except (BenchmarkDataError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    console = Console()
    for rep in result.reports:
        path = rep.input
        for err in rep.errors[:20]:
            console.print(f"[yellow]skipped[/yellow] {err}", highlight=False, soft_wrap=True)
        console.print(f"{path.name}: {rep.removed} of {rep.records} records removed", highlight=False)
        table = Table()
        table.add_column("benchmark")
        table.add_column("records flagged", justify="right")
        for name, count in rep.per_benchmark.most_common():
            table.add_row(name, str(count))
        console.print(table)
        console.print(f"clean → {rep.clean}; ledger → {rep.ledger}", soft_wrap=True, highlight=False)
    console.print(f"manifest → {result.manifest}", soft_wrap=True, highlight=False)
