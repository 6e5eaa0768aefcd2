"""``mathforge bench list`` and ``mathforge bench show NAME``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

bench_app = typer.Typer(
    help="The benchmark registry: what is available and what an item looks like.", no_args_is_help=True
)

DATA_DIR = typer.Option(
    None, "--data-dir", help="Folder with <benchmark>/test.jsonl (default: $MATHFORGE_DATA_DIR)."
)


@bench_app.command("list")
def bench_list(data_dir: Path | None = DATA_DIR) -> None:
    """Every registered benchmark: size, language, answer kind, prompt style and source."""
    from mathforge.bench import list_benchmarks

    table = Table(title="benchmarks")
    for col in ("name", "test", "train", "lang", "answer kind", "prompt", "source", "hub id"):
        table.add_column(col)
    for b in list_benchmarks(data_dir):
        fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
        table.add_row(
            b.name,
            fmt(b.records.get("test")),
            fmt(b.records.get("train")),
            b.language,
            ", ".join(b.kinds),
            b.prompt_style,
            b.source,
            b.hub_id or "-",
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped output: do not wrap the table at 80 columns
    console.print(table)


@bench_app.command("show")
def bench_show(
    name: str = typer.Argument(..., help="Benchmark name."),
    n: int = typer.Option(3, "-n", min=1, help="How many items."),
    data_dir: Path | None = DATA_DIR,
    split: str = typer.Option("test", "--split"),
) -> None:
    """The first N items as mathforge sees them: question, options, gold answer, kind, and the prompt."""
    from mathforge.bench import BenchError, load_benchmark
    from mathforge.prompts import build_prompt

    try:
        problems = load_benchmark(name, data_dir, split=split, limit=n)
    except BenchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    console = Console()
    for p in problems:
        console.rule(
            f"{p.benchmark} #{p.id}  ({p.kind}, {p.language}{', ' + p.subject if p.subject else ''}"
            f"{', level ' + str(p.level) if p.level else ''})"
        )
        console.print(p.question, markup=False, highlight=False)
        for letter, opt in zip("ABCDEFGH", p.options, strict=False):
            console.print(f"  {letter}. {opt}", markup=False, highlight=False)
        console.print(f"[bold]gold:[/bold] {p.answer}", highlight=False)
        prompt = build_prompt(p)
        console.print(
            f"[dim]prompt ({prompt.style}): system = {prompt.messages[0]['content']}[/dim]", highlight=False
        )
