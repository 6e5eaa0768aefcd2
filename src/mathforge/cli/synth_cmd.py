"""``mathforge synth generate | bench | teach``."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mathforge.cli.progress import progress_bars

synth_app = typer.Typer(
    help="Synthetic data: verified generated problems, and teacher synthesis.", no_args_is_help=True
)


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _run_generate(families, n, seed, lang, levels, execute, data_dir, decontaminate):
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.synth import UnknownFamilyError, generate

    dec = None
    if decontaminate:
        from mathforge.bench import find_data_dir

        root = find_data_dir(data_dir)
        if root:
            dec = Decontaminator.from_benchmarks(str(root))
        else:
            Console(stderr=True).print(
                "[yellow]no benchmark data directory: decontamination skipped[/yellow]"
            )
    t0 = time.perf_counter()
    try:
        with progress_bars() as bars:
            names = _split(families)
            from mathforge.synth.generate import resolve_families

            total = n * len(resolve_families(names))
            bars.update("generating", 0, total)
            report = generate(
                names,
                n=n,
                seed=seed,
                langs=_split(lang) or ["en", "zh"],
                levels=[int(x) for x in _split(levels) or ["1", "2", "3"]],
                execute=execute,
                decontaminator=dec,
                progress=lambda k: bars.advance("generating", k),
            )
    except (UnknownFamilyError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    config = {
        "families": families,
        "n": n,
        "seed": seed,
        "lang": lang,
        "levels": levels,
        "execute": execute,
        "decontaminated": dec is not None,
    }
    return report, config, time.perf_counter() - t0


def _summary(man: dict, out: Path) -> None:
    table = Table(title=f"{man['summary']['counts']['items']} items → {out}")
    table.add_column("family")
    table.add_column("items", justify="right")
    for fam, c in sorted(man["summary"]["counts"]["by_family"].items()):
        table.add_row(fam, str(c))
    Console().print(table)
    Console().print(
        f"languages {man['summary']['counts']['by_language']}; rejected {man['summary']['counts']['rejected'] or 'none'}; "
        f"{man['seconds']} s",
        highlight=False,
        soft_wrap=True,
    )


FAMILIES_OPT = typer.Option(None, "--families", help="Comma-separated families (default: all; see --list).")


@synth_app.command("generate")
def synth_generate(
    out: Path = typer.Option(..., "--out", "-o"),
    families: str | None = FAMILIES_OPT,
    n: int = typer.Option(100, "--n", min=1, help="Items per family."),
    seed: int = typer.Option(0, "--seed"),
    lang: str = typer.Option("en,zh", "--lang"),
    levels: str = typer.Option("1,2,3", "--levels"),
    execute: bool = typer.Option(True, "--execute/--no-execute", help="Run every program in the sandbox."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Benchmarks to decontaminate against."),
    decontaminate: bool = typer.Option(True, "--decontaminate/--no-decontaminate"),
) -> None:
    """Training data: items.jsonl, sft.jsonl (chain-of-thought and tool-integrated chats), manifest.json."""
    from mathforge.synth.io import write_training_set

    report, config, secs = _run_generate(families, n, seed, lang, levels, execute, data_dir, decontaminate)
    _summary(write_training_set(out, report, config, secs), out)


@synth_app.command("bench")
def synth_bench(
    out: Path = typer.Option(
        ..., "--out", "-o", help="A data directory: the set goes to OUT/synth/test.jsonl."
    ),
    families: str | None = FAMILIES_OPT,
    n: int = typer.Option(50, "--n", min=1, help="Items per family."),
    seed: int = typer.Option(1, "--seed", help="A new seed gives new problems."),
    lang: str = typer.Option("en,zh", "--lang"),
    levels: str = typer.Option("1,2,3", "--levels"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Benchmarks to decontaminate against."),
) -> None:
    """A fresh, contamination-free evaluation set: `mathforge eval --bench synth --data-dir OUT`."""
    from mathforge.synth.io import write_benchmark

    report, config, secs = _run_generate(families, n, seed, lang, levels, False, data_dir, True)
    _summary(write_benchmark(out, report, config, secs), out / "synth")


@synth_app.command("list")
def synth_list() -> None:
    """The generator families."""
    from mathforge.synth import FAMILIES

    table = Table(title=f"{len(FAMILIES)} families")
    table.add_column("family")
    table.add_column("what")
    for name, fam in sorted(FAMILIES.items()):
        table.add_row(name, fam.description)
    Console().print(table)


@synth_app.command("teach")
def synth_teach(
    model: str = typer.Option(..., "--model", "-m"),
    out: Path = typer.Option(..., "--out", "-o"),
    backend: str = typer.Option("openai", "--backend", "-b"),
    bench: str = typer.Option(
        "gsm8k", "--bench", help="Seed problems: a benchmark name (use a train split)."
    ),
    split: str = typer.Option("train", "--split"),
    limit: int | None = typer.Option(None, "--limit", min=1),
    k: int = typer.Option(4, "--k", min=1, help="Solutions sampled per problem."),
    temperature: float = typer.Option(0.7, "--temperature"),
    max_tokens: int = typer.Option(1024, "--max-tokens"),
    no_gold: bool = typer.Option(False, "--no-gold", help="Ignore gold answers; keep majority solutions."),
    threshold: float = typer.Option(0.6, "--majority-threshold"),
    data_dir: Path | None = typer.Option(None, "--data-dir"),
    api_base: str | None = typer.Option(None, "--api-base"),
    concurrency: int = typer.Option(8, "--concurrency", min=1),
    batch_size: int = typer.Option(8, "--batch-size", min=1),
    max_retries: int = typer.Option(5, "--max-retries", min=0),
) -> None:
    """Rejection sampling from a teacher: sft.jsonl with accepted solutions, stats.json per problem."""
    from dataclasses import replace

    from mathforge.bench import BenchError, load_benchmark
    from mathforge.infer import BackendError, BackendSpec, SamplingParams, get_backend
    from mathforge.synth.teacher import synthesise

    try:
        problems = load_benchmark(bench, data_dir, split=split, limit=limit)
        if no_gold:
            problems = [replace(p, answer="") for p in problems]
        engine = get_backend(
            BackendSpec(
                backend=backend,
                model=model,
                api_base=api_base,
                max_retries=max_retries,
                concurrency=concurrency,
                batch_size=batch_size,
            )
        )
    except (BenchError, BackendError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with progress_bars(transient=False) as bars:
        bars.update("teacher", 0, len(problems))
        stats = synthesise(
            problems,
            engine,
            out,
            k=k,
            params=SamplingParams(n=k, temperature=temperature, max_tokens=max_tokens),
            majority_threshold=threshold,
            progress=lambda done, total, acc: bars.update("teacher", done, note=f"accepted {100 * acc:.1f}%"),
        )
    Console().print(
        f"{stats.problems} problems, {stats.samples} samples, {stats.accepted} accepted ({100 * stats.acceptance:.1f}%), "
        f"{stats.errors} failed requests, {stats.no_answer} without an answer → {out}/sft.jsonl",
        highlight=False,
        soft_wrap=True,
    )
